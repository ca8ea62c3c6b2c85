"""Staff judgements layered on the auto-grade: overrides (rubric grades of written answers among
them) and the audit trail."""
from __future__ import annotations

from django.conf import settings
from django.db import models

MAX_OVERRIDE_POINTS = 10_000.0      # above any assignment's total plus its bonus


class Override(models.Model):
    """A TA's replacement score for one check (by number) or, with check '', the whole attempt.

    A written question's grade is an override of its check: `rubric` lists the criteria met and
    the score is their points; the comment is optional there (the criteria say why).
    """

    submission = models.ForeignKey("submissions.Submission", on_delete=models.CASCADE, related_name="overrides")
    check_number = models.CharField(max_length=20, blank=True, help_text="check number; blank = total")
    score = models.FloatField()
    comment = models.TextField(blank=True)
    rubric = models.JSONField(null=True, blank=True,
                              help_text="written questions: indices of the rubric criteria the answer meets")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "check_number"], name="one_override_per_check"),
            # The services hold each score within its check's points; the database refuses what no
            # check could be worth, whatever path wrote it (NaN and infinities fail both bounds).
            models.CheckConstraint(condition=models.Q(score__gte=0) & models.Q(score__lte=MAX_OVERRIDE_POINTS),
                                   name="override_score_within_bounds"),
        ]


class AuditEntry(models.Model):
    """Who changed what grade-relevant thing, when, from what, to what, and why."""

    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=40)
    subject = models.CharField(max_length=300)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    comment = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"


class RegradeBatch(models.Model):
    """One 'regrade all' request; its progress is read from the submissions it re-queued."""

    offering = models.ForeignKey("courses.Offering", on_delete=models.CASCADE, related_name="regrades")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submission_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
