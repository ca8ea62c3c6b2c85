"""Writes for courses: sync assignment folders into versions, manage offerings, extensions,
accommodations and the start of timed work."""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from graders.assignment import load_assignment
from graders.quiz import grade_answers
from seqlab.blobs.services import blob_bytes, blob_store
from seqlab.courses.models import (Accommodation, Assignment, AssignmentFile, AssignmentVersion, Course,
                                   Extension, Membership, Offering, Role, TimedStart)
from seqlab.courses.policy import days_late, due_dates, student_policy
from seqlab.core.audit import audit_record

COMPLETE_MARK = ".seqlab-complete"


@dataclass(frozen=True)
class SyncOutcome:
    assignment: Assignment
    version: AssignmentVersion
    created: bool              # a new content hash was stored
    checks_changed: bool       # points/visibility/names differ from the previous version


def _folder_files(path: Path, solution: Path) -> dict[str, bytes]:
    files = {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*"))
             if p.is_file() and "__pycache__" not in p.parts}
    # A solution kept in reference/ travels with the version, so a worker needs no checkout of it.
    # (Quizzes and written parts have none: their answers are in assignment.toml.)
    if solution.is_file() and not solution.is_relative_to(path):
        files[f"solution/{solution.name}"] = solution.read_bytes()
    return files


def _check_table(loaded) -> list[dict]:
    if loaded.kind != "code":
        # A question is graded as one check; the engine names and numbers it, so ask the engine.
        return [{"number": t.number, "name": t.name, "points": t.max_score, "visibility": t.visibility,
                 "folder": "questions"} for t in grade_answers(loaded.questions, {})]
    return [{"number": c.number, "name": c.spec.name, "points": c.spec.points,
             "visibility": c.spec.visibility, "folder": c.folder} for c in loaded.checks()]


@transaction.atomic
def assignment_sync(*, path: Path) -> SyncOutcome:
    """Store the folder at `path` as a version (once per content hash) and make it current."""
    loaded = load_assignment(path)
    assignment, _ = Assignment.objects.select_for_update().get_or_create(
        slug=loaded.slug, defaults={"title_ko": loaded.title["ko"], "title_en": loaded.title["en"],
                                    "file": loaded.file, "kind": loaded.kind})
    previous = assignment.current_version
    version = AssignmentVersion.objects.filter(assignment=assignment, content_hash=loaded.content_hash).first()
    created = version is None
    if created:
        version = _version_create(assignment=assignment, loaded=loaded)
    assignment.title_ko, assignment.title_en = loaded.title["ko"], loaded.title["en"]
    assignment.file, assignment.queue, assignment.source = loaded.file, loaded.queue, str(path)
    assignment.kind = loaded.kind
    assignment.current_version = version
    assignment.save()
    changed = previous is not None and previous.checks != version.checks
    return SyncOutcome(assignment, version, created, changed)


def _version_create(*, assignment: Assignment, loaded) -> AssignmentVersion:
    checks = _check_table(loaded)
    version = AssignmentVersion.objects.create(
        assignment=assignment, content_hash=loaded.content_hash, manifest=loaded.manifest,
        checks=checks, max_score=sum(c["points"] for c in checks),
        wall_seconds=loaded.limits.wall_seconds)
    AssignmentFile.objects.bulk_create(
        AssignmentFile(version=version, path=rel, blob=blob_store(data=data))
        for rel, data in _folder_files(loaded.path, loaded.solution_path).items())
    return version


def assignments_sync_folder(*, root: Path) -> list[SyncOutcome]:
    """Sync `root` itself if it is an assignment, else every assignment folder inside it."""
    if (root / "assignment.toml").is_file():
        return [assignment_sync(path=root)]
    return [assignment_sync(path=p.parent) for p in sorted(root.glob("*/assignment.toml"))]


