"""Small presentation helpers shared by every page: dates, status badges, visibility notes."""
from __future__ import annotations

from datetime import datetime

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from seqlab.courses import presentation
from seqlab.courses.presentation import reader_lang

register = template.Library()

STATUS_LABELS = {
    "queued": (gettext_noop("Queued"), "wait"), "running": (gettext_noop("Grading"), "run"), "graded": (gettext_noop("Graded"), "ok"),
    "rejected": (gettext_noop("Not gradable"), "warn"), "error": (gettext_noop("Grading failed"), "bad"),
    "pending": (gettext_noop("Waiting for a TA"), "wait"),
}


@register.simple_tag
def status_badge(status: str, pending: int = 0) -> str:
    """The attempt's state; a graded one whose written answers still wait for a TA says so."""
    if status == "graded" and pending:
        status = "pending"
    label, css = STATUS_LABELS.get(status, (status, ""))
    return format_html('<span class="badge {}" data-status="{}">{}</span>', css, status, _(label))


@register.simple_tag
def deadline(when: datetime | None) -> str:
    if when is None:
        return "—"
    local = timezone.localtime(when)
    stamp = date_filter(local, "Y-m-d (D) H:i")
    now = timezone.now()
    if when > now:
        return format_html('{} <span class="muted small">({})</span>', stamp,
                           _("%(t)s left") % {"t": presentation.time_left(when - now)})
    return format_html('{} <span class="muted small">({})</span>', stamp, _("passed"))


@register.simple_tag
def visibility_note(visibility: str, reveal_at: datetime | None) -> str:
    """Say plainly when a check's result will be shown to the student."""
    if visibility == "visible":
        return format_html('<span class="vis visible">{}</span>', _("Shown right away"))
    if visibility == "hidden":
        return format_html('<span class="vis hidden">{}</span>', _("Hidden: never shown, but counts towards the score"))
    if visibility == "after_published" and reveal_at is None:
        return format_html('<span class="vis later">{}</span>', _("Shown when the grades are published"))
    if reveal_at and reveal_at <= timezone.now():
        return format_html('<span class="vis visible">{}</span>', _("Shown now"))
    stamp = date_filter(timezone.localtime(reveal_at), "Y-m-d H:i") if reveal_at else ""
    if visibility == "after_due_date":
        return format_html('<span class="vis later">{}</span>', _("Shown after the deadline (%(when)s)") % {"when": stamp})
    return format_html('<span class="vis later">{}</span>', _("Shown when the grades are published (%(when)s)") % {"when": stamp})


@register.filter
def percent(value) -> str:
    return f"{float(value) * 100:g}%"


@register.filter
def points(value) -> str:
    return "—" if value in (None, "") else f"{float(value):g}"     # "": a missing result


KIND_LABELS = {"quiz": gettext_noop("Quiz (auto-graded)"), "written": gettext_noop("Written answers (graded by TAs)"), "code": gettext_noop("Code")}


@register.simple_tag
def kind_label(kind: str) -> str:
    return _(KIND_LABELS.get(kind, kind))


# What the engine says about one answer (graders/quiz.py), as a student reads it.
VERDICTS = {
    "correct": gettext_noop("Correct"), "incorrect": gettext_noop("Incorrect"), "no answer": gettext_noop("No answer"),
    "not one of the choices": gettext_noop("Not one of the choices"),
    "awaiting a TA's grade against the rubric": gettext_noop("Waiting for a TA's grade"),
}


@register.filter
def verdict(output: str) -> str:
    if output.startswith("not a number"):
        return _("Not a number")
    return _(VERDICTS[output]) if output in VERDICTS else output


@register.filter
def local_title(obj) -> str:
    """A course's or assignment's title in the reader's language (the other if only that exists)."""
    return obj.title(reader_lang())


VISIBILITY_LABELS = {"visible": gettext_noop("public"), "after_due_date": gettext_noop("after the deadline"),
                     "after_published": gettext_noop("after publication"), "hidden": gettext_noop("hidden")}


@register.filter
def visibility_label(visibility: str) -> str:
    return _(VISIBILITY_LABELS[visibility]) if visibility in VISIBILITY_LABELS else visibility


AUDIT_ACTIONS = {
    "submission.regrade": gettext_noop("regrade"), "offering.save": gettext_noop("assignment settings saved"),
    "extension.grant": gettext_noop("extension granted"), "rubric.grade": gettext_noop("written answer graded"),
    "override.set": gettext_noop("score overridden"), "override.clear": gettext_noop("override removed"),
    "offering.publish": gettext_noop("grades published or withdrawn"),
    "accommodation.set": gettext_noop("accommodation set"), "accommodation.remove": gettext_noop("accommodation removed"),
    "timed.start": gettext_noop("timed work started"),
}


