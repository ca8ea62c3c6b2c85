"""`{% insight_hints %}`: the instructor's hints on the mistakes this result shows, on the result page.

Shown to the submission's student (their first view of each hint is recorded) and, marked as
such, to staff; only for mistakes in checks the viewer can see.
"""
from django import template
from django.utils.translation import get_language

from seqlab.insight import selectors, services

register = template.Library()


@register.inclusion_tag("insight/_hints.html", takes_context=True)
def insight_hints(context, submission, feedback=None):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or feedback is None or submission.current_result_id is None:
        return {"hints": []}
    shown = {c.name for c in feedback.checks if c.shown}
    hints = selectors.hints_for_result(submission=submission, shown_checks=shown)
    is_student = user.pk == submission.student_id
    if hints and is_student:
        services.hint_views_record(student=user, submission=submission, hints=hints)
    lang = "ko" if (get_language() or "ko").startswith("ko") else "en"
    return {"hints": [h.text_ko if lang == "ko" else h.text_en for h in hints], "staff_view": not is_student}