def assignment_version_materialize(*, version: AssignmentVersion, cache_dir: Path) -> Path:
    """Write the version's files under cache_dir/<slug>-<hash>/ once; reuse it afterwards."""
    target = cache_dir / f"{version.assignment.slug}-{version.content_hash}"
    if (target / COMPLETE_MARK).is_file():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=cache_dir))
    for file in version.files.select_related("blob"):
        dest = staging / file.path
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(blob_bytes(blob=file.blob))
    (staging / COMPLETE_MARK).write_text(version.content_hash)
    try:
        os.rename(staging, target)      # atomic: another worker process may race us here
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def course_create(*, slug: str, title_ko: str, title_en: str, term: str) -> Course:
    """Create a course (an admin's or a setup script's job)."""
    return Course.objects.create(slug=slug, title_ko=title_ko, title_en=title_en, term=term)


def membership_set(*, course: Course, user, role: Role | str) -> Membership:
    """Give `user` exactly one role in `course`."""
    membership, _ = Membership.objects.update_or_create(course=course, user=user, defaults={"role": role})
    return membership


@transaction.atomic
def offering_save(*, actor, course: Course, assignment: Assignment, offering: Offering | None = None,
                  **fields) -> Offering:
    """Create or change an offering's dates and policies, validated and audited."""
    before = _offering_snapshot(offering) if offering else None
    if offering is None:            # fair use by default: a new offering gets the site's cool-down
        fields.setdefault("cooldown_seconds", settings.SEQLAB_DEFAULT_COOLDOWN_SECONDS)
    offering = offering or Offering(course=course, assignment=assignment)
    for name, value in fields.items():
        setattr(offering, name, value)
    offering.full_clean()
    offering.save()
    audit_record(course=course, actor=actor, action="offering.save", subject=str(offering), offering=offering,
                 before=before, after=_offering_snapshot(offering))
    if before and before["due_at"] != _plain(offering.due_at):
        offering_late_days_refresh(offering=offering)
    return offering


def offering_late_days_refresh(*, offering: Offering) -> int:
    """Recount the late days of every attempt after the offering's due date moved (for the whole class, so
    for each student by the dates that apply to them); returns rows changed."""
    from seqlab.submissions.models import Submission
    due_at, own = due_dates(offering=offering)
    moved: dict[int, list[int]] = {}
    for sub_id, student_id, submitted_at, late in Submission.objects.filter(offering=offering).values_list(
            "id", "student_id", "submitted_at", "late_days"):
        now_late = days_late(at=submitted_at, due_at=own.get(student_id, due_at))
        if now_late != late:
            moved.setdefault(now_late, []).append(sub_id)
    return sum(Submission.objects.filter(pk__in=ids).update(late_days=n) for n, ids in moved.items())


def _offering_snapshot(offering: Offering) -> dict:
    keys = ("release_at", "due_at", "hard_cutoff_at", "late_penalty_per_day", "max_submissions",
            "cooldown_seconds", "score_policy", "published_at", "time_limit_minutes")
    return {k: _plain(getattr(offering, k)) for k in keys}


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return value if value is None or isinstance(value, (int, float, str)) else str(value)


@transaction.atomic
def extension_grant(*, actor, offering: Offering, student, due_at: datetime,
                    hard_cutoff_at: datetime | None = None, reason: str = "") -> Extension:
    """Give one student a later due date (and cutoff) for one offering, audited."""
    existing = Extension.objects.filter(offering=offering, student=student).first()
    before = {"due_at": _plain(existing.due_at), "hard_cutoff_at": _plain(existing.hard_cutoff_at)} if existing else None
    extension, _ = Extension.objects.update_or_create(
        offering=offering, student=student,
        defaults={"due_at": due_at, "hard_cutoff_at": hard_cutoff_at, "reason": reason, "granted_by": actor})
    audit_record(course=offering.course, actor=actor, action="extension.grant",
                 subject=f"{offering} for {student}", before=before, comment=reason, offering=offering, student=student,
                 after={"due_at": _plain(due_at), "hard_cutoff_at": _plain(hard_cutoff_at)})
    late_days_refresh(student=student, offerings=[offering])
    return extension


