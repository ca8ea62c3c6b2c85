"""Sandboxes closed and spawned off the critical path: same results, the report still there, spares fresh."""
import os
import signal
import threading
import time

import pytest

from graders.contracts import Job
from graders.engine import Engine
from tests.conftest import TOY

SOLUTION = (TOY / "solution" / "toy.py").read_text()
CHATTY = SOLUTION.replace("def double(x):\n    return x * 2",
                          "def double(x):\n    print('SEQLAB_SAID', x.numel())\n    return x * 2")
LOOP = SOLUTION.replace("def softmax_rows(x):", "def softmax_rows(x):\n    while True:\n        pass\n\n\ndef _old(x):")


@pytest.fixture(scope="module")
def background_engine():
    with Engine(background=True) as eng:
        yield eng


def _job(source):
    return Job(assignment_dir=str(TOY), filename="toy.py", content=source.encode())


def _graded(result):
    return (result.score, result.output, result.stdout, [(t.number, t.status, t.score, t.output) for t in result.tests])


@pytest.mark.parametrize("source", [SOLUTION, CHATTY, LOOP], ids=["solution", "prints", "loop"])
def test_results_are_the_same_as_with_closes_on_the_critical_path(engine, background_engine, source):
    assert _graded(background_engine.grade(_job(source))) == _graded(engine.grade(_job(source)))


def test_what_the_last_sandbox_printed_is_in_the_result(background_engine):
    result = background_engine.grade(_job(CHATTY))
    assert result.stdout.count("SEQLAB_SAID") == 2          # both of double's calls, the last sandbox's


def test_the_exit_report_of_the_last_sandbox_comes_later(background_engine):
    result = background_engine.grade(_job(SOLUTION))
    assert result.sandbox["closing"] is True and "signal" not in result.sandbox
    report = background_engine.sandbox_report(result)
    assert report["signal"] == "SIGKILL" and report["cpu_seconds"] > 0 and report["restarts"] == 0
    assert "closing" not in report


def test_the_next_submission_gets_a_spare_spawned_in_the_background(background_engine, monkeypatch):
    background_engine.grade(_job(SOLUTION))
    background_engine.settle()                              # the spare is ready
    spawn, threads = background_engine.zygote.spawn, []

    def spy(limits, seed, device="cpu"):
        threads.append(threading.current_thread().name)
        return spawn(limits, seed, device)
    monkeypatch.setattr(background_engine.zygote, "spawn", spy)
    result = background_engine.grade(_job(SOLUTION))
    background_engine.settle()
    assert result.score == 10
    assert threads == ["seqlab-sandbox-background"]          # only the next spare; none while grading


def test_a_spare_killed_while_waiting_is_not_used(background_engine, monkeypatch):
    background_engine.grade(_job(SOLUTION))
    background_engine.settle()
    spare = background_engine.spares._spare[2]
    os.kill(spare.pid, signal.SIGKILL)
    time.sleep(0.3)                                          # its watcher reports the death
    tries = []
    once = background_engine._grade_once
    monkeypatch.setattr(background_engine, "_grade_once", lambda job: tries.append(1) or once(job))
    result = background_engine.grade(_job(SOLUTION))
    assert result.score == 10 and len(tries) == 1            # a fresh sandbox, not a retry after a dead one


def test_a_stale_spare_is_closed_in_the_background_and_a_fresh_one_used(background_engine, monkeypatch):
    import graders.engine
    background_engine.grade(_job(SOLUTION))
    background_engine.settle()
    stale = background_engine.spares._spare[2]
    monkeypatch.setattr(graders.engine, "SPARE_SECONDS", 0.0)
    closer = []
    close = stale.close
    monkeypatch.setattr(stale, "close", lambda **kw: closer.append(threading.current_thread().name) or close(**kw))
    result = background_engine.grade(_job(SOLUTION))
    background_engine.settle()
    assert result.score == 10 and closer == ["seqlab-sandbox-background"]


def test_a_closed_engine_grades_again_after_a_restart():
    eng = Engine(background=True)
    try:
        eng.start()
        eng.close()
        result = eng.grade(_job(SOLUTION))                  # starts again, with a new background thread
        eng.settle()
        assert result.score == 10 and eng.sandbox_report(result)["signal"] == "SIGKILL"
    finally:
        eng.close()
