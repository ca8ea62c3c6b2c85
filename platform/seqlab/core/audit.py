"""The audit trail every app writes to: who changed what grade-relevant thing, from what, to what.

It sits below the apps so that courses, submissions and gradebook can all record changes
without importing one another's services. The model is looked up by label, not imported.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.apps import apps

AUDIT_MODEL = "gradebook.AuditEntry"

# Actions a caller has promised to summarise in one entry of its own (a regrade of a whole class).
_folded: ContextVar[frozenset[str]] = ContextVar("audit_folded", default=frozenset())


def audit_record(*, course, actor, action: str, subject: str, before=None, after=None, comment: str = "",
                 offering=None, student=None, submission=None):
    """Append one entry to the course's audit trail.

    `offering`, `student` and `submission` say what the entry is about, so the trail can be filtered
    by them; a submission implies its offering and student when those are not given.
    """
    if action in _folded.get():
        return None
    model = apps.get_model(AUDIT_MODEL)
    return model.objects.create(
        course=course, actor=actor, action=action[:40], subject=subject[:300], before=before, after=after,
        comment=comment, submission=submission,
        offering_id=_pk(offering) or getattr(submission, "offering_id", None),
        student_id=_pk(student) or getattr(submission, "student_id", None))


def _pk(obj):
    return getattr(obj, "pk", None)


@contextmanager
def audit_folded(*actions: str):
    """Within the block, entries of `actions` are not written: the caller records one entry for them all."""
    token = _folded.set(_folded.get() | frozenset(actions))
    try:
        yield
    finally:
        _folded.reset(token)
