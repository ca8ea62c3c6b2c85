"""positional-encoding graded end to end: every correct style earns full marks, every classic
mistake loses exactly the checks it should and the feedback names it."""
import re
import tomllib
from pathlib import Path

import pytest

from graders.assignment import load_assignment
from graders.contracts import Job
from tests.content.naming import is_named

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = ROOT / "assignments" / "positional-encoding"
FILES = Path(__file__).parent / "positional_encoding"

# check names, as results carry them (the first line of each check's docstring)
P_TABLE = "Sinusoidal table for max_len=10, d_model=8"
P_ODD = "Sinusoidal encoding raises ValueError for an odd d_model"
P_LEARNED = "Learned embedding adds weight[:T] to x"
P_ROPE = "RoPE on an input of shape (2, 5, 8)"
T_D2 = "Sinusoidal table with d_model=2"
T_L1 = "Sinusoidal table with max_len=1"
T_ODD_LEN = "Sinusoidal table with an odd max_len, arguments by keyword"
T_LONG = "Sinusoidal table for 2048 positions"
T_WIDE = "Sinusoidal table with d_model=512"
V_ODD = "Sinusoidal encoding rejects d_model=1 and d_model=63"
V_NONPOS = "Sinusoidal encoding rejects d_model=0 and a negative d_model"
V_NONINT = "Sinusoidal encoding rejects a non-integer d_model"
V_MAXLEN = "Sinusoidal encoding rejects max_len=0 and a negative max_len"
L_STRUCT = "Learned embedding has one trainable parameter `weight` of shape (max_len, d_model)"
L_FWD = "Learned embedding returns x + weight[:T] for several batch sizes and lengths"
L_FULL = "Learned embedding accepts a sequence of exactly max_len positions"
L_LONG = "Learned embedding raises ValueError when T > max_len"
L_GRAD = "Learned embedding passes gradients to weight and to x"
L_INPLACE = "Learned embedding does not modify x in place"
R_DIMS = "RoPE on (B, H, T, d) and 5-D inputs"
R_WIDE = "RoPE on a 2-D (T, d) input with d=128"
R_D2 = "RoPE with d=2"
R_BASE = "RoPE with a non-default base, by keyword and by position"
R_ODD = "RoPE raises ValueError for an odd last dimension"
R_INPLACE = "RoPE does not modify x in place"

TABLES = {P_TABLE, T_ODD_LEN, T_LONG, T_WIDE}
ROPE_VALUES = {P_ROPE, R_DIMS, R_WIDE, R_BASE}
LEARNED_VALUES = {P_LEARNED, L_FWD, L_GRAD}

