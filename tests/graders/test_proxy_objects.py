"""Objects that live in the sandbox: handles shared between calls, restarted sandboxes."""
import textwrap

import pytest
import torch

from graders.contracts import Job

OPTIM = '''
import torch

class Halver:
    def __init__(self, params):
        self.params = list(params)

    def step(self):
        with torch.no_grad():
            for p in self.params:
                p -= 0.5 * p.grad

    def zero_grad(self):
        for p in self.params:
            p.grad = None
'''

CHECKS = '''
import torch
from graders.checks import check, expect_close, expect_true

@check(points=1, visibility="visible", target="Halver")
def test_steps(student, ref, rng):
    """Halver: steps update the shared parameters"""
    p = student.tensor(torch.ones(3), requires_grad=True)
    opt = student.new("Halver", [p])
    for _ in range(2):
        p.setattr("grad", torch.full((3,), 2.0))
        opt.call("step")
    expect_close(p.value(), torch.full((3,), -1.0), what="parameter")
    opt.call("zero_grad")
    expect_true(p.getattr("grad") is None, "zero_grad must set grads to None")
'''


@pytest.fixture
def tiny(tmp_path):
    (tmp_path / "tests" / "public").mkdir(parents=True)
    (tmp_path / "starter").mkdir()
    (tmp_path / "assignment.toml").write_text(
        'title = { ko = "최적화", en = "Optim" }\nfile = "opt.py"\n[limits]\ncall_seconds = 2\n')
    (tmp_path / "tests" / "public" / "test_opt.py").write_text(CHECKS)
    (tmp_path / "solution").mkdir()
    (tmp_path / "solution" / "opt.py").write_text(OPTIM)
    return tmp_path


def test_tensor_handles_are_shared_between_calls(engine, tiny):
    result = engine.grade(Job(str(tiny), "opt.py", OPTIM.encode()))
    assert result.score == 1, result.tests[0].output


def test_a_wrong_update_fails(engine, tiny):
    wrong = OPTIM.replace("p -= 0.5 * p.grad", "p -= 0.25 * p.grad")
    result = engine.grade(Job(str(tiny), "opt.py", wrong.encode()))
    assert result.score == 0 and "parameter: 3 of 3 values differ" in result.tests[0].output
