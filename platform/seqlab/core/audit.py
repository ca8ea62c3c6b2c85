"""The audit trail every app writes to: who changed what grade-relevant thing, from what, to what.

It sits below the apps so that courses, submissions and gradebook can all record changes
without importing one another's services. The model is looked up by label, not imported.
"""
from __future__ import annotations

from django.apps import apps

AUDIT_MODEL = "gradebook.AuditEntry"


def audit_record(*, course, actor, action: str, subject: str, before=None, after=None, comment: str = ""):
    """Append one entry to the course's audit trail."""
    model = apps.get_model(AUDIT_MODEL)
    return model.objects.create(course=course, actor=actor, action=action[:40], subject=subject[:300],
                                before=before, after=after, comment=comment)
