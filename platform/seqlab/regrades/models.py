"""A student's request that staff look again at one check of one attempt, and the answer."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

MAX_REASON = 2000
MAX_ANSWER = 4000


class RequestStatus(models.TextChoices):
    OPEN = "open", "open"
    ANSWERED = "answered", "answered"
    WITHDRAWN = "withdrawn", "withdrawn"


class RegradeRequest(models.Model):
    submission = models.ForeignKey("submissions.Submission", on_delete=models.CASCADE, related_name="regrade_requests")
    check_number = models.CharField(max_length=20)
    check_name = models.CharField(max_length=300, blank=True)
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(max_length=MAX_REASON)
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    answer = models.TextField(max_length=MAX_ANSWER, blank=True)
    score_before = models.FloatField(null=True)
    score_after = models.FloatField(null=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "check_number"], condition=Q(status="open"),
                                    name="one_open_request_per_check"),
            models.CheckConstraint(condition=Q(status="open") | Q(answered_at__isnull=False) | Q(status="withdrawn"),
                                   name="answered_requests_have_a_time"),
        ]

    def __str__(self) -> str:
        return f"regrade of check {self.check_number} of submission {self.submission_id} ({self.status})"
