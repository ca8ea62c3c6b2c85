"""Make text a submission influenced safe to store and to show.

`clean` is applied to every text field of a result when it is built (graders/contracts.py):
the student's prints, exception messages and tracebacks from the sandbox, names from an
upload. After it, a result always encodes as UTF-8 and stores in PostgreSQL's jsonb (which
refuses U+0000). `for_terminal` is for the CLI's text mode only: it also removes what a
terminal would act on instead of printing (escape sequences, carriage returns, bidi
overrides), so student output cannot hide or rewrite the score line on a TA's screen.
"""
from __future__ import annotations

import re
from typing import Any

from graders.i18n import T
from graders.limits import MAX_RESULT_TEXT

_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"               # CSI: colours, cursor moves, erase line
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"   # OSC: window titles, hyperlinks
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"        # DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]?"                     # any other escape
    r"|\x9b[0-?]*[ -/]*[@-~]")               # 8-bit CSI
# Control characters (C0 but tab and newline, DEL, C1) and bidirectional overrides.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


# Said where a text was cut, in the text's language (the catalogue knows the English too).
CUT = T("\n[... {n} more characters cut]", "\n[... {n}자를 잘라 냈습니다]")


def clean(text: Any, *, limit: int = MAX_RESULT_TEXT, lang: str = "en") -> str:
    """Text that encodes as UTF-8 and fits jsonb: lone surrogates replaced, NUL removed, length capped.

    A bilingual text (graders.i18n.T) stays bilingual: both languages are cleaned, and each says
    in its own language where it was cut."""
    if isinstance(text, T):
        return T(clean(text.en, limit=limit), clean(text.ko, limit=limit, lang="ko"), text.mistakes)
    if not isinstance(text, str):
        text = str(text)
    if len(text) > limit:
        text = text[:limit] + CUT.get(lang).format(n=len(text) - limit)
    return _SURROGATE.sub("\ufffd", text).replace("\x00", "")


def clean_data(value: Any, *, depth: int = 8) -> Any:
    """`clean` applied to every string (and key) of plain JSON-like data, to a bounded depth."""
    if isinstance(value, str):
        return clean(value)
    if depth <= 0:
        return clean(repr(value)) if isinstance(value, (dict, list, tuple)) else value
    if isinstance(value, dict):
        return {clean(k) if isinstance(k, str) else k: clean_data(v, depth=depth - 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(clean_data(v, depth=depth - 1) for v in value)
    return value


def for_terminal(text: str) -> str:
    """`clean` text with terminal escape sequences and other control characters removed."""
    return _CONTROL.sub("", _ESCAPE.sub("", clean(text)))
