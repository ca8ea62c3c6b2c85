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