# mistake file -> (the checks it must fail, exactly; the mistake's id naming it, or words of the feedback
# for a failure that is no named mistake (tests/content/naming.py); checks that must name it)
MISTAKES = {
    "sin_cos_swapped": (TABLES | {T_D2, T_L1}, "positional-encoding/sin-cos-swapped", None),
    "sin_cos_halves": (TABLES | {T_L1}, "positional-encoding/sin-cos-halves", None),
    "table_positions_from_one": (TABLES | {T_D2, T_L1}, "positional-encoding/positions-from-one", None),
    "exponent_column_doubled": (TABLES, "positional-encoding/exponent-column-doubled", None),
    "exponent_cos_shifted": (TABLES | {T_D2}, "positional-encoding/exponent-cos-next-column", None),
    "exponent_i_over_d": (TABLES, "positional-encoding/exponent-i-over-d", None),
    "exponent_per_column": (TABLES | {T_D2}, "positional-encoding/exponent-odd-column", None),
    "exponent_integer_division": (TABLES, "positional-encoding/exponent-integer-division", None),
    "frequencies_grow": (TABLES, "positional-encoding/frequencies-grow", None),
    "asserts_instead_of_valueerror": ({P_ODD, V_ODD, V_NONPOS, V_NONINT, V_MAXLEN},
                                      "expected ValueError, but it raised AssertionError", None),
    "odd_check_misses_fractions": ({V_NONPOS, V_NONINT, V_MAXLEN}, "the call returned normally", None),
    "learned_whole_table": ({P_LEARNED, L_FWD, L_GRAD, L_INPLACE},
                            "positional-encoding/learned-whole-table", None),
    "learned_slice_from_one": (LEARNED_VALUES | {L_FULL}, "positional-encoding/learned-slice-from-one", LEARNED_VALUES),
    "learned_last_rows": (LEARNED_VALUES, "positional-encoding/learned-last-rows", None),
    "learned_batch_axis": (LEARNED_VALUES | {L_FULL, L_LONG, L_INPLACE}, "positional-encoding/learned-batch-axis",
                           LEARNED_VALUES | {L_FULL, L_INPLACE}),
    "learned_embeddings_only": ({P_LEARNED, L_FWD, L_FULL, L_GRAD}, "positional-encoding/learned-embeddings-only",
                                {P_LEARNED, L_FWD, L_FULL}),
    "learned_multiplies": ({P_LEARNED, L_FWD, L_FULL, L_GRAD}, "positional-encoding/learned-multiplies", None),
    "learned_buffer": ({L_STRUCT, L_GRAD}, "positional-encoding/learned-weight-buffer", {L_STRUCT}),
    "learned_embedding_submodule": ({P_LEARNED, L_STRUCT, L_FWD, L_FULL, L_GRAD, L_INPLACE},
                                    "embedding.weight", None),
    "learned_inplace": ({L_GRAD, L_INPLACE}, "positional-encoding/learned-in-place", None),
    "learned_no_length_check": ({L_LONG}, "expected ValueError, but it raised RuntimeError", None),
    "learned_rejects_full_length": ({L_FULL}, "positional-encoding/learned-rejects-max-len", None),
    "rope_halves": (ROPE_VALUES, "positional-encoding/rope-rotate-half", None),
    "rope_output_halves": (ROPE_VALUES, "positional-encoding/rope-output-halves", None),
    "rope_reversed": (ROPE_VALUES | {R_D2}, "positional-encoding/rope-wrong-direction", None),
    "rope_i_over_d": (ROPE_VALUES, "positional-encoding/rope-exponent-i-over-d", None),
    "rope_column_index": (ROPE_VALUES, "positional-encoding/rope-exponent-column-doubled", None),
    "rope_positions_from_one": (ROPE_VALUES | {R_D2}, "positional-encoding/rope-positions-from-one", None),
    "rope_frequencies_grow": (ROPE_VALUES, "positional-encoding/rope-frequencies-grow", None),
    "rope_ignores_base": ({R_BASE}, "positional-encoding/rope-base-ignored", None),
    "rope_no_odd_check": ({R_ODD}, "expected ValueError, but it raised RuntimeError", None),
    "rope_inplace": ({R_INPLACE}, "changed its argument `x` in place", None),
}

CORRECT = sorted(FILES.glob("correct_*.py")) + [ROOT / "reference" / "positional_encoding.py"]


def grade(engine, path: Path):
    return engine.grade(Job(assignment_dir=str(ASSIGNMENT), filename="positional.py", content=path.read_bytes()))


def test_every_mistake_file_is_listed():
    on_disk = {p.stem.removeprefix("mistake_") for p in FILES.glob("mistake_*.py")}
    assert on_disk == set(MISTAKES)


@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_correct_style_earns_full_marks(engine, path):
    result = grade(engine, path)
    failed = {t.name: t.output for t in result.tests if t.status != "passed"}
    assert failed == {}
    assert result.score == result.max_score == 34


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_mistake_is_caught_and_named(engine, name):
    must_fail, words, named_in = MISTAKES[name]
    result = grade(engine, FILES / f"mistake_{name}.py")
    failed = {t.name: t for t in result.tests if t.status != "passed"}
    assert set(failed) == must_fail
    assert all(t.score == 0 for t in failed.values())
    assert result.score == result.max_score - sum(t.max_score for t in failed.values())
    for check in named_in or must_fail:
        assert is_named(failed[check], words), f"{check}: {failed[check].output}"


def test_starter_earns_nothing_without_crashing(engine):
    result = grade(engine, ASSIGNMENT / "starter" / "positional.py")
    assert result.gradable
    assert len(result.tests) == 25
    assert result.score == 0
    assert all("NotImplementedError" in t.output for t in result.tests)


def test_statements_list_every_check_with_its_points_and_visibility():
    assignment = load_assignment(ASSIGNMENT)
    checks = assignment.checks()
    declared = tomllib.loads((ASSIGNMENT / "assignment.toml").read_text(encoding="utf-8"))["points"]
    assert sum(c.spec.points for c in checks) == declared
    for info in checks:
        assert info.spec.points == int(info.spec.points)
        assert info.spec.visibility == ("visible" if info.folder == "public" else "after_due_date")
    for lang in ("ko", "en"):
        rows = dict(re.findall(r"^\| (.+?) \| (\d+) \|$", assignment.statement(lang), flags=re.M))
        assert rows == {c.spec.name: str(int(c.spec.points)) for c in checks}, lang
