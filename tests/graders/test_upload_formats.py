"""The readers of uploaded containers (graders/unpack.py) and the text rules of results (graders/text.py)."""
from __future__ import annotations

import io
import json
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graders.contracts import CheckResult, Result
from graders.text import clean, for_terminal
from graders.unpack import Unusable, notebook_code, unzip


def _nb(cells, **top) -> bytes:
    return json.dumps({"nbformat": 4, "metadata": {}, "cells": cells, **top}).encode()


def test_notebook_code_skips_test_cells_and_comments_magics_on_any_line_end():
    cells = [{"cell_type": "code", "source": ["%matplotlib inline\r\n", "x = 1\r!ls\r\n"]},
             {"cell_type": "code", "source": "assert False", "metadata": {"nbgrader": {"grade": True}}},
             {"cell_type": "markdown", "source": "# text"}]
    assert notebook_code(_nb(cells)) == b"# %matplotlib inline\nx = 1\n# !ls\n\n"


def test_notebook_code_keeps_line_separators_the_compiler_keeps():
    # str.splitlines would cut at U+2028 and U+0085; the compiler does not, nor does extraction.
    source = "s = 'a\u2028b'  # \u0085 c\n"
    assert notebook_code(_nb([{"cell_type": "code", "source": source}])) == source.encode() + b"\n"


def test_format_3_notebooks_are_read():
    nb = {"nbformat": 3, "worksheets": [{"cells": [{"cell_type": "code", "input": "x = 1\n"}]}]}
    assert notebook_code(json.dumps(nb).encode()) == b"x = 1\n\n"


def _zip(members, method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


def test_zip_members_are_kept_by_base_name_without_macos_folders():
    members = unzip(_zip([("hw/toy.py", "x = 1\n"), ("__MACOSX/hw/._toy.py", "junk"), ("hw/diagram.dot", "g")]))
    assert members == {"toy.py": b"x = 1\n", "diagram.dot": b"g"}


def test_a_member_is_read_only_up_to_its_bound_whatever_its_header_says():
    with pytest.raises(Unusable, match="compressed more than 200:1"):
        unzip(_zip([("toy.py", b"#" * (4 << 20))]))


@pytest.mark.parametrize("text, expected", [
    ("a\ud800b", "a\ufffdb"), ("nul\x00byte", "nulbyte"), ("\udc80\udcff", "\ufffd\ufffd"), ("plain", "plain"),
])
def test_clean_makes_text_storable(text, expected):
    assert clean(text) == expected


def test_clean_caps_length_and_says_so():
    out = clean("x" * 100, limit=10)
    assert out.startswith("x" * 10) and "90 more characters cut" in out


@pytest.mark.parametrize("text", [
    "\x1b[2J\x1b[HScore", "\x1b]0;title\x07Score", "\x1b]8;;http://x\x1b\\Score", "\x9b2JScore",
    "Sc\rore", "\u202eScore", "\x1bPq#0;2;0;0;0\x1b\\Score", "\x07\x08Score",
])
def test_terminal_text_has_no_escapes_or_controls(text):
    out = for_terminal(text)
    assert "Score" in out
    assert not any(ord(c) < 32 and c not in "\n\t" or 0x7f <= ord(c) <= 0x9f or c == "\u202e" for c in out)


@given(st.text())
def test_any_text_in_a_result_encodes_and_fits_jsonb(text):
    check = CheckResult(name=text, score=0, max_score=1, status="failed", output=text, visibility="visible")
    result = Result(score=0, max_score=1, execution_time=0, output=text, tests=(check,), stdout=text,
                    format_errors=(text,), sandbox={"message": text, text[:5]: [text]})
    data = json.dumps(result.to_json(), ensure_ascii=False)
    data.encode("utf-8")
    assert "\x00" not in data and "\\u0000" not in json.dumps(result.to_json())
    assert not any(ord(c) < 32 and c not in "\n\t" for c in for_terminal(text))
