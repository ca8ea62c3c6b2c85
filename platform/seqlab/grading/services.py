"""Grade one delivery of one run: release an earlier claim if asked, claim, grade, store."""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from seqlab.grading import heartbeat
from seqlab.grading.faults import InfrastructureFault, result_fault
from seqlab.core import pagecache
from seqlab.submissions.models import Status, Submission


@dataclass
class Delivery:
    """What this delivery did so far, so a retry knows whether it holds a claim to release."""
    submission_id: int
    run: int
    worker: str
    claimed: bool = False


def run_release(*, submission_id: int, run: int, worker: str, error: str) -> bool:
    """Put back in the queue a run this worker claimed and could not finish (no other's claim)."""
    with pagecache.owned_by(Submission.student_of(submission_id)):
        return Submission.objects.filter(pk=submission_id, run=run, status=Status.RUNNING, worker=worker[:200]).update(
            status=Status.QUEUED, queued_at=timezone.now(), error=error[:2000]) == 1


def run_grade(delivery: Delivery, *, release: str = "", error: str = ""):
    """Claim the run, grade it on the warm engine, store the result; None if not ours to grade.

    `release` names the worker whose claim an earlier delivery left behind (it failed while the
    database was down, or the host failed the grading): that claim is given back first.
    Raises for every infrastructure fault; the student is charged only for a stored result.
    """
    from seqlab.grading import runner
    from seqlab.submissions.services import result_store, submission_claim, submission_job

    if release:
        run_release(submission_id=delivery.submission_id, run=delivery.run, worker=release, error=error)
    if not submission_claim(submission_id=delivery.submission_id, run=delivery.run, worker=delivery.worker):
        return None
    delivery.claimed = True
    heartbeat.set_running(heartbeat.run_key(delivery.submission_id, delivery.run))
    try:
        submission = Submission.objects.select_related("blob", "version__assignment", "offering__course").get(
            pk=delivery.submission_id)
        result = runner.grade(submission_job(submission=submission))
        fault = result_fault(result)
        if fault:
            runner.engine_close()          # the next try gets a fresh zygote and sandbox
            raise InfrastructureFault(fault)
        return result_store(submission=submission, run=delivery.run, result=result)
    finally:
        heartbeat.set_running("")
