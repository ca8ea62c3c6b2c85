"""`{% regrade_panel submission %}`: a student's requests on this attempt and the form to ask."""
from django import template

from seqlab.regrades.models import RequestStatus
from seqlab.regrades.selectors import requests_for_submission
from seqlab.submissions.selectors import feedback_for

register = template.Library()


@register.inclusion_tag("regrades/_panel.html", takes_context=True)
def regrade_panel(context, submission):
    user = context["request"].user
    requests = list(requests_for_submission(submission=submission))
    own = submission.student_id == user.id
    askable = []
    if own:
        feedback = feedback_for(viewer=user, submission=submission)
        open_numbers = {r.check_number for r in requests if r.status == RequestStatus.OPEN}
        askable = [c for c in (feedback.checks if feedback else [])
                   if c.shown and not c.awaiting and c.number not in open_numbers]
    return {"submission": submission, "requests": requests, "askable": askable, "own": own,
            "request": context["request"]}


@register.filter
def check_title(regrade_request) -> str:
    """The check's name in the reader's language, from the attempt's stored result (the request
    keeps the name it was filed under, in one language, for results that no longer hold it)."""
    from seqlab.courses.presentation import engine_text
    result = regrade_request.submission.current_result
    for test in (result.tests if result is not None and isinstance(result.tests, list) else []):
        if isinstance(test, dict) and str(test.get("number", "")) == regrade_request.check_number:
            return engine_text(test, "name") or regrade_request.check_name
    return regrade_request.check_name
