"""A real Celery worker process grades through Redis and the shared PostgreSQL database."""
import pytest

from seqlab.config.celery import app as celery_app
from seqlab.submissions.models import Result, Status, Submission
from seqlab.submissions.services import submission_create
from tests.web.services import WorkerProcess, database_url, require_postgres_and_redis, wait_for

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(settings, tmp_path):
    broker = require_postgres_and_redis(settings)
    with celery_app.connection_for_write() as conn:     # stale messages from other runs
        for queue in ("cpu", "gpu"):
            conn.default_channel.queue_purge(queue)
    proc = WorkerProcess({
        "DJANGO_SETTINGS_MODULE": "seqlab.config.settings.test", "DATABASE_URL": database_url(),
        "SEQLAB_TEST_BROKER_URL": broker, "SEQLAB_ENGINE": "tests.web.fake_engine.FakeEngine",
        "SEQLAB_CACHE_DIR": str(tmp_path / "worker-cache"), "SEQLAB_GRADE_RETRIES": "1",
    })
    proc.wait_ready()
    yield proc
    proc.stop()


def _status(submission):
    return Submission.objects.values_list("status", flat=True).get(pk=submission.pk)


def test_worker_grades_a_committed_submission_through_redis(worker, student, offering, solution_bytes):
    submission = submission_create(student=student, offering=offering, filename="adder.py", content=solution_bytes)
    wait_for(lambda: _status(submission) == Status.GRADED, 60, "graded", lambda: worker.log)
    submission.refresh_from_db()
    assert submission.current_result.score == 6
    assert submission.worker.startswith("test@")
    assert (submission.version.files.count() > 0) and "succeeded" in worker.log


def test_infrastructure_fault_is_retried_then_marked_without_a_result(worker, student, offering):
    submission = submission_create(student=student, offering=offering, filename="adder.py",
                                   content=b"# INFRA-FAULT\n")
    wait_for(lambda: _status(submission) == Status.ERROR, 60, "error after retries", lambda: worker.log)
    submission.refresh_from_db()
    assert submission.tries == 2 and "sandbox host unreachable" in submission.error
    assert not Result.objects.filter(submission=submission).exists()
