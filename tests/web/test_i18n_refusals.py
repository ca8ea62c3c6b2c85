"""Refusals the site shows people are in their language: no English literal reaches them.

Services raise `...Refused` / `...FileError` with a message the view shows as it is, so the
message must be translated where it is made (gettext with %-placeholders), never an English
literal or f-string (which no catalogue can match).
"""
import ast
from pathlib import Path

SITE = Path(__file__).resolve().parents[2] / "platform" / "seqlab"
SHOWN = ("Refused", "FileError")


def _literal(node: ast.expr) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


def english_refusals() -> list[str]:
    found = []
    for path in sorted(SITE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            func = node.exc.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            # The message is the last argument (a code may come first: SubmissionRefused("closed", ...)).
            if name.endswith(SHOWN + ("JSONRefused",)) and node.exc.args and _literal(node.exc.args[-1]):
                found.append(f"{path.relative_to(SITE)}:{node.lineno} {name}")
    return found


def test_no_refusal_is_an_english_literal():
    assert english_refusals() == []


def test_the_rule_sees_a_literal():
    tree = ast.parse('raise RosterRefused("The file is empty.")\nraise X(f"{a} b")\nraise RosterRefused(_("ok"))')
    calls = [n.exc for n in ast.walk(tree) if isinstance(n, ast.Raise)]
    assert [_literal(c.args[-1]) for c in calls] == [True, True, False]
