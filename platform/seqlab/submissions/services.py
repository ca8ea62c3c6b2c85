"""Writes for submissions: accept an attempt, queue it once committed, store what grading found."""
from __future__ import annotations

import json
import math
from functools import lru_cache
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from graders.assignment import load_assignment
from graders.contracts import Job
from graders.contracts import Result as EngineResult
from seqlab.blobs.services import blob_store
from seqlab.core import pagecache
from seqlab.core.audit import audit_record
from seqlab.core.queueing import grading_enqueue, grading_enqueue_on_commit
from seqlab.courses.models import Offering, Role
from seqlab.courses.policy import StudentPolicy, student_policy
from seqlab.courses.selectors import course_role, questions_of
from seqlab.courses.services import assignment_version_materialize
from seqlab.grading import runner
from seqlab.submissions.answers import answers_check
from seqlab.insight.services import result_stored as insight_result_stored
from seqlab.submissions.models import Artifact, Kind, Result, Status, Submission
from seqlab.submissions.uploads import Expected, SubmissionRefused, UploadFile, bundle, upload_check

ANSWERS_FILE = "answers.json"        # what a quiz or a written part takes (graders/quiz.py)


def _counted(offering: Offering, student):
    # Neither an unusable upload nor one the infrastructure failed to grade uses an attempt.
    return Submission.objects.filter(offering=offering, student=student).exclude(
        status__in=[Status.REJECTED, Status.ERROR])


def _refuse_unless_open(*, student, offering: Offering, now) -> StudentPolicy:
    """Refuse outside the student's dates (courses/policy.py) and, for timed work, outside the window."""
    if course_role(user=student, course=offering.course) != Role.STUDENT:
        raise SubmissionRefused("not_student", _("Only students of this course can submit."))
    if not offering.is_released(now):
        raise SubmissionRefused("not_released", _("This assignment is not open yet."))
    policy = student_policy(offering=offering, student=student, now=now)
    if now > policy.cutoff_at:
        raise SubmissionRefused("closed", _("The submission deadline has passed."))
    if policy.timed and policy.started_at is None:
        raise SubmissionRefused("not_started", _("This assignment is timed: start it on its page first."))
    if not policy.accepts(now):
        raise SubmissionRefused("time_up", _("Your time for this assignment ended at %(when)s.")
                                % {"when": timezone.localtime(policy.window_ends_at).strftime("%Y-%m-%d %H:%M")})
    return policy


def _refuse_over_fair_use(*, student, offering: Offering, now, policy: StudentPolicy) -> None:
    """Attempts left, work already waiting, and the cool-down (docs/security.md: fair use)."""
    counted = _counted(offering, student)
    allowed = policy.attempts_allowed
    if allowed is not None and counted.count() >= allowed:
        raise SubmissionRefused("limit", _("You have used all %(n)d submissions.") % {"n": allowed})
    last = counted.aggregate(last=Max("submitted_at"))["last"]
    if last and offering.cooldown_seconds and now < last + timedelta(seconds=offering.cooldown_seconds):
        wait = math.ceil((last + timedelta(seconds=offering.cooldown_seconds) - now).total_seconds())
        raise SubmissionRefused("cooldown", _("Wait %(s)d seconds before submitting again.") % {"s": wait})
    cap = settings.SEQLAB_MAX_PENDING_PER_STUDENT
    if counted.filter(status__in=[Status.QUEUED, Status.RUNNING]).count() >= cap:
        raise SubmissionRefused("pending", _("%(n)d of your submissions are still waiting to be graded; "
                                             "submit again once one has finished.") % {"n": cap})


def _enqueue_on_commit(submission: Submission) -> None:
    grading_enqueue_on_commit(submission_id=submission.id, run=submission.run,
                              queue=submission.offering.assignment.queue)


def _checked_upload(*, offering: Offering, files: list[UploadFile]) -> UploadFile:
    """The one upload to store, refused (SubmissionRefused) if the engine could not grade it."""
    assignment = offering.assignment
    if assignment.takes_answers:
        if len(files) != 1 or files[0].name != ANSWERS_FILE:
            raise SubmissionRefused("file_type", _("This assignment takes answers (the form on its page), not files."))
        answers_check(files[0].content, questions=questions_of(version=assignment.current_version))
        return files[0]
    loaded = engine_assignment(version=assignment.current_version)
    upload = bundle(files, expected=Expected.of(loaded))
    upload_check(upload, assignment=loaded)
    return upload


