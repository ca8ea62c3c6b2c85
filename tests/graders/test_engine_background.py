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
# Past the static scan (a built name): only the tripwires placed in the sandbox see these calls.
HIDDEN_BAN = SOLUTION.replace("def softmax_rows(x):", "def softmax_rows(x):\n"
                              "    return getattr(torch.nn.functional, 'soft' + 'max')(x, -1)\n\n\ndef _old(x):")
BAN_AT_IMPORT = SOLUTION + "\ngetattr(torch.nn.functional, 'soft' + 'max')(torch.zeros(2), 0)\n"


@pytest.fixture(scope="module")
def background_engine():
    with Engine(background=True) as eng:
        yield eng


def _job(source):
    return Job(assignment_dir=str(TOY), filename="toy.py", content=source.encode())


def _graded(result):
    return (result.score, result.output, result.stdout, [(t.number, t.status, t.score, t.output) for t in result.tests])


@pytest.mark.parametrize("source", [SOLUTION, CHATTY, LOOP, HIDDEN_BAN, BAN_AT_IMPORT],
                         ids=["solution", "prints", "loop", "hidden-ban", "ban-at-import"])
def test_results_are_the_same_as_with_closes_on_the_critical_path(engine, background_engine, source):
    background_engine.grade(_job(SOLUTION))
    background_engine.settle()                  # the next grading starts on a spare
    assert _graded(background_engine.grade(_job(source))) == _graded(engine.grade(_job(source)))


def test_a_spare_holds_the_tripwires_before_the_submission_arrives(background_engine):
    from graders.assignment import load_assignment
    from graders.sandbox.tripwire import all_specs
    background_engine.grade(_job(SOLUTION))
    background_engine.settle()
    specs = tuple(all_specs(load_assignment(str(TOY)).banned))
    assert specs and background_engine.spares._spare[2].installed == specs
    hidden = background_engine.grade(_job(HIDDEN_BAN))
    softmax = [t for t in hidden.tests if "softmax_rows" in t.tags]
    assert softmax and all(t.score == 0 and "banned" in t.output.lower() for t in softmax), softmax
    at_import = background_engine.grade(_job(BAN_AT_IMPORT))
    assert at_import.score == 0 and "banned" in at_import.output.lower() + " ".join(t.output for t in at_import.tests).lower()


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
