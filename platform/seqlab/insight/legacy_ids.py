"""Adapter for results graded before mistakes carried ids: name them from the English feedback.

DELETE THIS MODULE once every stored result has `tests[].extra_data.mistakes` (the engine
writes them now; results graded earlier only name a mistake inside the English `output`).

The assignment version's own `tests/mistakes.py` (kept in the database with the version) is
read with `ast`, never imported: its message strings become patterns, and an id is made from
the constant's name (`NO_SCALE` -> `attention/no-scale`) or, for an inline message, from its
first words. Korean texts are not known here; the English one stands in for both.
"""
from __future__ import annotations

import ast
import re
from functools import lru_cache

MISTAKES_PATH = "tests/mistakes.py"
MIN_MESSAGE = 20          # shorter literals are labels or modes, not messages


def _slug(text: str, words: int = 6) -> str:
    tokens = re.findall(r"[a-z0-9_]+", text.lower())[:words]
    return "-".join(t.replace("_", "-") for t in tokens)[:80].strip("-")


def _is_message(node) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) >= MIN_MESSAGE


def _messages(source: str) -> dict[str, str]:
    """message text -> short name, from constants and the keys of variant dictionaries."""
    tree = ast.parse(source)
    found: dict[str, str] = {}
    for node in ast.walk(tree):     # NAME = "message", at module level or inside a variants function
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if _is_message(node.value):
                found[node.value.value] = node.targets[0].id.lower().replace("_", "-")
    for node in ast.walk(tree):     # Mistake("slug/name", "English", "Korean"): the id is given
        if (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Mistake" and len(node.args) >= 2
                and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args[:2])):
            found[node.args[1].value] = node.args[0].value.split("/", 1)[-1]
    for node in ast.walk(tree):     # {"message": variant, ...} and variants["message"] = ...
        keys = node.keys if isinstance(node, ast.Dict) else [node.slice] if isinstance(node, ast.Subscript) else []
        for key in keys:
            if _is_message(key) and key.value not in found:
                found[key.value] = _slug(key.value)
    return found


def _pattern(message: str) -> re.Pattern:
    parts = re.split(r"\{\w*\}", message)        # "{mask}" placeholders match anything on one line
    return re.compile("[^\n]+?".join(re.escape(p) for p in parts))


@lru_cache(maxsize=64)
def catalogue(slug: str, source: str) -> tuple[tuple[str, re.Pattern, str], ...]:
    """(id, pattern, English text) for each message, longest first so a longer one wins."""
    try:
        messages = _messages(source)
    except SyntaxError:
        return ()
    rows = [(f"{slug}/{name}", _pattern(text), text) for text, name in messages.items()]
    return tuple(sorted(rows, key=lambda r: -len(r[2])))


def named_in(output: str, rows) -> list[tuple[str, str]]:
    """(id, text) of each message found in a check's output; a match inside a longer one is dropped."""
    taken: list[tuple[int, int]] = []
    found: list[tuple[str, str]] = []
    for mistake_id, pattern, text in rows:
        for match in pattern.finditer(output):
            span = match.span()
            if any(a <= span[0] and span[1] <= b for a, b in taken):
                continue
            taken.append(span)
            if mistake_id not in {f[0] for f in found}:
                found.append((mistake_id, text))
    return found


def mistakes_source(version) -> str:
    """The text of the version's tests/mistakes.py ('' when it has none)."""
    row = version.files.filter(path=MISTAKES_PATH).select_related("blob").first()
    return bytes(row.blob.data).decode("utf-8", "replace") if row else ""