def engine_assignment(*, version):
    """The engine's view of an assignment version, as a worker loads it (files from the database)."""
    folder = assignment_version_materialize(version=version, cache_dir=settings.SEQLAB_CACHE_DIR)
    return _load_assignment_cached(str(folder))


@lru_cache(maxsize=64)
def _load_assignment_cached(folder: str):
    return load_assignment(folder)      # one folder per content hash: its manifest never changes


def submission_create(*, student, offering: Offering, filename: str, content: bytes,
                      kind: str = Kind.UPLOAD) -> Submission:
    """Submit one file (see submission_create_files)."""
    return submission_create_files(student=student, offering=offering, files=[UploadFile(filename, content)],
                                   kind=kind)


def submission_create_files(*, student, offering: Offering, files: list[UploadFile],
                            kind: str = Kind.UPLOAD) -> Submission:
    """Check the files as the engine would, store them (several as one zip), record the attempt,
    and queue grading only once the row is committed. A refusal stores nothing."""
    offering = Offering.objects.select_related("course", "assignment__current_version").get(pk=offering.pk)
    _refuse_unless_open(student=student, offering=offering, now=timezone.now())
    upload = _checked_upload(offering=offering, files=files)
    return _submission_store(student=student, offering=offering, upload=upload, kind=kind)


@transaction.atomic
def _submission_store(*, student, offering: Offering, upload: UploadFile, kind: str) -> Submission:
    now = timezone.now()
    # The lock makes the attempt number, the limits and the cool-down hold under concurrent submits.
    offering = Offering.objects.select_for_update().select_related("course", "assignment").get(pk=offering.pk)
    policy = _refuse_unless_open(student=student, offering=offering, now=now)
    _refuse_over_fair_use(student=student, offering=offering, now=now, policy=policy)
    version = offering.assignment.current_version
    number = (Submission.objects.filter(offering=offering, student=student)
              .aggregate(n=Max("number"))["n"] or 0) + 1
    with pagecache.owned_by(student.pk):
        submission = Submission.objects.create(
            offering=offering, student=student, number=number, blob=blob_store(data=upload.content),
            filename=upload.name, kind=kind, version=version, submitted_at=now, queued_at=now,
            late_days=policy.late_days(now))
    _enqueue_on_commit(submission)
    return submission


def submission_create_answers(*, student, offering: Offering, answers: dict[str, Any]) -> Submission:
    """Submit a quiz's or written part's answers as answers.json, by the same path as code."""
    content = json.dumps(answers, ensure_ascii=False, indent=1).encode("utf-8")
    return submission_create(student=student, offering=offering, filename=ANSWERS_FILE, content=content,
                             kind=Kind.ANSWERS)


def submission_claim(*, submission_id: int, run: int, worker: str) -> bool:
    """Move a queued run to running; False if another delivery of the task already did."""
    with pagecache.owned_by(Submission.student_of(submission_id)):
        claimed = Submission.objects.filter(pk=submission_id, run=run, status=Status.QUEUED).update(
            status=Status.RUNNING, started_at=timezone.now(), worker=worker[:200], tries=F("tries") + 1)
    return claimed == 1


def submission_release(*, submission_id: int, run: int, error: str) -> None:
    """Put a running run back in the queue after an infrastructure fault (a retry follows)."""
    with pagecache.owned_by(Submission.student_of(submission_id)):
        Submission.objects.filter(pk=submission_id, run=run, status=Status.RUNNING).update(
            status=Status.QUEUED, queued_at=timezone.now(), error=error[:2000])


def submission_fail(*, submission_id: int, run: int, error: str) -> None:
    """Give up on a run; any earlier result (and score) stays the current one."""
    with pagecache.owned_by(Submission.student_of(submission_id)):
        Submission.objects.filter(pk=submission_id, run=run, status__in=[Status.QUEUED, Status.RUNNING]).update(
            status=Status.ERROR, finished_at=timezone.now(), error=error[:2000])


def result_store(*, submission: Submission, run: int, result: EngineResult) -> Result | None:
    """Save one run's result once; a second delivery of the same run stores nothing."""
    with pagecache.owned_by(submission.student_id):
        return _result_store(submission=submission, run=run, result=result)