@register.filter
def audit_action(action: str) -> str:
    return _(AUDIT_ACTIONS[action]) if action in AUDIT_ACTIONS else action


@register.simple_tag
def load_failure(feedback) -> str:
    return presentation.load_failure(feedback.checks) if feedback else ""


@register.simple_tag
def code_view(submission, feedback=None) -> list:
    """The submitted files, bounded (submissions/source.py), Python with line numbers; the line an
    error of a shown check names is marked."""
    from seqlab.submissions.source import source_files, text_file_names
    data = bytes(submission.blob.data)
    texts = [c.output for c in feedback.checks if c.shown and c.output] if feedback else []
    marks = {}
    for name in text_file_names(filename=submission.filename, data=data) if texts else ():
        mark = next((n for n in (presentation.error_line(t, name) for t in texts) if n), None)
        if mark:
            marks[name] = mark
    return source_files(filename=submission.filename, data=data, marks=marks)       # highlighted once


@register.simple_tag
def standing(viewer, offering):
    """The viewer's own attempts at an offering, with scores and the counted one (see presentation)."""
    from seqlab.submissions.selectors import submission_list_for_student
    return presentation.standing_for(viewer=viewer, submissions=submission_list_for_student(
        offering=offering, student=viewer).select_related("offering").prefetch_related("overrides"))


@register.simple_tag
def result_output(result) -> str:
    """The engine's note on the whole attempt (not on one check), in the reader's language."""
    return presentation.engine_text({"output": result.output, "extra_data": result.extra}, "output") if result else ""


@register.simple_tag
def score_bands(offering):
    """The numbers behind an offering's score histogram, as rows a table can show."""
    from seqlab.gradebook.selectors import offering_grades, offering_max_points
    scores = [c.total for c in offering_grades(offering=offering).values() if c.total is not None]
    top = offering_max_points(offering=offering) or max(scores or [1.0]) or 1.0
    width = top / 10
    counts = [0] * 10
    for score in scores:
        counts[min(int(score / width), 9) if width else 0] += 1
    return {"students": len(scores), "max": top,
            "median": sorted(scores)[len(scores) // 2] if scores else None,
            "bands": [(round(i * width, 2), round((i + 1) * width, 2), n) for i, n in enumerate(counts)]}


@register.filter
def artifact_text(artifact, field: str) -> str:
    """A picture's caption or text alternative in the reader's language."""
    from django.utils.translation import get_language
    return artifact.text_in((get_language() or "ko")[:2], field)


@register.simple_tag
def artifact_src(submission, artifact) -> str:
    """A picture's address, naming the language it is drawn in (`?lang=`): a browser that cached the
    picture in one language does not show it after the reader switches to the other."""
    from django.urls import reverse
    lang = "ko" if reader_lang() == "ko" and artifact.blob_ko_id else "en"
    return f"{reverse('submissions:artifact', args=[submission.pk, artifact.pk])}?lang={lang}"


@register.simple_tag
def accommodation_summary(accommodation) -> str:
    """"+3 days, +50 % time, +2 attempts": the parts that are not zero."""
    if not accommodation:
        return ""
    days, percent, attempts = accommodation.extra_days, accommodation.extra_time_percent, accommodation.extra_attempts
    parts = []
    if days:
        parts.append(ngettext("+%(n)d day", "+%(n)d days", days) % {"n": days})
    if percent:
        parts.append(_("+%(n)d %% time") % {"n": percent})
    if attempts:
        parts.append(ngettext("+%(n)d attempt", "+%(n)d attempts", attempts) % {"n": attempts})
    return ", ".join(parts) or _("nothing extra yet")


@register.simple_tag
def accommodated_ids(course) -> set[int]:
    """Ids of the course's students with an accommodation, for staff lists to mark them."""
    from seqlab.courses.selectors import accommodated_student_ids
    return accommodated_student_ids(course=course)


@register.simple_tag
def after_late_penalty(submission, score):
    """The attempt's score as the gradebook counts it: after the late penalty of its late days."""
    from seqlab.gradebook.selectors import penalty_factor
    if score is None:
        return None
    return round(score * penalty_factor(offering=submission.offering, late_days=submission.late_days), 4)
