"""The per-version memo: same scores and messages with the cache cold and warm; a memo that cannot leak."""
from pathlib import Path

import pytest
import torch

from graders import memo
from graders.assignment import load_assignment
from graders.contracts import Job

ROOT = Path(__file__).resolve().parents[2]
ATTENTION = load_assignment(ROOT / "assignments" / "attention")
FILES = sorted((ROOT / "tests" / "content" / "attention").glob("*.py"))
SUBMISSIONS = [ATTENTION.solution_path, *(p for p in FILES if not p.stem.startswith("correct_"))]


def _graded(result):
    return (result.score, result.max_score, result.output,
            [(t.number, t.name, t.status, t.score, t.output) for t in result.tests],
            [(a.name, a.data) for a in result.artifacts])


@pytest.mark.parametrize("path", SUBMISSIONS, ids=lambda p: p.stem)
def test_results_are_identical_with_the_memo_cold_and_warm(engine, path):
    job = Job(str(ATTENTION.path), ATTENTION.file, path.read_bytes())
    memo.MEMO.clear()
    cold = engine.grade(job)
    stored = memo.MEMO.stores
    warm = engine.grade(job)
    assert memo.MEMO.hits > 0 and memo.MEMO.stores == stored   # the second grading computed nothing new
    assert _graded(warm) == _graded(cold)


def test_a_mistake_is_diagnosed_from_the_memo_after_a_correct_submission(engine):
    """Variants kept while grading one submission serve the next one's diagnosis unchanged."""
    no_scale = (ROOT / "tests" / "content" / "attention" / "no_scale.py").read_bytes()
    job = Job(str(ATTENTION.path), ATTENTION.file, no_scale)
    memo.MEMO.clear()
    alone = engine.grade(job)
    engine.grade(Job(str(ATTENTION.path), ATTENTION.file, ATTENTION.solution_path.read_bytes()))
    assert _graded(engine.grade(job)) == _graded(alone)


def _double(x):
    return x * 2


def test_a_result_changed_in_place_by_a_check_does_not_change_the_memo():
    m = memo.Memo()
    x = torch.ones(3)
    first = memo.call(m, "v1", _double, (x,), {})
    first += 100                                     # a check scribbles on what it got
    again = memo.call(m, "v1", _double, (x,), {})
    assert m.hits == 1 and torch.equal(again, torch.full((3,), 2.0))


def test_versions_and_arguments_key_the_memo():
    m = memo.Memo()
    memo.call(m, "v1", _double, (torch.ones(3),), {})
    memo.call(m, "v2", _double, (torch.ones(3),), {})                 # another assignment version
    memo.call(m, "v1", _double, (torch.ones(3, dtype=torch.float64),), {})  # same values, other dtype
    memo.call(m, "v1", _double, (torch.ones(1, 3),), {})               # same bytes, other shape
    assert m.hits == 0 and m.misses == 4


@pytest.mark.parametrize("arg", [torch.ones(3, requires_grad=True), torch.Generator(), _double, object()])
def test_what_the_memo_cannot_key_is_computed_every_time(arg):
    m = memo.Memo()
    calls = []
    memo.call(m, "v1", lambda a: calls.append(a) or 1, (arg,), {})
    memo.call(m, "v1", lambda a: calls.append(a) or 1, (arg,), {})
    assert len(calls) == 2 and m.hits == 0


def test_the_memo_is_bounded_by_bytes():
    m = memo.Memo(max_bytes=3 * 4000)
    for i in range(10):
        memo.call(m, "v1", torch.zeros, (1000 + i,), {})           # 4 kB float32 each
    assert m.size <= 3 * 4000 and len(m._items) == 2


def test_checks_cannot_write_to_the_memoised_reference():
    ref = memo.MemoModule(ATTENTION.reference, "x:ref")
    with pytest.raises(AttributeError):
        ref.scaled_dot_product_attention = _double
    assert ref.MultiHeadAttention is ATTENTION.reference.MultiHeadAttention     # classes pass through


def _fill(state, x):
    state["n"] = state.get("n", 0) + 1                  # changes its argument: not a function of it
    return x + state["n"]


def _noisy(x):
    return x + torch.rand(())                           # draws from torch's global generator


@pytest.mark.parametrize("func, args", [(_fill, ({}, torch.ones(2))), (_noisy, (torch.ones(2),))],
                         ids=["mutates-argument", "global-rng"])
def test_a_function_with_effects_is_never_memoised(func, args):
    m = memo.Memo()
    first = memo.call(m, "v1", func, args, {})
    again = memo.call(m, "v1", func, args, {})
    assert m.hits == 0 and m.stores == 0 and not torch.equal(first, again)


