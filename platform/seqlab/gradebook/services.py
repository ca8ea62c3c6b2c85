"""Writes for grades: the audit trail first (other services call it)."""
from __future__ import annotations

from seqlab.gradebook.models import AuditEntry


def audit_record(*, course, actor, action: str, subject: str, before=None, after=None,
                 comment: str = "") -> AuditEntry:
    """Append one entry to the course's audit trail."""
    return AuditEntry.objects.create(course=course, actor=actor, action=action, subject=subject[:300],
                                     before=before, after=after, comment=comment)
