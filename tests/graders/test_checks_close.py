"""The comparison behind every expect_close and is_close: the same verdicts as np.isclose."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from graders.checks import _mismatch, is_close

_specials = st.sampled_from([0.0, -0.0, 1e-5, -1e-5, 1e-4, 1.0, -1.0, 1e300, -1e300, 1.7e308, -1.7e308,
                             np.inf, -np.inf, np.nan, 5e-324])
_floats = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=64), _specials)


@st.composite
def _pairs(draw):
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=5))
    expected = draw(hnp.arrays(np.float64, shape, elements=_floats))
    # Near, equal, or unrelated values: all three kinds of verdict.
    noise = draw(hnp.arrays(np.float64, shape, elements=st.one_of(
        st.just(0.0), st.floats(-1e-4, 1e-4), _floats)))
    with np.errstate(all="ignore"):
        near = expected + noise
    unrelated = draw(hnp.arrays(np.float64, shape, elements=_floats))
    pick = draw(hnp.arrays(np.bool_, shape))
    return np.where(pick, near, unrelated), expected


@settings(max_examples=400, deadline=None)
@given(_pairs(), st.sampled_from([0.0, 1e-8, 1e-5, 0.1]), st.sampled_from([0.0, 1e-4, 1e-2]), st.booleans())
def test_mismatch_agrees_with_numpy_isclose_entry_for_entry(pair, atol, rtol, equal_nan):
    actual, expected = pair
    with np.errstate(all="ignore"):
        want = ~np.isclose(actual, expected, atol=atol, rtol=rtol, equal_nan=equal_nan)
    got = _mismatch(actual, expected, atol, rtol, equal_nan)
    assert got.shape == want.shape and (got == want).all(), (actual, expected, got, want)


@pytest.mark.parametrize("actual, expected, close", [
    ([1.0, np.inf], [1.0, np.inf], True),
    ([1.0, np.inf], [1.0, -np.inf], False),
    ([1e308], [np.inf], False),                   # finite vs inf is never close, whatever the tolerance
    ([np.nan], [np.nan], False),                  # NaN only where equal_nan says so
    ([1.0 + 2e-5], [1.0], True),
    ([1.0 + 2e-4], [1.0], False),
])
def test_is_close_edge_cases(actual, expected, close):
    assert is_close(np.array(actual), np.array(expected)) is close


def test_is_close_does_not_change_its_arguments():
    a, e = np.array([1.0, 2.0]), np.array([1.0, 2.5])
    is_close(a, e)
    assert a.tolist() == [1.0, 2.0] and e.tolist() == [1.0, 2.5]
