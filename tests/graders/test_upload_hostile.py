"""Hostile uploads end as ordinary results: never an exception, the grader alive, nothing left behind.

Each file in tests/graders/files/uploads/ attacks the grader's own side (the upload stage,
the notebook and zip readers, the static scan, the text of a result); see EXPECT for what
each must become. Every one goes through the real engine; after it, the result encodes as
UTF-8 and as PostgreSQL jsonb accepts it (no U+0000), no process is left below the zygote,
and the grader grades the reference solution to full marks.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from graders.cli import format_result
from graders.contracts import Job
from tests.conftest import TOY
from tests.graders import hostcheck

FILES = Path(__file__).resolve().parent / "files" / "uploads"
SOLUTION = (TOY / "solution" / "toy.py").read_bytes()
UNGRADABLE = "ungradable"
BANNED = "Banned API"
BOUNDED = "bounded"

# file -> (UNGRADABLE and words of its one message) or (score, words every failed check holds)
EXPECT: dict[str, tuple[str | float, str]] = {
    "coding_utf7.py": (UNGRADABLE, "declares the source encoding 'utf-7'"),
    "coding_vim_line2_utf7.py": (UNGRADABLE, "declares the source encoding 'utf-7'"),
    "coding_formfeed_utf7.py": (UNGRADABLE, "declares the source encoding 'utf-7'"),
    "coding_cr_line2_utf7.py": (UNGRADABLE, "declares the source encoding 'utf-7'"),
    "coding_latin1.py": (UNGRADABLE, "declares the source encoding 'iso-8859-1'"),
    "coding_cp1252.py": (UNGRADABLE, "declares the source encoding 'cp1252'"),
    "coding_unknown.py": (UNGRADABLE, "encoding declaration Python cannot use"),
    "bom_with_latin1_cookie.py": (UNGRADABLE, "encoding declaration Python cannot use"),
    "invalid_utf8.py": (UNGRADABLE, "is not UTF-8 text"),
    "encoded_surrogate.py": (UNGRADABLE, "is not UTF-8 text"),
    "nul_bytes.py": (UNGRADABLE, "contains NUL bytes"),
    "empty.py": (UNGRADABLE, "is empty"),
    "bom_only.py": (UNGRADABLE, "holds no code"),
    "binary.py": (UNGRADABLE, "contains NUL bytes"),
    "line_separators.py": (8.0, BANNED),
    "nested_eval.py": (BOUNDED, BANNED),     # every target flagged, or refused at the scan's CPU bound
    "nb_source_number.ipynb": (UNGRADABLE, "Cell 2 of the notebook has a source that is not text (int)"),
    "nb_metadata_list.ipynb": (UNGRADABLE, "cell 1's metadata is not a JSON object"),
    "nb_nbgrader_metadata_string.ipynb": (UNGRADABLE, "cell 1's nbgrader metadata is not a JSON object"),
    "nb_cells_not_list.ipynb": (UNGRADABLE, "cells are not a JSON array"),
    "nb_cell_not_object.ipynb": (UNGRADABLE, "Cell 2 of the notebook is not a JSON object"),
    "nb_top_level_array.ipynb": (UNGRADABLE, "JSON is not an object"),
    "nb_nested_100000.ipynb": (UNGRADABLE, "nested too deeply"),
    "nb_lone_surrogate.ipynb": (UNGRADABLE, "a lone surrogate"),
    "nb_not_utf8.ipynb": (UNGRADABLE, "not UTF-8 text"),
    "nb_no_cells.ipynb": (UNGRADABLE, "has no cells"),
    "nb_truncated.ipynb": (UNGRADABLE, "not valid JSON"),
    "nb_huge_outputs.ipynb": (10.0, ""),
    "nb_coding_utf7_cell.ipynb": (UNGRADABLE, "declares the source encoding 'utf-7'"),
    "zip_corrupt.zip": (UNGRADABLE, "The zip could not be read"),
    "zip_truncated.zip": (UNGRADABLE, "The zip could not be read"),
    "zip_not_a_zip.zip": (UNGRADABLE, "The zip could not be read"),
    "zip_bomb.zip": (UNGRADABLE, "unpacks to more than"),
    "zip_traversal.zip": (10.0, ""),                # a member name is data: never a path written to
    "zip_symlink.zip": (UNGRADABLE, "symbolic link"),
    "zip_many_members.zip": (UNGRADABLE, "the limit is 64"),
    "zip_two_mains.zip": (UNGRADABLE, "two files named 'toy.py'"),
    "surrogate_in_exception.py": (6.0, "lone"),
    "escape_sequences.py": (6.0, "evil"),
}


def _grade(engine, name: str):
    path = FILES / name
    return engine.grade(Job(assignment_dir=str(TOY), filename=path.name, content=path.read_bytes()))


def _assert_storable(result) -> None:
    """As the site stores it: UTF-8 JSON, and no U+0000 (PostgreSQL's jsonb refuses it)."""
    text = json.dumps(result.to_json(), ensure_ascii=False)
    text.encode("utf-8")
    assert "\x00" not in text and "\\u0000" not in json.dumps(result.to_json())


@pytest.fixture(scope="module")
def baseline():
    """Processes with a sandbox uid that existed before (the host's own, or other test runs)."""
    return hostcheck.baseline_sandbox_uid_pids()


def test_every_hostile_upload_has_expectations():
    assert {p.name for p in FILES.iterdir()} == set(EXPECT)


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_hostile_upload_ends_as_a_result(engine, baseline, name):
    expected, words = EXPECT[name]
    started = time.monotonic()
    result = _grade(engine, name)
    assert time.monotonic() - started < 60           # bounded: a hang would be far past this
    _assert_storable(result)
    if expected == BOUNDED and not result.gradable:
        assert "too large or too complex to check" in result.format_errors[0]
    elif expected == BOUNDED:
        assert result.score == 0 and all(words in t.output for t in result.tests)
    elif expected == UNGRADABLE:
        assert not result.gradable and result.tests == () and result.max_score == 10
        assert len(result.format_errors) == 1 and words in result.format_errors[0], result.format_errors
    else:
        assert result.gradable and result.score == expected, [(t.number, t.output[:200]) for t in result.tests]
        assert all(words in t.output for t in result.tests if t.status == "failed")
    found = hostcheck.wait_for_no_leftovers(engine.zygote.proc.pid, ignore=baseline)
    assert not found, "processes left behind:\n" + "\n".join(found)
    again = engine.grade(Job(assignment_dir=str(TOY), filename="toy.py", content=SOLUTION))
    assert again.score == again.max_score == 10


def test_banned_call_hidden_behind_an_encoding_cookie_is_refused(engine):
    # With UTF-7, the compiler reads `import torch.nn.functional as F` where UTF-8 shows a comment.
    result = _grade(engine, "coding_utf7.py")
    assert not result.gradable and result.score == 0


def test_text_from_the_sandbox_is_made_storable(engine):
    result = _grade(engine, "surrogate_in_exception.py")
    double = result.tests[0]
    assert "lone \ufffd surrogate, NUL  byte" in double.output
    assert "bad byte " in result.stdout and "\x00" not in result.stdout
    assert not any("\ud800" <= c <= "\udfff" for c in result.stdout + double.output)


def test_text_mode_shows_no_terminal_escapes(engine):
    text = format_result(_grade(engine, "escape_sequences.py"), "toy")
    assert "\x1b" not in text and "\r" not in text and "\u202e" not in text and "\x9b" not in text
    assert "evil" in text and text.rstrip().splitlines()[-1].startswith("Score: 6/10")
