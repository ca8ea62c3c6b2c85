"""What grading found, kept for counting: diagnoses (named mistakes), behavioural fingerprints,
instructors' hints on a mistake and who saw them, and similarity reports with staff decisions."""
from __future__ import annotations

from django.conf import settings
from django.db import models


class Diagnosis(models.Model):
    """One named mistake in one check of one stored result (a fact about what a student believes)."""

    result = models.ForeignKey("submissions.Result", on_delete=models.CASCADE, related_name="diagnoses")
    submission = models.ForeignKey("submissions.Submission", on_delete=models.CASCADE, related_name="diagnoses")
    offering = models.ForeignKey("courses.Offering", on_delete=models.CASCADE, related_name="diagnoses")
    version = models.ForeignKey("courses.AssignmentVersion", on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField(help_text="the attempt's number (copied for aggregation)")
    submitted_at = models.DateTimeField(help_text="the attempt's time (copied for the timeline)")
    mistake = models.CharField(max_length=120, help_text="stable id, e.g. attention/no-scale")
    check_key = models.CharField(max_length=200)
    check_name = models.CharField(max_length=300, blank=True)
    points_lost = models.FloatField(default=0.0)
    text_ko = models.TextField(blank=True)
    text_en = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["result", "check_key", "mistake"],
                                               name="one_diagnosis_per_check_and_mistake")]
        indexes = [models.Index(fields=["offering", "mistake"]), models.Index(fields=["offering", "student", "number"])]

    def __str__(self) -> str:
        return f"{self.mistake} in {self.check_key} (result {self.result_id})"


class Fingerprint(models.Model):
    """A submission's behaviour on the checks, kept so later terms can be compared with it.

    Features are short hashes: `mistakes` (ids), `outputs` (wrong outputs as the engine hashed them,
    to the tolerance, with the check's report beside each), `wrong` (reports of failed checks without
    such hashes, numbers rounded to a tolerance), `errors` (exception texts). `evidence` maps each
    report and exception hash to the text it came from, for showing side by side.
    """

    submission = models.OneToOneField("submissions.Submission", on_delete=models.CASCADE, related_name="fingerprint")
    result = models.ForeignKey("submissions.Result", on_delete=models.CASCADE, related_name="+")
    assignment = models.ForeignKey("courses.Assignment", on_delete=models.CASCADE, related_name="+")
    mistakes = models.JSONField(default=list)
    wrong = models.JSONField(default=list)
    outputs = models.JSONField(default=list, help_text="wrong outputs: [{check, what, hashes: [hash, alt], report}]")
    errors = models.JSONField(default=list)
    evidence = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["assignment"])]


class Hint(models.Model):
    """An instructor's note on one mistake, shown to every student whose result shows it."""

    offering = models.ForeignKey("courses.Offering", on_delete=models.CASCADE, related_name="hints")
    mistake = models.CharField(max_length=120)
    text_ko = models.TextField(max_length=4000)
    text_en = models.TextField(max_length=4000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        ordering = ["-released_at", "-id"]
        indexes = [models.Index(fields=["offering", "mistake"])]

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


class HintView(models.Model):
    """The first time a student saw a hint (on which attempt)."""

    hint = models.ForeignKey(Hint, on_delete=models.CASCADE, related_name="views")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    submission = models.ForeignKey("submissions.Submission", on_delete=models.CASCADE, related_name="+")
    first_seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hint", "student"], name="one_view_per_student")]


class RunStatus(models.TextChoices):
    QUEUED = "queued", "queued"
    RUNNING = "running", "running"
    DONE = "done", "done"
    FAILED = "failed", "failed"


class SimilarityRun(models.Model):
    """One pairwise similarity report over an offering (and earlier offerings of its assignment)."""

    offering = models.ForeignKey("courses.Offering", on_delete=models.CASCADE, related_name="similarity_runs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    earlier_terms = models.BooleanField(default=True)
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    @property
    def percent(self) -> int:
        return 100 if self.status == RunStatus.DONE else int(100 * self.done / self.total) if self.total else 0


class Decision(models.TextChoices):
    OPEN = "", "open"
    DISMISSED = "dismissed", "dismissed"
    REFERRED = "referred", "referred"


class SimilarityPair(models.Model):
    run = models.ForeignKey(SimilarityRun, on_delete=models.CASCADE, related_name="pairs")
    first = models.ForeignKey("submissions.Submission", on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey("submissions.Submission", on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveIntegerField()
    score = models.FloatField()
    source = models.FloatField(help_text="copydetect overlap after normalisation, 0..1")
    behaviour = models.FloatField(help_text="rarity-weighted shared wrong behaviour, 0..1")
    evidence = models.JSONField(default=dict)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.OPEN, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["rank"]
        constraints = [models.UniqueConstraint(fields=["run", "first", "second"], name="one_pair_per_run")]

    @property
    def wrong_count(self) -> int:
        """Wrong outputs the two share: hashed outputs, and reports of results graded before the hashes."""
        evidence = self.evidence if isinstance(self.evidence, dict) else {}
        return len(evidence.get("outputs") or []) + len(evidence.get("wrong") or [])