# ------------------------------------------------------------------ the key: equal values, equal keys; nothing else

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_DTYPES = [torch.float32, torch.float64, torch.int64, torch.bool, torch.bfloat16, torch.uint8]
_tensors = st.builds(
    lambda dtype, shape, seed: (torch.randn(shape, generator=torch.Generator().manual_seed(seed)) * 3).to(dtype),
    st.sampled_from(_DTYPES), st.lists(st.integers(0, 3), max_size=3).map(tuple), st.integers(0, 3))
_leaves = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False, width=32),
                    st.text(max_size=3), st.binary(max_size=3), _tensors)
_values = st.recursive(_leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.lists(inner, max_size=3).map(tuple),
    st.dictionaries(st.text(max_size=2), inner, max_size=3)), max_leaves=8)


def _same(a, b):
    """Equal as the memo must see it: same types all the way down, same dtypes, shapes and bits."""
    if type(a) is not type(b):
        return False
    if isinstance(a, torch.Tensor):
        return a.dtype == b.dtype and a.shape == b.shape and torch.equal(a.view(-1).view(torch.uint8) if a.numel() else a,
                                                                        b.view(-1).view(torch.uint8) if b.numel() else b)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return repr(a) == repr(b)


@settings(max_examples=300, deadline=None)
@given(_values, _values)
def test_fingerprints_are_equal_exactly_when_the_values_are(a, b):
    assert (memo.fingerprint(a) == memo.fingerprint(b)) == _same(a, b)
    assert memo.fingerprint(a) == memo.fingerprint(_copy(a))


def _copy(value):
    if isinstance(value, torch.Tensor):
        return value.clone()
    if isinstance(value, (list, tuple)):
        return type(value)(_copy(v) for v in value)
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


def test_a_non_contiguous_tensor_is_keyed_by_its_values():
    x = torch.arange(6.0).reshape(2, 3)
    assert memo.fingerprint(x.t()) == memo.fingerprint(x.t().contiguous()) != memo.fingerprint(x)


@pytest.mark.parametrize("a, b", [
    ([1], (1,)), ({"a": 1}, [("a", 1)]), (b"ab", "ab"), (1, 1.0), (1, True), (0.0, -0.0), ("1", 1), (None, "None"),
    (torch.zeros(2, 3), torch.zeros(3, 2)), (torch.zeros(6), torch.zeros(1, 6)), (torch.tensor(0.0), torch.zeros(1)),
    (torch.zeros(2), torch.zeros(2, dtype=torch.float64)), (torch.zeros(2, dtype=torch.bfloat16), torch.zeros(2, dtype=torch.float16)),
    ([torch.zeros(2), torch.zeros(2)], [torch.zeros(4)]), (["ab"], ["a", "b"]),
], ids=repr)
def test_look_alike_values_have_different_fingerprints(a, b):
    assert memo.fingerprint(a) != memo.fingerprint(b)


def _build_and_run(ref, state, x, *, fork):
    """A check helper: the reference's module with given weights, run once."""
    import contextlib
    with torch.random.fork_rng(devices=[]) if fork else contextlib.nullcontext():
        module = ref.MultiHeadAttention(8, 2, bias=True)      # random init, then overwritten
    module.load_state_dict(state)
    with torch.no_grad():
        return module(x, x, x)


def test_a_helper_of_the_reference_module_is_memoised_per_version_when_it_leaves_no_trace():
    m = memo.Memo()
    state = {k: torch.full_like(v, 0.1) for k, v in ATTENTION.reference.MultiHeadAttention(8, 2).state_dict().items()}
    x = torch.ones(1, 3, 8)
    v1, v2 = memo.MemoModule(ATTENTION.reference, "v1:ref"), memo.MemoModule(ATTENTION.reference, "v2:ref")
    first = memo.call(m, "checks", _build_and_run, (v1, state, x), {"fork": True})
    again = memo.call(m, "checks", _build_and_run, (v1, state, x), {"fork": True})
    memo.call(m, "checks", _build_and_run, (v2, state, x), {"fork": True})          # another version: computed
    assert (m.hits, m.stores) == (1, 2) and all(torch.equal(a, b) for a, b in zip(first, again))
    # Without fork_rng the random init draws from torch's global generator: an effect, never memoised.
    m2 = memo.Memo()
    memo.call(m2, "checks", _build_and_run, (v1, state, x), {"fork": False})
    memo.call(m2, "checks", _build_and_run, (v1, state, x), {"fork": False})
    assert m2.hits == 0 and m2.stores == 0
