"""Faults against a real deployment, each ending with every submission graded once and correctly.

The stack (bench/stack.py) is this module's own: a fresh PostgreSQL cluster and Redis on their
own ports, gunicorn, the grading supervisor with two workers and the sweeper's process, beat,
the real engine. The tests kill and stop those, never a shared service.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import time
import urllib.error
import urllib.request

import pytest

from bench.stack import PG_BIN, REPO, Stack, cmdline, descendants, free_ports
from tests.web.services import unavailable

pytestmark = [pytest.mark.services, pytest.mark.slow]

ADDER = REPO / "tests" / "web" / "files" / "assignments" / "adder"
SOLUTION = (ADDER / "solution" / "adder.py").read_text()
RECOVERED_WITHIN = 60


def slow_solution(tag: str, seconds: float = 2.0) -> str:
    """A correct adder that takes a while to import: long enough to be caught mid-grade."""
    return f"# {tag}\nimport time\ntime.sleep({seconds})\n{SOLUTION}"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if PG_BIN is None or not shutil.which("redis-server"):
        unavailable("the fault tests start their own PostgreSQL (initdb) and redis-server")
    ports = free_ports(int(os.environ.get("SEQLAB_FAULT_PORT_BASE", "16510")), 3)
    root = tmp_path_factory.mktemp("fault-stack")
    s = Stack(root, ports=ports, extra_env={"SEQLAB_HEARTBEAT_EVERY": "1", "SEQLAB_HEARTBEAT_TTL": "6",
                                      "SEQLAB_SWEEP_EVERY": "2", "SEQLAB_LOST_CONFIRM_SECONDS": "4"})
    try:
        s.seeded = s.start(assignment=ADDER, students=40)
        s.next_student = 0
        yield s
    finally:
        s.close()


def submit(stack, source: str) -> tuple[int, dict]:
    """POST one submission through the API as the next unused student; (HTTP status, body)."""
    token = stack.seeded["tokens"][stack.next_student]
    stack.next_student += 1
    body = json.dumps({"filename": "adder.py", "content": source}).encode()
    request = urllib.request.Request(f"{stack.url}/api/offerings/{stack.seeded['offering']}/submissions/", data=body,
                                     method="POST", headers={"Authorization": f"Token {token}",
                                                             "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {"retry_after": error.headers.get("Retry-After"), "body": error.read()[:300]}


def _rows(stack, ids):
    return stack.sql("select s.id, s.status, s.tries, r.score, r.max_score, "
                     "(select count(*) from submissions_result x where x.submission_id = s.id) "
                     "from submissions_submission s left join submissions_result r on r.id = s.current_result_id "
                     "where s.id = any(%s) order by s.id", list(ids))


def assert_all_graded_once_and_right(stack, ids, since: float, within: float = RECOVERED_WITHIN):
    deadline = since + within
    rows = []
    while time.monotonic() < deadline:
        try:
            rows = _rows(stack, ids)
        except Exception:          # the database may be coming back
            rows = []
        if len(rows) == len(ids) and all(r[1] == "graded" for r in rows):
            break
        time.sleep(0.5)
    assert len(rows) == len(ids) and all(r[1] == "graded" for r in rows), (
        f"not all graded {within} s after the fault: {rows}\n{stack.log('workers')}")
    assert all(r[5] == 1 for r in rows), f"graded twice: {rows}"
    assert all(r[3] == r[4] == 6 for r in rows), f"wrongly scored: {rows}\n{_outputs(stack, ids)}"


def _outputs(stack, ids) -> str:
    """What each wrongly scored attempt's checks said (for the failure message)."""
    rows = stack.sql("select s.id, r.tests from submissions_submission s join submissions_result r "
                     "on r.id = s.current_result_id where s.id = any(%s)", list(ids))
    return "\n".join(f"{sid}: {[(t.get('number'), t.get('score'), t.get('output', '')[:300]) for t in tests]}"
                     for sid, tests in rows)


def _busy_worker_pid(stack, submission_id: int, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = stack.sql("select status, worker from submissions_submission where id = %s", submission_id)
        if rows and rows[0][0] == "running" and "#" in rows[0][1]:
            return int(rows[0][1].rsplit("#", 1)[1])
        time.sleep(0.1)
    raise AssertionError(f"submission {submission_id} never started")


def test_a_worker_killed_mid_grade_costs_its_submission_one_more_grading(stack):
    status, sub = submit(stack, slow_solution("kill-worker", 3))
    assert status == 201
    others = [submit(stack, slow_solution(f"kill-worker-{i}", 0.5))[1]["id"] for i in range(3)]
    os.kill(_busy_worker_pid(stack, sub["id"]), signal.SIGKILL)
    killed_at = time.monotonic()
    assert_all_graded_once_and_right(stack, [sub["id"], *others], killed_at)


def test_queued_work_survives_a_redis_restart(stack):
    ids = [submit(stack, slow_solution(f"redis-{i}", 1.5))[1]["id"] for i in range(6)]
    time.sleep(1)                  # two grading, four waiting in Redis
    stack.redis_stop()
    stack.redis_start()            # empty: the waiting messages are gone
    restarted_at = time.monotonic()
    assert_all_graded_once_and_right(stack, ids, restarted_at)


def test_a_database_blip_costs_a_503_and_loses_nothing(stack):
    ids = [submit(stack, slow_solution(f"db-{i}", 1.5))[1]["id"] for i in range(4)]
    time.sleep(1)
    stack.postgres_stop("fast")
    try:
        time.sleep(2)
        status, body = submit(stack, SOLUTION)
        assert status == 503 and int(body["retry_after"]) > 0, body
        time.sleep(4)
    finally:
        stack.postgres_start()
    back_at = time.monotonic()
    status, late = submit(stack, slow_solution("db-after", 0.5))
    assert status == 201
    assert_all_graded_once_and_right(stack, [*ids, late["id"]], back_at)






def test_a_sandbox_killed_from_outside_is_graded_again_with_full_marks(stack):
    status, sub = submit(stack, slow_solution("sandbox-kill", 4))
    worker = _busy_worker_pid(stack, sub["id"])
    zygotes = [p for p in descendants(worker) if "graders.sandbox.zygote" in cmdline(p)]
    assert zygotes, "the worker has no zygote"
    deadline = time.monotonic() + 10
    sandboxes = []
    while not sandboxes and time.monotonic() < deadline:
        sandboxes = descendants(zygotes[0])
        time.sleep(0.05)
    assert sandboxes, "no sandbox under the zygote"
    for pid in sandboxes:          # as the host's OOM killer or an operator would
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert_all_graded_once_and_right(stack, [sub["id"]], time.monotonic())


def _engine_retries_outside_kills() -> bool:
    """The engine tells an outside kill mid-check from the student's crash (graders.engine)."""
    import graders.engine
    return hasattr(graders.engine, "InfrastructureFault")


@pytest.mark.skipif(not _engine_retries_outside_kills(), reason="this engine charges an outside kill mid-check "
                    "to the student (it has no InfrastructureFault)")
def test_a_sandbox_killed_from_outside_mid_check_is_never_charged(stack):
    slow_calls = f"import time\n\ndef add(a, b):\n    time.sleep(1.0)\n    return a + b\n# mid-check\n"
    status, sub = submit(stack, slow_calls)
    worker = _busy_worker_pid(stack, sub["id"])
    time.sleep(1.5)                # the module is loaded; a check is calling add()
    zygote = next(p for p in descendants(worker) if "graders.sandbox.zygote" in cmdline(p))
    for pid in descendants(zygote):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert_all_graded_once_and_right(stack, [sub["id"]], time.monotonic())
