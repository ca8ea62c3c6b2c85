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


GEN = '''
import torch

def generate(model, ids, steps, report):
    for i in range(steps):
        nxt = model(ids)[:, -1].argmax(-1, keepdim=True)
        ids = torch.cat([ids, nxt], dim=1)
        report(i, float(i) * 0.5)
    return ids
'''

GEN_CHECKS = '''
import torch
from graders.checks import check, expect_equal

@check(points=1, visibility="visible", target="generate")
def test_generate(student, files):
    """generate: follows the table model and reports"""
    table = torch.full((4, 4), -1.0)
    for a, b in [(0, 2), (2, 3), (3, 1), (1, 0)]:
        table[a, b] = 1.0
    model = student.double("TableLM", table)
    report = student.double("Recorder")
    out = student.call("generate", model, torch.tensor([[0]]), 3, report)
    expect_equal(out, torch.tensor([[0, 2, 3, 1]]), what="generated ids")
    expect_equal(report.call("snapshot"), [(0.0, 0.0), (1.0, 0.5), (2.0, 1.0)], what="reports")
    expect_equal(files.get("notes.txt"), b"hello", what="notes.txt")
'''


@pytest.fixture
def gen(tmp_path):
    (tmp_path / "tests" / "public").mkdir(parents=True)
    (tmp_path / "assignment.toml").write_text(
        'title = { ko = "생성", en = "Gen" }\nfile = "gen.py"\nextra_files = ["notes.txt"]\n')
    (tmp_path / "tests" / "public" / "test_gen.py").write_text(GEN_CHECKS)
    return tmp_path


def test_doubles_and_attachments_reach_checks(engine, gen):
    result = engine.grade(Job(str(gen), "gen.py", GEN.encode(), attachments=(("notes.txt", b"hello"),)))
    assert result.score == 1, result.tests[0].output


def test_zip_upload_carries_the_module_and_extra_files(engine, gen):
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hw/gen.py", GEN)
        z.writestr("hw/notes.txt", "hello")
        z.writestr("hw/other.bin", "x")
    result = engine.grade(Job(str(gen), "homework.zip", buf.getvalue()))
    assert result.score == 1, result.tests[0].output
    assert "Ignored files this assignment does not use: other.bin" in result.output


NESTED = '''
import collections
import torch

Cache = collections.namedtuple("Cache", "x h")

def forward(x):
    return x * 2, Cache(x, x + 1)

def backward(cache):
    return cache.h - cache.x

def scale_all(grads, k):
    for g in grads:
        g.mul_(k)
    return grads
'''

NESTED_CHECKS = '''
import torch
from graders.checks import check, expect_close

@check(points=1, visibility="visible", target="backward")
def test_namedtuple_cache(student):
    """a namedtuple cache reaches the next call as itself"""
    x = torch.ones(3)
    y, cache = student.call("forward", x)
    expect_close(student.call("backward", cache), torch.ones(3), what="backward")

@check(points=1, visibility="visible", target="scale_all")
def test_list_inputs_are_watched(student):
    """mutating a tensor inside a list argument is caught"""
    student.call("scale_all", [torch.ones(2), torch.ones(2)], 3.0, check_inputs=True)
'''


def test_handles_keep_their_type_and_nested_inputs_are_watched(engine, tmp_path):
    (tmp_path / "tests" / "public").mkdir(parents=True)
    (tmp_path / "assignment.toml").write_text('title = { ko = "중첩", en = "Nested" }\nfile = "nested.py"\n')
    (tmp_path / "tests" / "public" / "test_nested.py").write_text(NESTED_CHECKS)
    result = engine.grade(Job(str(tmp_path), "nested.py", NESTED.encode()))
    first, second = result.tests
    assert first.status == "passed", first.output
    assert second.status == "failed" and "changed its argument `grads[0]` in place" in second.output
