"""Attempts, the grading results they earned, and the pictures that came with them."""
from __future__ import annotations

from django.conf import settings
from django.db import models


class Status(models.TextChoices):
    QUEUED = "queued", "queued"
    RUNNING = "running", "running"
    GRADED = "graded", "graded"
    REJECTED = "rejected", "rejected"    # the upload was unusable: no attempt used
    ERROR = "error", "error"             # infrastructure failed after every retry


class Kind(models.TextChoices):
    UPLOAD = "upload", "upload"
    PASTE = "paste", "paste"
    NOTEBOOK = "notebook", "notebook"
    API = "api", "api"
    ANSWERS = "answers", "answers"      # a quiz's or written part's form, stored as answers.json


class Submission(models.Model):
    offering = models.ForeignKey("courses.Offering", on_delete=models.CASCADE, related_name="submissions")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions")
    number = models.PositiveIntegerField(help_text="1, 2, ... per student and offering")
    blob = models.ForeignKey("blobs.Blob", on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.UPLOAD)
    version = models.ForeignKey("courses.AssignmentVersion", on_delete=models.PROTECT, related_name="submissions")
    submitted_at = models.DateTimeField()
    late_days = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    run = models.PositiveIntegerField(default=1, help_text="grading run; a regrade starts the next")
    queued_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    tries = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    worker = models.CharField(max_length=200, blank=True)
    current_result = models.ForeignKey("Result", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["offering", "student", "number"], name="one_number_per_attempt")]
        indexes = [models.Index(fields=["offering", "student"])]

    def __str__(self) -> str:
        return f"#{self.number} by {self.student} for {self.offering}"

    @staticmethod
    def student_of(submission_id: int) -> int | None:
        """The student whose pages a change of this attempt changes (seqlab/core/pagecache.py)."""
        return Submission.objects.filter(pk=submission_id).values_list("student_id", flat=True).first()

    @property
    def is_pending(self) -> bool:
        return self.status in (Status.QUEUED, Status.RUNNING)


class Result(models.Model):
    """What one grading run of one attempt produced (Gradescope's results.json, minus pictures)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="results")
    run = models.PositiveIntegerField()
    version = models.ForeignKey("courses.AssignmentVersion", on_delete=models.PROTECT, related_name="+")
    score = models.FloatField()
    max_score = models.FloatField()
    gradable = models.BooleanField(default=True)
    execution_time = models.FloatField(default=0.0)
    output = models.TextField(blank=True)
    tests = models.JSONField(default=list)
    format_errors = models.JSONField(default=list)
    stdout = models.TextField(blank=True)
    extra = models.JSONField(default=dict, help_text="extra_data without artifacts")
    engine_version = models.CharField(max_length=40, blank=True)
    assignment_hash = models.CharField(max_length=64, blank=True)
    submission_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        # A task delivered twice finds this row and stops: one result per attempt and run.
        constraints = [models.UniqueConstraint(fields=["submission", "run"], name="one_result_per_run")]


class Artifact(models.Model):
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="artifacts")
    name = models.CharField(max_length=200)
    media_type = models.CharField(max_length=100)
    check_name = models.CharField(max_length=300, blank=True)
    caption = models.CharField(max_length=500, blank=True)
    # The engine's caption and text alternative in both languages: {"ko": {"caption", "alt"}, "en": {...}}.
    texts = models.JSONField(default=dict, blank=True)
    blob = models.ForeignKey("blobs.Blob", on_delete=models.PROTECT, related_name="+")
    # The picture drawn in Korean, when its drawn words differ from the English one's (`blob`).
    blob_ko = models.ForeignKey("blobs.Blob", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]

    def blob_in(self, lang: str):
        """The picture drawn in `lang`: the Korean drawing when there is one, else the English."""
        return self.blob_ko if lang == "ko" and self.blob_ko_id else self.blob

    def text_in(self, lang: str, field: str) -> str:
        """The caption or alt text in `lang` (the other language, then the old single caption, as fallbacks)."""
        texts = self.texts if isinstance(self.texts, dict) else {}
        for code in (lang, "en" if lang == "ko" else "ko"):
            found = texts.get(code, {}).get(field) if isinstance(texts.get(code), dict) else None
            if isinstance(found, str) and found:
                return found
        if field == "alt":                  # no words for the picture: its caption says what it shows
            return self.text_in(lang, "caption")
        return self.caption or self.name

    @property
    def is_image(self) -> bool:
        return self.media_type in {"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"}
