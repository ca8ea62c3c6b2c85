"""Courses, who is in them, the assignment library and each assignment's offering in a course."""
from __future__ import annotations

from datetime import datetime
from datetime import timezone as dt_timezone
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Course(models.Model):
    slug = models.SlugField(unique=True)
    title_ko = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    term = models.CharField(max_length=40, help_text="e.g. 2025-2")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-term", "slug"]

    def __str__(self) -> str:
        return f"{self.slug} ({self.term})"

    def title(self, lang: str) -> str:
        # An instructor may write a title in one language only: show it rather than nothing.
        return (self.title_ko or self.title_en) if lang == "ko" else (self.title_en or self.title_ko)


class Role(models.TextChoices):
    STUDENT = "student", _("student")
    TA = "ta", _("TA")
    INSTRUCTOR = "instructor", _("instructor")


class Membership(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=12, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "user"], name="one_role_per_course")]

    def __str__(self) -> str:
        return f"{self.user} {self.role} in {self.course.slug}"


class AssignmentKind(models.TextChoices):
    CODE = "code", _("code")
    QUIZ = "quiz", _("quiz")                  # numeric and choice questions, graded by the engine
    WRITTEN = "written", _("written")         # free text, graded by TAs against each question's rubric


class Assignment(models.Model):
    """An assignment folder, known by slug; its versions are immutable snapshots."""

    slug = models.SlugField(unique=True)
    title_ko = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    kind = models.CharField(max_length=8, choices=AssignmentKind.choices, default=AssignmentKind.CODE)
    file = models.CharField(max_length=100)
    queue = models.CharField(max_length=8, default="cpu")
    source = models.CharField(max_length=500, blank=True)
    current_version = models.ForeignKey("AssignmentVersion", null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug

    def title(self, lang: str) -> str:
        # An instructor may write a title in one language only: show it rather than nothing.
        return (self.title_ko or self.title_en) if lang == "ko" else (self.title_en or self.title_ko)

    @property
    def takes_answers(self) -> bool:
        """Students answer questions in a form (answers.json) rather than uploading code."""
        return self.kind != AssignmentKind.CODE


class AssignmentVersion(models.Model):
    """One content hash of an assignment; its files live in the DB so any worker can rebuild it."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="versions")
    content_hash = models.CharField(max_length=64)
    manifest = models.JSONField()
    checks = models.JSONField(help_text="[{number, name, points, visibility, folder}]")
    max_score = models.FloatField()
    wall_seconds = models.FloatField(default=120.0)
    synced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-synced_at"]
        constraints = [models.UniqueConstraint(fields=["assignment", "content_hash"], name="one_row_per_hash")]

    def __str__(self) -> str:
        return f"{self.assignment.slug}@{self.content_hash[:12]}"


class AssignmentFile(models.Model):
    version = models.ForeignKey(AssignmentVersion, on_delete=models.CASCADE, related_name="files")
    path = models.CharField(max_length=300)
    blob = models.ForeignKey("blobs.Blob", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["path"]
        constraints = [models.UniqueConstraint(fields=["version", "path"], name="one_file_per_path")]


MAX_TIME_LIMIT_MINUTES = 7 * 24 * 60      # a week: longer is not timed work


class ScorePolicy(models.TextChoices):
    BEST = "best", _("best submission")
    LAST = "last", _("last submission")


# The earliest date an offering or extension takes (a typo's year 1 is before what the database reads back).
EARLIEST_DATE = datetime(1970, 1, 1, tzinfo=dt_timezone.utc)


class Offering(models.Model):
    """An assignment given in a course: its dates, late policy and submission limits."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="offerings")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="offerings")
    release_at = models.DateTimeField()
    due_at = models.DateTimeField()
    hard_cutoff_at = models.DateTimeField(null=True, blank=True,
                                          help_text="no submissions after this; blank = the due date")
    late_penalty_per_day = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0.1"),
                                               help_text="fraction of the score lost per started late day")
    max_submissions = models.PositiveIntegerField(null=True, blank=True, help_text="blank = no limit")
    cooldown_seconds = models.PositiveIntegerField(default=0)
    score_policy = models.CharField(max_length=4, choices=ScorePolicy.choices, default=ScorePolicy.BEST)
    published_at = models.DateTimeField(null=True, blank=True,
                                        help_text="when grades were published (after_published checks)")
    time_limit_minutes = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(MAX_TIME_LIMIT_MINUTES)],
        help_text="blank = untimed; else minutes from the student's start (never past the cutoff)")

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "assignment"], name="assignment_once_per_course")]

    def __str__(self) -> str:
        return f"{self.assignment.slug} in {self.course.slug}"

    def clean(self) -> None:
        early = {name: _("Choose a date after 1970.") for name in ("release_at", "due_at", "hard_cutoff_at")
                 if getattr(self, name) is not None and getattr(self, name) < EARLIEST_DATE}
        if early:           # year 1 in Seoul is 1 BC in UTC: PostgreSQL stores it, and no page can read it back
            raise ValidationError(early)
        if self.release_at and self.due_at and self.due_at < self.release_at:
            raise ValidationError({"due_at": "the due date is before the release date"})
        if self.hard_cutoff_at and self.due_at and self.hard_cutoff_at < self.due_at:
            raise ValidationError({"hard_cutoff_at": "the cutoff is before the due date"})
        # A negative penalty would pay late work more than on-time work (and more than the maximum).
        if self.late_penalty_per_day is not None and not 0 <= self.late_penalty_per_day <= 1:
            raise ValidationError({"late_penalty_per_day": _("The late penalty per day is between 0 and 1 (0.1 = 10%).")})

    @property
    def cutoff_at(self) -> datetime:
        return self.hard_cutoff_at or self.due_at

    def is_released(self, now: datetime | None = None) -> bool:
        return self.release_at <= (now or timezone.now())


