"""Property tests of the banned-API scan on generated programs.

Any program the generator writes (names like `self`, `F`, `eval`, rebinding in every form,
lookups by string, nested definitions) is scanned without an exception, in bounded time; and a
banned use written into a target is found whatever program surrounds it.
"""
from __future__ import annotations

import ast
import textwrap
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graders.stages.banned import ScanLimitExceeded, find_banned

SDPA = "torch.nn.functional.scaled_dot_product_attention"
BANNED = {"*": (SDPA, "torch.nn.MultiheadAttention"), "Model": (".backward", "torch.autograd")}
TARGETS = {"attn", "Model", "helper"}
HEADER = "import torch\nimport torch.nn.functional as F\nimport importlib, operator, sys\n"
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

names = st.sampled_from(["self", "cls", "F", "torch", "x", "q", "m", "eval", "getattr", "vars", "helper",
                         "attn", "Model", "scaled_dot_product_attention", "__builtins__", "sys"])
attrs = st.sampled_from(["nn", "functional", "scaled_dot_product_attention", "backward", "__dict__", "ops",
                         "aten", "relu", "modules", "eval", "_C", "weight"])
strings = st.sampled_from(["'scaled_dot_product_attention'", "'relu'", "'nn'", "'F'", "'torch.nn.functional'",
                           "'scaled_' + 'dot'", "f'{x}'", "'\\u2028'"])
exprs = st.recursive(
    names | strings | st.integers(0, 9).map(str),
    lambda e: st.one_of(
        st.tuples(e, attrs).map(lambda t: f"{t[0]}.{t[1]}"),
        st.tuples(e, st.lists(e, max_size=3)).map(lambda t: f"{t[0]}({', '.join(t[1])})"),
        st.tuples(e, e).map(lambda t: f"{t[0]}[{t[1]}]"),
        st.tuples(names, e).map(lambda t: f"(lambda {t[0]}: {t[1]})"),
        st.tuples(e, names, e).map(lambda t: f"[{t[0]} for {t[1]} in {t[2]}]"),
        st.tuples(e, e).map(lambda t: f"({t[0]} + {t[1]})"),
        st.tuples(names, e).map(lambda t: f"({t[0]} := {t[1]})"),
    ),
    max_leaves=12)


def _block(body: list[str]) -> str:
    return textwrap.indent("\n".join(body) or "pass", "    ")


statements = st.recursive(
    st.one_of(
        st.tuples(names, exprs).map(lambda t: f"{t[0]} = {t[1]}"),
        exprs.map(lambda e: f"return {e}"),
        exprs,
        names.map(lambda n: f"global {n}"),
        st.tuples(st.sampled_from(["torch.nn.functional", "importlib", "sys"]), names).map(
            lambda t: f"import {t[0]} as {t[1]}"),
    ),
    lambda s: st.one_of(
        st.tuples(names, st.lists(names, max_size=3, unique=True), st.lists(s, min_size=1, max_size=3)).map(
            lambda t: f"def {t[0]}({', '.join(t[1])}):\n{_block(t[2])}"),
        st.tuples(names, exprs, st.lists(s, min_size=1, max_size=3)).map(
            lambda t: f"for {t[0]} in {t[1]}:\n{_block(t[2])}"),
        st.tuples(exprs, names, st.lists(s, min_size=1, max_size=3)).map(
            lambda t: f"try:\n{_block(t[2])}\nexcept Exception as {t[1]}:\n    pass"),
        st.tuples(names, st.lists(s, min_size=1, max_size=3)).map(
            lambda t: f"class {t[0]}:\n    def method(self):\n{textwrap.indent(_block(t[1]), '    ')}"),
    ),
    max_leaves=10)
programs = st.lists(statements, max_size=6).map(lambda body: "\n".join(body) + "\n")

BANNED_FORMS = [
    "F.scaled_dot_product_attention(q, q, q)",
    "torch.nn.functional.scaled_dot_product_attention(q, q, q)",
    "getattr(F, 'scaled_dot_product_attention')(q, q, q)",
    "getattr(F, 'scaled_dot_' + 'product_attention')(q, q, q)",
    "vars(F)['scaled_dot_product_attention'](q, q, q)",
    "F.__dict__['scaled_dot_product_attention'](q, q, q)",
    "eval('F.scaled_dot_product_attention')(q, q, q)",
    "importlib.import_module('torch.nn.functional').scaled_dot_product_attention(q, q, q)",
    "sys.modules['torch.nn.functional']",
    "operator.attrgetter('scaled_dot_product_attention')(F)(q, q, q)",
    "torch.ops.aten.scaled_dot_product_attention(q, q, q)",
    "torch.nn.MultiheadAttention(4, 2)",
]


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False


@FUZZ
@given(programs)
def test_any_program_is_scanned_without_an_exception(program):
    source = HEADER + program
    if not _parses(source):
        return
    started = time.monotonic()
    try:
        found = find_banned(source, BANNED, TARGETS)
    except ScanLimitExceeded:
        return
    assert time.monotonic() - started < 10
    assert set(found) <= TARGETS
    assert all(isinstance(m, str) and "line" in m for ms in found.values() for m in ms)


@FUZZ
@given(programs, st.sampled_from(BANNED_FORMS), st.sampled_from(["self", "q", "x"]))
def test_a_banned_use_in_a_target_is_found_whatever_surrounds_it(program, form, param):
    target = f"def attn({param}, q=None):\n    return {form}\n"
    source = HEADER + program + target
    if not _parses(source):
        return
    assert "attn" in find_banned(source, BANNED, TARGETS), source


@FUZZ
@given(programs, st.sampled_from(BANNED_FORMS))
def test_a_banned_use_in_a_method_is_found_whatever_surrounds_it(program, form):
    target = (f"class Model:\n    def scaled_dot_product_attention(self, q):\n        return q\n"
              f"    def forward(self, q):\n        return {form}\n")
    source = HEADER + program + target
    if not _parses(source):
        return
    assert "Model" in find_banned(source, BANNED, TARGETS), source