def late_days_refresh(*, student, offerings) -> int:
    """Recount the late days of the student's attempts after their dates moved; returns rows changed.

    An accommodation or extension granted after the work was handed in (papers often come late)
    applies to it too: the late penalty follows the dates that apply now."""
    from seqlab.submissions.models import Submission
    changed = 0
    for offering in offerings:
        policy = student_policy(offering=offering, student=student)
        for sub_id, submitted_at, late in Submission.objects.filter(offering=offering, student=student).values_list(
                "id", "submitted_at", "late_days"):
            if policy.late_days(submitted_at) != late:
                changed += Submission.objects.filter(pk=sub_id).update(late_days=policy.late_days(submitted_at))
    return changed


class AccommodationRefused(ValueError):
    """The accommodation cannot be set as asked; the message says why (shown to the instructor)."""


ACCOMMODATION_FIELDS = ("extra_days", "extra_time_percent", "extra_attempts", "note")


def _accommodation_snapshot(accommodation: Accommodation | None) -> dict | None:
    return {k: getattr(accommodation, k) for k in ACCOMMODATION_FIELDS} if accommodation else None


@transaction.atomic
def accommodation_set(*, actor, course: Course, student, extra_days: int = 0, extra_time_percent: int = 0,
                      extra_attempts: int = 0, note: str = "") -> Accommodation:
    """Create or change a student's accommodation in the course, within its bounds, audited."""
    if not Membership.objects.filter(course=course, user=student, role=Role.STUDENT).exists():
        raise AccommodationRefused(_("Accommodations are for students of this course."))
    existing = Accommodation.objects.select_for_update().filter(course=course, student=student).first()
    before = _accommodation_snapshot(existing)
    accommodation = existing or Accommodation(course=course, student=student)
    accommodation.extra_days, accommodation.extra_time_percent = extra_days, extra_time_percent
    accommodation.extra_attempts, accommodation.note, accommodation.updated_by = extra_attempts, note, actor
    try:
        accommodation.full_clean()
    except ValidationError as invalid:
        raise AccommodationRefused("; ".join(invalid.messages)) from None
    accommodation.save()
    audit_record(course=course, actor=actor, action="accommodation.set", subject=f"{student.username} in {course.slug}",
                 before=before, after=_accommodation_snapshot(accommodation), comment=note)
    late_days_refresh(student=student, offerings=course.offerings.all())
    return accommodation


@transaction.atomic
def accommodation_remove(*, actor, course: Course, student) -> bool:
    """Remove a student's accommodation, audited; False if there was none."""
    existing = Accommodation.objects.select_for_update().filter(course=course, student=student).first()
    if existing is None:
        return False
    before = _accommodation_snapshot(existing)
    existing.delete()
    audit_record(course=course, actor=actor, action="accommodation.remove",
                 subject=f"{student.username} in {course.slug}", before=before, after=None)
    late_days_refresh(student=student, offerings=course.offerings.all())
    return True


class TimedStartRefused(ValueError):
    """The timed window cannot start; the message says why (shown to the student)."""


@transaction.atomic
def timed_start(*, student, offering: Offering, now: datetime | None = None) -> TimedStart:
    """Start the student's timed window, once: a second start returns the first, unchanged."""
    now = now or timezone.now()
    if not Membership.objects.filter(course=offering.course, user=student, role=Role.STUDENT).exists():
        raise TimedStartRefused(_("Only students of this course start timed work."))
    if not offering.time_limit_minutes:
        raise TimedStartRefused(_("This assignment is not timed."))
    if not offering.is_released(now):
        raise TimedStartRefused(_("This assignment is not open yet."))
    existing = TimedStart.objects.filter(offering=offering, student=student).first()
    if existing is not None:
        return existing
    if now >= student_policy(offering=offering, student=student, now=now).cutoff_at:
        raise TimedStartRefused(_("The submission deadline has passed."))
    start, created = TimedStart.objects.get_or_create(offering=offering, student=student,
                                                      defaults={"started_at": now})
    if created:
        audit_record(course=offering.course, actor=student, action="timed.start",
                     subject=f"{offering} by {student.username}", after={"started_at": _plain(now)})
    return start