class Extension(models.Model):
    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="extensions")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="extensions")
    due_at = models.DateTimeField()
    hard_cutoff_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["offering", "student"], name="one_extension_per_student")]

    @property
    def cutoff_at(self) -> datetime:
        return self.hard_cutoff_at or self.due_at


# Bounds of an accommodation, enforced by the form, the service (full_clean) and the database.
MAX_EXTRA_DAYS = 365
MAX_EXTRA_TIME_PERCENT = 400
MAX_EXTRA_ATTEMPTS = 100


class Accommodation(models.Model):
    """What one student gets in every offering of one course (see courses/policy.py for the rule)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="accommodations")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="accommodations")
    extra_days = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(MAX_EXTRA_DAYS)])
    extra_time_percent = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(MAX_EXTRA_TIME_PERCENT)])
    extra_attempts = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(MAX_EXTRA_ATTEMPTS)])
    note = models.CharField(max_length=500, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["student__username"]
        constraints = [
            models.UniqueConstraint(fields=["course", "student"], name="one_accommodation_per_student"),
            models.CheckConstraint(condition=Q(extra_days__lte=MAX_EXTRA_DAYS), name="accommodation_days_bounded"),
            models.CheckConstraint(condition=Q(extra_time_percent__lte=MAX_EXTRA_TIME_PERCENT),
                                   name="accommodation_percent_bounded"),
            models.CheckConstraint(condition=Q(extra_attempts__lte=MAX_EXTRA_ATTEMPTS),
                                   name="accommodation_attempts_bounded"),
        ]

    def __str__(self) -> str:
        return f"accommodation of {self.student} in {self.course.slug}"


class TimedStart(models.Model):
    """When a student started an offering's timed window; stored once, never moved."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="timed_starts")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="timed_starts")
    started_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["offering", "student"], name="one_start_per_student")]

    def __str__(self) -> str:
        return f"{self.student} started {self.offering} at {self.started_at:%Y-%m-%d %H:%M}"
