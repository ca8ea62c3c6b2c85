"""One program, one view: what the static scan reads is exactly what the sandbox compiles.

The sandbox compiles the module's bytes (`compile(source, filename, "exec", dont_inherit=True)`,
graders/sandbox/child.py), so the compiler decodes them itself (PEP 263). The scan parses the
same bytes with the same call; and the upload stage accepts only bytes whose compiled program
is the program their UTF-8 text shows, so students, TAs and messages quote what runs.
"""
from __future__ import annotations

import ast
import codecs
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from graders.stages.banned import parse_for_scan
from graders.stages.upload import check_source
from graders.unpack import Unusable

CHILD = Path(__file__).resolve().parents[2] / "graders" / "sandbox" / "child.py"
ENCODINGS = ["utf-8", "UTF-8", "utf8", "utf_8", "utf-8-sig", "utf-8-evil", "latin-1", "iso-8859-1", "cp1252",
             "utf-7", "utf-16", "utf-32", "ascii", "euc-kr", "cp949", "shift_jis", "koi8-r", "mac-roman",
             "rot13", "hex", "base64", "no-such-codec", "idna", "punycode", "unicode-escape", "raw-unicode-escape"]
COOKIES = ["# -*- coding: {} -*-", "# vim: set fileencoding={} :", "#coding={}", "\x0c# coding: {}",
           "  # coding:{}", "\t#   coding= {}", "# This file is coding: {}", "#!python coding={}"]
LINE1 = ["", "#!/usr/bin/env python3", "# a comment", "x = 1", "\x0c", "   ", "# coding: utf-8", "\\"]
BODIES = [
    "# x+AAo-import torch.nn.functional as F+AAo-y = F\n",          # UTF-7 hides a line in a comment
    "x = 'caf\u00e9'\n", "x = '\u2028'\n# \u2028 y = 1\n", "# \u0085 next\ny = 2\n", "s = '+ACI-'\n",
    "x = 1\x0c\ny = 2\n", "z = '\u00ff\u00fe'\n", "def f():\n    return '\\u2028'\n", "",
]


def sandbox_view(source: bytes) -> str:
    """The program as graders/sandbox/child.py compiles it."""
    return ast.dump(compile(source, "toy.py", "exec", ast.PyCF_ONLY_AST, dont_inherit=True))


def text_view(source: bytes) -> str:
    """The program its UTF-8 text shows (what a student or TA reads, and messages quote)."""
    return ast.dump(ast.parse(source.decode("utf-8-sig")))


def _outcome(view, source: bytes) -> str:
    try:
        return view(source)
    except (SyntaxError, ValueError, UnicodeError, LookupError, RecursionError, MemoryError) as exc:
        return f"refused: {type(exc).__name__}"


def assert_one_view(source: bytes) -> None:
    try:
        check_source("toy.py", source)
    except Unusable:
        return                                        # refused as ungradable: nothing runs
    sent = source.removeprefix(codecs.BOM_UTF8)       # what the upload stage hands on
    compiled = _outcome(sandbox_view, sent)
    assert compiled == _outcome(text_view, source), source
    assert _outcome(lambda s: ast.dump(parse_for_scan(s, "toy.py")), sent) == compiled


def test_the_scanner_compiles_exactly_as_the_sandbox_does():
    # If the sandbox's compile call changes, parse_for_scan must change with it.
    assert re.search(r'compile\(source, self\.filename, "exec", dont_inherit=True\)', CHILD.read_text())


@pytest.mark.parametrize("enc", ENCODINGS)
@pytest.mark.parametrize("cookie", COOKIES)
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_every_encoding_declaration_is_read_one_way(enc, cookie, newline):
    for line1 in LINE1:
        for body in BODIES[:3]:
            for bom in (b"", codecs.BOM_UTF8):
                text = newline.join([line1, cookie.format(enc), body])
                assert_one_view(bom + text.encode("utf-8"))


@pytest.mark.parametrize("source", [
    b"\r# -*- coding: latin-1 -*-\rx = 'caf\xc3\xa9'\n",               # tokenize sees one line, the compiler two
    b"#" + b"x" * 5000 + b"\n# coding: utf-7\n" + BODIES[0].encode(),      # a long first line
    b"#\xc3\xa9" * 3000 + b"\r\n# coding: latin-1\r\nx = '\xc3\xa9'\n",
])
def test_cookies_the_tokenize_module_misses_are_still_refused(source):
    with pytest.raises(Unusable):
        check_source("toy.py", source)


def test_a_declared_utf7_program_is_refused():
    source = b"# -*- coding: utf-7 -*-\n" + BODIES[0].encode()
    assert "import" not in text_view(source) and "Import" in sandbox_view(source)   # the trick is real
    with pytest.raises(Unusable, match="declares the source encoding 'utf-7'"):
        check_source("toy.py", source)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bom=st.booleans(), line1=st.sampled_from(LINE1), cookie=st.sampled_from(COOKIES + ["", "# {}"]),
       enc=st.sampled_from(ENCODINGS), newline=st.sampled_from(["\n", "\r\n", "\r", "\x0c\n", "\u2028", "\x85"]),
       body=st.sampled_from(BODIES) | st.text(max_size=60), tail=st.binary(max_size=8))
@example(bom=True, line1="", cookie="# coding: {}", enc="latin-1", newline="\n", body="", tail=b"")
def test_scanner_and_compiler_agree_on_any_header(bom, line1, cookie, enc, newline, body, tail):
    text = newline.join([line1, cookie.format(enc), body])
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:
        return                                        # a lone surrogate: no bytes carry it
    assert_one_view((codecs.BOM_UTF8 if bom else b"") + raw + tail)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_scanner_and_compiler_agree_on_any_bytes(data):
    assert_one_view(data)
