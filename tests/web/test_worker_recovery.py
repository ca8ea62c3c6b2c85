"""Stuck-work detection re-sends only what is really lost, soon, from its own queue."""
import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from seqlab.config.celery import app as celery_app
from seqlab.grading import heartbeat, recovery
from seqlab.grading.workers import plan
from seqlab.submissions.models import Status, Submission
from seqlab.submissions.services import submission_create
from seqlab.submissions.tasks import sweep_stuck_submissions
from tests.web.services import require_postgres_and_redis

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_client(settings):
    require_postgres_and_redis(settings)
    client = heartbeat.redis_client()
    _purge(client)
    recovery._suspects.clear()
    settings.SEQLAB_LOST_CONFIRM_SECONDS = 1
    yield client
    _purge(client)


def _purge(client):
    with celery_app.connection_for_write() as conn:
        for queue in ("cpu", "gpu", "maintenance"):
            conn.default_channel.queue_purge(queue)
    for key in client.scan_iter(match=heartbeat.PREFIX + "*"):
        client.delete(key)


def _age(submission, seconds, **fields):
    then = timezone.now() - timedelta(seconds=seconds)
    Submission.objects.filter(pk=submission.pk).update(queued_at=then, started_at=then, **fields)


def _sweep_twice():
    """Two beats of the sweeper, the confirmation window apart."""
    first = sweep_stuck_submissions()
    time.sleep(1.1)
    return first + sweep_stuck_submissions()


def _waiting(client, queue="cpu"):
    return client.llen(queue)


def test_a_queued_run_whose_message_waits_in_the_broker_is_not_sent_again(redis_client, student, offering, solution_bytes):
    submission = submission_create(student=student, offering=offering, filename="adder.py", content=solution_bytes)
    assert _waiting(redis_client) == 1
    _age(submission, 3600)                       # a long backlog: it waited an hour, and still waits
    assert _sweep_twice() == 0
    assert _waiting(redis_client) == 1


def test_a_queued_run_whose_message_vanished_is_sent_again_within_seconds(redis_client, student, offering, solution_bytes):
    submission = submission_create(student=student, offering=offering, filename="adder.py", content=solution_bytes)
    redis_client.delete("cpu")                   # Redis restarted without the queue
    _age(submission, 20)
    assert _sweep_twice() == 1
    assert _waiting(redis_client) == 1
    assert _sweep_twice() == 0                   # found in the broker now: once is enough


def test_a_queued_run_held_by_a_live_worker_is_not_sent_again(redis_client, student, offering, solution_bytes):
    submission = submission_create(student=student, offering=offering, filename="adder.py", content=solution_bytes)
    redis_client.delete("cpu")                   # a worker took it (a retry waiting for its countdown)
    _beat(redis_client, "cpu0@host#77", held=[f"{submission.pk}:1"])
    _age(submission, 600)
    assert _sweep_twice() == 0


def test_a_claimed_run_whose_worker_stopped_beating_is_sent_again(redis_client, student, offering, solution_bytes):
    submission = submission_create(student=student, offering=offering, filename="adder.py", content=solution_bytes)
    redis_client.delete("cpu")
    Submission.objects.filter(pk=submission.pk).update(status=Status.RUNNING, worker="cpu0@gone#12")
    _age(submission, 20)
    assert _sweep_twice() == 1
    submission.refresh_from_db()
    assert submission.status == Status.QUEUED and "cpu0@gone#12" in submission.error
    assert _waiting(redis_client) == 1


def test_a_long_grading_by_a_live_worker_is_left_alone(redis_client, student, offering, solution_bytes):
    submission = submission_create(student=student, offering=offering, filename="adder.py", content=solution_bytes)
    redis_client.delete("cpu")
    Submission.objects.filter(pk=submission.pk).update(status=Status.RUNNING, worker="cpu0@host#5")
    _beat(redis_client, "cpu0@host#5", running=f"{submission.pk}:1")
    _age(submission, 3600)
    assert _sweep_twice() == 0
    assert Submission.objects.get(pk=submission.pk).status == Status.RUNNING


def test_a_run_that_looks_lost_once_is_not_sent_before_it_is_confirmed(redis_client, settings, student, offering,
                                                                        solution_bytes):
    settings.SEQLAB_LOST_CONFIRM_SECONDS = 30
    submission = submission_create(student=student, offering=offering, filename="adder.py", content=solution_bytes)
    redis_client.delete("cpu")
    _age(submission, 60)
    assert sweep_stuck_submissions() == 0 and sweep_stuck_submissions() == 0
    assert recovery.sweep(now=time.time() + 31) == [submission.pk]


def _beat(client, identity, *, running="", held=()):
    payload = {"identity": identity, "host": identity.split("#")[0], "pid": 1, "role": "grading",
               "running": running, "held": list(held), "at": time.time()}
    client.set(heartbeat.PREFIX + identity, json.dumps(payload), ex=60)


def test_the_sweeper_runs_often_on_its_own_queue_and_process(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-stuck-submissions"]
    assert entry["options"]["queue"] == "maintenance" and entry["schedule"] <= 10
    assert entry["options"]["expires"] <= entry["schedule"]      # a backlog of sweeps is never worked off
    specs = plan(queues="cpu", processes=2, gpus=[], maintenance=True)
    sweeper = [s for s in specs if s.queues == "maintenance"]
    assert len(sweeper) == 1 and sweeper[0].env["SEQLAB_WORKER_ROLE"] == "maintenance"
    assert all("maintenance" not in s.queues.split(",") for s in specs if s is not sweeper[0])
