"""What ties an LMS (through django-lti's registrations, contexts and resource links) to SeqLab.

django-lti (`lti_tool`) keeps the LTI side: registrations, deployments, users, contexts,
resource links. These rows say which SeqLab course an LMS course is, which offering an LMS
item opens, and which grade was last sent back for whom, so grade passback is idempotent.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models


class CourseLink(models.Model):
    """An LMS course (an LTI context) is one SeqLab course."""

    context = models.OneToOneField("lti_tool.LtiContext", on_delete=models.CASCADE, related_name="seqlab_link")
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="lti_links")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # One LMS course per SeqLab course: a second would send the course's grades to another LMS course.
        constraints = [models.UniqueConstraint(fields=["course"], name="one_lms_course_per_course")]

    def __str__(self) -> str:
        return f"{self.context} -> {self.course.slug}"


class OfferingLink(models.Model):
    """An LMS item (an LTI resource link) opens one offering; its grade column is `lineitem_url`."""

    resource_link = models.OneToOneField("lti_tool.LtiResourceLink", on_delete=models.CASCADE,
                                         related_name="seqlab_link")
    offering = models.ForeignKey("courses.Offering", on_delete=models.CASCADE, related_name="lti_links")
    lineitem_url = models.URLField(max_length=500, blank=True)
    ags_scopes = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.resource_link} -> {self.offering}"


class PassbackStatus(models.TextChoices):
    SENT = "sent", "sent"
    FAILED = "failed", "failed"


class Passback(models.Model):
    """The last grade sent to an LMS grade column for one student: sent again only when it changes."""

    link = models.ForeignKey(OfferingLink, on_delete=models.CASCADE, related_name="passbacks")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(null=True)
    max_score = models.FloatField(default=0.0)
    pending_manual = models.BooleanField(default=False)
    status = models.CharField(max_length=8, choices=PassbackStatus.choices)
    error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["link", "student"], name="one_passback_per_student_and_column")]
