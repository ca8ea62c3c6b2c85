"""Small presentation helpers shared by every page: dates, status badges, visibility notes."""
from __future__ import annotations

from datetime import datetime

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

register = template.Library()

STATUS_LABELS = {
    "queued": (N_("Queued"), "wait"), "running": (N_("Grading"), "run"), "graded": (N_("Graded"), "ok"),
    "rejected": (N_("Not gradable"), "warn"), "error": (N_("Grading failed"), "bad"),
}


@register.simple_tag
def status_badge(status: str) -> str:
    label, css = STATUS_LABELS.get(status, (status, ""))
    return format_html('<span class="badge {}" data-status="{}">{}</span>', css, status, _(label))


@register.simple_tag
def deadline(when: datetime | None) -> str:
    if when is None:
        return "—"
    local = timezone.localtime(when)
    stamp = date_filter(local, "Y-m-d (D) H:i")
    if when > timezone.now():
        return format_html('{} <span class="muted small">({})</span>', stamp,
                           _("%(t)s left") % {"t": timeuntil(when, depth=1)})
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


KIND_LABELS = {"quiz": N_("Quiz (auto-graded)"), "written": N_("Written answers (graded by TAs)"), "code": N_("Code")}


@register.simple_tag
def kind_label(kind: str) -> str:
    return _(KIND_LABELS.get(kind, kind))


# What the engine says about one answer (graders/quiz.py), as a student reads it.
VERDICTS = {
    "correct": N_("Correct"), "incorrect": N_("Incorrect"), "no answer": N_("No answer"),
    "not one of the choices": N_("Not one of the choices"),
    "awaiting a TA's grade against the rubric": N_("Waiting for a TA's grade"),
}


@register.filter
def verdict(output: str) -> str:
    if output.startswith("not a number"):
        return _("Not a number")
    return _(VERDICTS[output]) if output in VERDICTS else output
