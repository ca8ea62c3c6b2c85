"""Infrastructure faults are never the student's: outside kills and unbuildable sandboxes are retried."""
import os
import shutil
import signal
import threading

import pytest

from bench.stack import descendants
from graders.contracts import Job
from graders.engine import InfrastructureFault
from graders.sandbox.host import SandboxUnavailable
from tests.conftest import TOY

SOLUTION = (TOY / "solution" / "toy.py").read_text()
# Correct, but slow enough on its first call that a kill lands while a check waits for it.
SLOW_FIRST = "import time\n" + SOLUTION.replace(
    "def double(x):\n    return x * 2", "def double(x):\n    time.sleep(0.6)\n    return x * 2")


class OutsideKiller:
    """Wraps the zygote's spawn: SIGKILLs the first `times` sandboxes from outside after `delay` s."""

    def __init__(self, zygote, *, times, delay=0.3):
        self.spawn, self.times, self.delay, self.killed = zygote.spawn, times, delay, []

    def __call__(self, limits, seed, device="cpu", **kwargs):
        box = self.spawn(limits, seed, device, **kwargs)
        if len(self.killed) < self.times:
            self.killed.append(box.pid)
            threading.Timer(self.delay, os.kill, (box.pid, signal.SIGKILL)).start()
        return box


@pytest.fixture
def killer(engine, monkeypatch):
    def install(times, delay=0.3):
        k = OutsideKiller(engine.zygote, times=times, delay=delay)
        monkeypatch.setattr(engine.zygote, "spawn", k)
        return k
    return install


def test_a_sandbox_killed_from_outside_mid_check_is_regraded_to_full_marks(grade_toy, killer):
    k = killer(times=1)
    result = grade_toy(SLOW_FIRST)
    assert len(k.killed) == 1
    assert result.score == result.max_score == 10, [t.output for t in result.tests if t.status != "passed"]


def test_a_sandbox_killed_from_outside_while_loading_is_regraded(grade_toy, killer):
    k = killer(times=1, delay=0.0)
    result = grade_toy(SOLUTION)
    assert len(k.killed) == 1 and result.score == 10


def test_killed_again_on_the_retry_is_an_infrastructure_fault_not_a_score(grade_toy, killer):
    killer(times=2)
    with pytest.raises(InfrastructureFault, match="SIGKILL from outside"):
        grade_toy(SLOW_FIRST)


def test_a_sandbox_that_cannot_be_built_is_retried_not_charged(engine, grade_toy, monkeypatch):
    spawn, calls = engine.zygote.spawn, []

    def fail_once(limits, seed, device="cpu", **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise SandboxUnavailable("cannot build the grading sandbox: simulated")
        return spawn(limits, seed, device, **kwargs)
    monkeypatch.setattr(engine.zygote, "spawn", fail_once)
    result = grade_toy(SOLUTION)
    assert result.score == 10 and all("cannot build" not in t.output for t in result.tests)


def test_a_sandbox_that_cannot_be_built_twice_is_an_infrastructure_fault(engine, grade_toy, monkeypatch):
    def never(limits, seed, device="cpu", **kwargs):
        raise SandboxUnavailable("cannot build the grading sandbox: simulated")
    monkeypatch.setattr(engine.zygote, "spawn", never)
    with pytest.raises(InfrastructureFault, match="simulated"):
        grade_toy(SOLUTION)


def test_a_crash_the_students_code_causes_is_still_charged(grade_toy):
    crash = SOLUTION.replace("def double(x):\n    return x * 2",
                             "def double(x):\n    import ctypes\n    return ctypes.string_at(0)")
    result = grade_toy(crash)
    assert "segmentation fault" in {t.number: t for t in result.tests}["1.1"].output
    assert result.score == 6


SWALLOWING_CHECK = '''
import torch

from graders.checks import check


@check(points=1, visibility="visible", target="double")
def test_swallows_everything(student):
    """double: a check that catches every exception"""
    try:
        student.call("double", torch.ones(2))
    except Exception:
        return 0.0
'''


def test_a_check_that_swallows_the_loss_cannot_charge_it_to_the_student(engine, killer, tmp_path):
    folder = tmp_path / "toy"
    shutil.copytree(TOY, folder, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    (folder / "tests" / "public").mkdir(parents=True)
    (folder / "tests" / "public" / "test_swallow.py").write_text(SWALLOWING_CHECK)
    k = killer(times=1)
    result = engine.grade(Job(assignment_dir=str(folder), filename="toy.py", content=SLOW_FIRST.encode()))
    assert len(k.killed) == 1 and result.score == result.max_score == 1




@pytest.mark.parametrize("delay", [0.05, 0.9])
def test_every_process_of_a_sandbox_killed_from_outside_costs_nothing(delay):
    """The host's OOM killer or an operator kills the sandbox and its watcher alike (background engine)."""
    from graders.engine import Engine
    with Engine(background=True) as engine:
        engine.grade(Job(str(TOY), "toy.py", SOLUTION.encode()))          # a spare is waiting now
        zygote = engine.zygote.proc.pid

        def kill_all():
            for pid in descendants(zygote):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        threading.Timer(delay, kill_all).start()
        result = engine.grade(Job(str(TOY), "toy.py", SLOW_FIRST.encode()))
    assert result.score == 10, [t.output for t in result.tests if t.status != "passed"]
