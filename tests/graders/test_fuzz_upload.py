"""Property tests: any upload ends as a result of the upload and static stages, in bounded time and memory.

The stages run as the pipeline runs them (a Context on the toy assignment), without a sandbox:
whatever the bytes, they either stop the pipeline with one ungradable message or hand on a
module and the banned-API findings; no exception ever escapes, and the text they produce
encodes as UTF-8 without U+0000.
"""
from __future__ import annotations

import io
import json
import warnings
import time
import tracemalloc
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graders.assignment import load_assignment
from graders.context import Context
from graders.contracts import Job
from graders.stages.static_check import static_check
from graders.stages.upload import stage_upload
from tests.conftest import TOY

ASSIGNMENT = load_assignment(str(TOY))
SOLUTION = (TOY / "solution" / "toy.py").read_text()
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                        HealthCheck.data_too_large])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20)
names = st.sampled_from(["toy.py", "homework.ipynb", "sub.zip", "toy.txt", "../toy.py", "a/b/toy.py", "toy.py\x00",
                         "\u202etoy.py", "", ".zip", "x.ipynb.py"])


def stages(filename: str, content: bytes) -> Context:
    """Run the upload and static stages as the pipeline does; assert they ended in a result."""
    ctx = Context(job=Job(assignment_dir=str(TOY), filename=filename, content=content), assignment=ASSIGNMENT,
                  zygote=None)
    tracemalloc.start()
    started = time.monotonic()
    try:
        for stage in (stage_upload, static_check):
            ctx.run(stage)
            if ctx.stopped:
                break
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 20
    assert peak < 256 << 20
    if ctx.stopped:
        assert not ctx.gradable and len(ctx.format_errors) == 1
    else:
        assert ctx.source and ctx.filename == "toy.py"
    data = json.dumps(ctx.result().to_json(), ensure_ascii=False)
    data.encode("utf-8")
    assert "\x00" not in data
    return ctx


@FUZZ
@given(names, st.binary(max_size=2048))
def test_any_bytes_under_any_name_end_as_a_result(filename, content):
    stages(filename, content)


@FUZZ
@given(st.fixed_dictionaries({}, optional={"cells": json_values | st.lists(st.fixed_dictionaries(
    {"cell_type": st.sampled_from(["code", "markdown", 3, None]),
     "source": json_values | st.text(max_size=80) | st.just(SOLUTION),
     "metadata": json_values | st.fixed_dictionaries({"nbgrader": json_values})}), max_size=5),
    "worksheets": json_values, "nbformat": json_values, "metadata": json_values}))
def test_any_notebook_shape_ends_as_a_result(notebook):
    stages("homework.ipynb", json.dumps(notebook).encode())


@FUZZ
@given(st.lists(st.tuples(st.text(min_size=1, max_size=20), st.binary(max_size=300)), max_size=6),
       st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]),
       st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), max_size=4))
def test_any_zip_damaged_anywhere_ends_as_a_result(members, method, damage):
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w", method) as zf:
        warnings.simplefilter("ignore")               # duplicate names are part of the attack
        for name, data in members:
            try:
                zf.writestr(name, data)
            except Exception:                      # names zipfile itself cannot write
                pass
        zf.writestr("toy.py", SOLUTION)
    content = bytearray(buf.getvalue())
    for position, value in damage:
        content[position % len(content)] = value
    stages("sub.zip", bytes(content))


TOKENS = list("()[]{}.,:=+-*'\"#\\\n\r\t\x0c \u2028\x85\x00\ud800") + [
    "eval", "getattr", "self", "F", "torch", "def ", "class ", "lambda", "import ", "from ", "coding: utf-7",
    "\ufeff", "+AAo-", "if ", "    ", "scaled_dot_product_attention", "__dict__", "vars"]


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=200))
def test_any_source_text_ends_as_a_result(tokens):
    stages("toy.py", "".join(tokens).encode("utf-8", "surrogatepass"))


def test_a_notebook_nested_100000_deep_is_refused_quickly():
    ctx = stages("homework.ipynb", ("{\"cells\": " + "[" * 100_000 + "]" * 100_000 + "}").encode())
    assert "nested too deeply" in ctx.format_errors[0]


def test_a_source_nested_deeper_than_the_parser_allows_fails_its_checks():
    for depth in (30_000, 150_000):            # the first is scanned here, the second in the bounded child
        ctx = stages("toy.py", ("x = a" + ".b" * depth + "\n").encode())
        assert ctx.load_failure and "nested too deeply or too large" in ctx.load_failure


QUIZ = load_assignment(str(TOY.parents[2] / "assignments" / "quiz-attention"))


@FUZZ
@given(st.dictionaries(st.sampled_from([q.id for q in QUIZ.questions] + ["nope"]), json_values, max_size=8)
       | json_values)
def test_any_answers_json_ends_as_a_result(answers):
    from graders.stages.answers import stage_answers
    ctx = Context(job=Job(assignment_dir=str(QUIZ.path), filename="answers.json",
                          content=json.dumps(answers).encode()), assignment=QUIZ, zygote=None)
    ctx.run(stage_answers)
    json.dumps(ctx.result().to_json(), ensure_ascii=False).encode("utf-8")


def test_answers_nested_100000_deep_are_refused():
    from graders.stages.answers import stage_answers
    ctx = Context(job=Job(assignment_dir=str(QUIZ.path), filename="answers.json",
                          content=b"[" * 100_000 + b"]" * 100_000), assignment=QUIZ, zygote=None)
    ctx.run(stage_answers)
    assert not ctx.gradable and "nested too deeply" in ctx.format_errors[0]