@transaction.atomic
def _result_store(*, submission: Submission, run: int, result: EngineResult) -> Result | None:
    if Result.objects.filter(submission=submission, run=run).exists():
        return None
    data = result.to_json(with_artifacts=False)
    stored = Result.objects.create(
        submission=submission, run=run, version=submission.version, score=result.score,
        max_score=result.max_score, gradable=result.gradable, execution_time=result.execution_time,
        output=result.output, tests=data["tests"], format_errors=list(result.format_errors),
        stdout=result.stdout, extra=data["extra_data"], engine_version=result.engine_version,
        assignment_hash=result.assignment_hash, submission_sha256=result.submission_sha256)
    Artifact.objects.bulk_create(
        Artifact(result=stored, name=a.name, media_type=a.media_type, check_name=a.check, caption=a.caption[:500],
                 texts=a.i18n() if hasattr(a, "i18n") else {}, blob=blob_store(data=a.data),
                 blob_ko=_korean_blob(a))
        for a in result.artifacts)
    status = Status.GRADED if result.gradable else Status.REJECTED
    Submission.objects.filter(pk=submission.pk, run=run).update(
        status=status, finished_at=timezone.now(), current_result=stored, error="")
    insight_result_stored(result=stored)
    return stored


def _korean_blob(artifact):
    """The picture drawn in Korean (graders.contracts.Artifact.localized), when it differs from the English."""
    data = dict(getattr(artifact, "localized", ()) or ()).get("ko")
    return blob_store(data=data) if data and data != artifact.data else None


@transaction.atomic
def submission_regrade(*, actor, submission: Submission) -> Submission:
    """Grade this attempt again against the assignment's current version (a new run)."""
    submission = Submission.objects.select_for_update().select_related(
        "offering__assignment", "offering__course").get(pk=submission.pk)
    submission.run += 1
    submission.version = submission.offering.assignment.current_version
    submission.status, submission.queued_at = Status.QUEUED, timezone.now()
    submission.started_at = submission.finished_at = None
    with pagecache.owned_by(submission.student_id):
        submission.save()
    audit_record(course=submission.offering.course, actor=actor, action="submission.regrade", submission=submission,
                 subject=str(submission), after={"run": submission.run, "version": submission.version.content_hash})
    _enqueue_on_commit(submission)
    return submission


def submission_requeue_stuck(*, now=None) -> list[int]:
    """Send again every run that sat queued or running far longer than it should."""
    now = now or timezone.now()
    margin = timedelta(seconds=settings.SEQLAB_STUCK_AFTER_SECONDS)
    requeued = []
    pending = Submission.objects.filter(status__in=[Status.QUEUED, Status.RUNNING]).select_related(
        "version", "offering__assignment")
    for sub in pending:
        if sub.status == Status.QUEUED and sub.queued_at < now - margin:
            with pagecache.owned_by(sub.student_id):
                touched = Submission.objects.filter(pk=sub.pk, run=sub.run, status=Status.QUEUED).update(queued_at=now)
        elif sub.status == Status.RUNNING and sub.started_at < now - margin - timedelta(seconds=sub.version.wall_seconds):
            with pagecache.owned_by(sub.student_id):
                touched = Submission.objects.filter(pk=sub.pk, run=sub.run, status=Status.RUNNING).update(
                    status=Status.QUEUED, queued_at=now, error="re-queued: the worker stopped answering")
        else:
            continue
        if touched:
            grading_enqueue(submission_id=sub.pk, run=sub.run, queue=sub.offering.assignment.queue)
            requeued.append(sub.pk)
    return requeued


def submission_grade(*, submission_id: int, run: int, worker: str) -> Result | None:
    """Claim the run, rebuild its assignment version locally, grade it, store the result.

    Returns None when another delivery already claimed or finished this run. Any exception
    is an infrastructure fault (the engine turns student faults into results).
    """
    if not submission_claim(submission_id=submission_id, run=run, worker=worker):
        return None
    submission = Submission.objects.select_related("blob", "version__assignment", "offering__course").get(
        pk=submission_id)
    return result_store(submission=submission, run=run, result=runner.grade(submission_job(submission=submission)))


def submission_job(*, submission: Submission) -> Job:
    """The engine's job for an attempt: its assignment version, rebuilt locally, and its bytes.

    The offering is mixed into the hidden inputs' seed (with the deployment secret), so another
    term's offering of the same assignment draws other inputs."""
    folder = assignment_version_materialize(version=submission.version, cache_dir=settings.SEQLAB_CACHE_DIR)
    course = submission.offering.course
    return Job(assignment_dir=str(folder), filename=submission.filename, content=bytes(submission.blob.data),
               seed_context=f"{course.slug}/{course.term}/offering-{submission.offering_id}")
