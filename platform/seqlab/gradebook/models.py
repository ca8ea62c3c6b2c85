"""Staff judgements layered on the auto-grade: overrides (rubric grades of written answers among
them), the weighted categories a course total is made of, and the audit trail."""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
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
    # What the entry is about, for filtering; blank on rows written before these existed and on
    # entries about the course as a whole (a roster import, a new section).
    offering = models.ForeignKey("courses.Offering", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    submission = models.ForeignKey("submissions.Submission", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["course", "-at"], name="audit_course_recent")]


class RegradeBatch(models.Model):
    """One 'regrade all' request; its progress is read from the submissions it re-queued."""

    offering = models.ForeignKey("courses.Offering", on_delete=models.CASCADE, related_name="regrades")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submission_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


WEIGHT_BOUNDS = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class GradeCategory(models.Model):
    """A share of a course's total (code 60 %, quiz 20 %, ...): the offerings in it count by their points."""

    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="grade_categories")
    title_ko = models.CharField(max_length=100, blank=True)       # one of the two names is enough
    title_en = models.CharField(max_length=100, blank=True)
    weight = models.DecimalField(max_digits=5, decimal_places=2, validators=WEIGHT_BOUNDS,
                                 help_text="percent of the course total")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "grade categories"
        constraints = [
            models.CheckConstraint(condition=models.Q(weight__gte=0) & models.Q(weight__lte=100),
                                   name="category_weight_is_a_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.title_en or self.title_ko} ({self.weight} %)"

    def title(self, lang: str) -> str:
        return (self.title_ko or self.title_en) if lang == "ko" else (self.title_en or self.title_ko)


class OfferingCategory(models.Model):
    """The category an offering counts in (at most one); kept here so the offering's own table stays as it is."""

    offering = models.OneToOneField("courses.Offering", on_delete=models.CASCADE, related_name="grade_category")
    category = models.ForeignKey(GradeCategory, on_delete=models.CASCADE, related_name="offering_links")
