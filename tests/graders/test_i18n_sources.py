"""Every message the engine writes for a student has a Korean form, read from the source.

The stages, the upload readers and the sandbox proxy write plain English sentences that
graders/i18n_catalogue.py translates by their wording. This test reads graders/ with `ast`,
finds each expression handed to a place whose text a student reads (the sinks below), works
out the sentences it can make (f-string fields filled with a sample value, both branches of a
conditional, each piece of a concatenation, module constants and their `.format`) and fails on
any sentence the catalogue does not translate completely. A `T(en, ko)` is bilingual already.
An expression it cannot work out must be a relay (it passes on a message made elsewhere, which
is checked where it is made) and is named in RELAYS, so a new kind of message cannot slip by.
"""
from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

import pytest

from graders.i18n import has_hangul
from graders.i18n_catalogue import _ENTRIES, knows, translate

GRADERS = Path(__file__).resolve().parents[2] / "graders"
SAMPLE = "1"                 # what a field of an f-string becomes: a number, a name or a word
MAX_SENTENCES = 64           # per expression: conditionals multiply

# Where a text a student reads is made: (callee name, index of the message argument).
CALL_SINKS = {"Unusable": 0, "reject": 0, "append": 0, "StudentError": 1, "CheckFailure": 0, "fail": 0,
              "ProtocolError": 0, "BoundExceeded": 0, "ScanLimitExceeded": 0,
              "_add": 3}                 # the static scan's reason a use cannot be checked
# `append` is a sink only on the notes of a grading (ctx.notes.append).
APPEND_ON = "notes"
# Functions whose return value is a message (or a (fraction, message) pair).
RETURN_SINKS = {("sandbox/proxy.py", "_death"), ("budget.py", "_spent_text"), ("stages/run_checks.py", "_outcome")}
# Functions whose ValueError is the student's message (answers.json).
VALUE_ERROR_SINKS = {("quiz.py", "parse_answers")}
# Files that make no student text through these names: the sandbox's own process (its errors reach
# the grader as "<call> raised <Type>: <message>", shown as Python's exception messages are), and
# the translation machinery itself.
SKIPPED = {"sandbox/child.py", "i18n.py", "i18n_catalogue.py"}
# Plain data a stage hands on as a message: static_outcome's {"load_failure": ..., "reject": ...}.
DICT_SINKS = {"load_failure", "reject"}
# The English words the Korean texts keep on purpose (file formats, units, code words): any other
# English word in the Korean of a sentence came from the English and was not translated.
KOREAN_VOCABULARY = {w for _, ko in _ENTRIES for w in re.findall(r"[A-Za-z]{2,}", re.sub(r"\{\w*\}", " ", ko))}

# Expressions that pass on a message made elsewhere (file, source text) -> where that one is checked.
RELAYS = {
    ("stages/upload.py", "str(exc)"): "Unusable messages (graders/unpack.py, stage_upload)",
    ("stages/answers.py", "str(exc)[:500]"): "parse_answers' ValueError (VALUE_ERROR_SINKS)",
    ("stages/static_check.py", "str(exc)"): "BoundExceeded / ScanLimitExceeded messages",
    ("stages/run_checks.py", "ctx.load_failure"): "static_outcome's load_failure (its returns below)",
    ("stages/run_checks.py", "earlier"): "the first timeout's StudentError message",
    ("stages/run_checks.py", "message_of(exc)"): "CheckFailure messages (checks.py constants, proxy.py)",
    ("stages/run_checks.py", "str(exc) or 'an expectation of this check was not met'"):
        "an assertion's message from the assignment's checks (graders check: text_problems)",
    ("stages/run_checks.py", "text(value[1])"): "a check's own message (graders check: text_problems)",
    ("budget.py", "earlier"): "the first timeout's StudentError message",
    ("budget.py", "self._spent_text(targets)"): "_spent_text (RETURN_SINKS)",
    ("budget.py", "f'{err}; {self._spent_text(targets)}'"): "a timeout message and _spent_text",
    ("sandbox/proxy.py", "f'{what}: {self._death(report)}'"): "_death's returns (RETURN_SINKS)",
    ("sandbox/proxy.py", "f'{what}: {message}'"): "the sandbox's protocol complaint (`unknown op`, in the catalogue)",
    ("sandbox/proxy.py", "text"): "_exception's `X raised Type: message` (tested in test_i18n_hostile.py)",
    ("checks.py", "message"): "fail()/expect_true(): the caller's message (a T)",
    ("checks.py", "_then(exc, hint)"): "expect_* messages (T constants)",
    ("checks.py", "_then(message, diagnose(actual, mistakes, atol=atol, rtol=rtol))"): "T constants",
    ("checks.py", "_then(message, hint)"): "T constants",
    ("checks.py", "_then(NOT_FINITE.format(what=what, parts=NOT_FINITE_AND.join(parts), size=a.size), hint)"):
        "T constants",
}


def _modules() -> list[tuple[str, ast.Module]]:
    found = []
    for path in sorted(GRADERS.rglob("*.py")):
        rel = path.relative_to(GRADERS).as_posix()
        if rel not in SKIPPED and "__pycache__" not in rel:
            found.append((rel, ast.parse(path.read_text(encoding="utf-8"), rel)))
    return found


class Sentences:
    """The English sentences an expression can make, or None when it cannot be worked out."""

    def __init__(self, tree: ast.Module) -> None:
        self.locals: dict[str, ast.expr] = {}
        self.constants: dict[str, ast.expr] = {}
        self.imports: dict[str, str] = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                self.constants[node.targets[0].id] = node.value
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("graders"):
                for alias in node.names:
                    self.imports[alias.asname or alias.name] = node.module

    def of(self, node: ast.expr) -> list[str] | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.JoinedStr):
            parts = [[v.value] if isinstance(v, ast.Constant) else self._field(v) for v in node.values]
            return self._product(parts)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.of(node.left), self.of(node.right)
            return None if left is None or right is None else self._product([left, right])
        if isinstance(node, ast.IfExp):
            body, orelse = self.of(node.body), self.of(node.orelse)
            return None if body is None or orelse is None else (body + orelse)[:MAX_SENTENCES]
        if isinstance(node, ast.Name) and node.id in self.locals:
            value = self.locals.pop(node.id)          # once: `x = x + ...` must not loop
            try:
                return self.of(value)
            finally:
                self.locals[node.id] = value
        if isinstance(node, ast.Name):
            return self._constant(node.id)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            templates = self.of(node.func.value)
            return None if templates is None else [_fill(t) for t in templates]
        return None

    def at(self, function: ast.AST | None) -> "Sentences":
        """These sentences inside `function`: a local variable assigned once there is known too."""
        scoped = object.__new__(Sentences)
        scoped.constants, scoped.imports, scoped.locals = self.constants, self.imports, {}
        if function is None:
            return scoped
        assigned: dict[str, list[ast.AST]] = {}
        for node in ast.walk(function):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
                node, (ast.AugAssign, ast.AnnAssign, ast.For)) else []
            for target in targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node)
        scoped.locals = {name: nodes[0].value for name, nodes in assigned.items()
                         if len(nodes) == 1 and isinstance(nodes[0], ast.Assign)}
        return scoped

    def bilingual(self, node: ast.expr) -> bool:
        """A T(en, ko) (or a constant holding one, or its .format)."""
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "T":
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            return self.bilingual(node.func.value)
        if isinstance(node, ast.Name):
            value = self.constants.get(node.id) or _imported(self.imports.get(node.id), node.id)
            return value is not None and self.bilingual(value)
        return False

    def _constant(self, name: str) -> list[str] | None:
        value = self.constants.get(name)
        if value is None or name != name.upper():     # module constants only, not local variables
            return None
        if isinstance(value, ast.Dict):               # a table of texts: any of its values
            found = [self.of(v) for v in value.values]
            return None if any(f is None for f in found) else [s for f in found for s in f]
        return self.of(value)

    def _field(self, node: ast.FormattedValue) -> list[str]:
        """A field of an f-string: a module table's or constant's texts, else a sample value."""
        inner = node.value
        if isinstance(inner, ast.Subscript) and isinstance(inner.value, ast.Name):
            table = self._constant(inner.value.id)
            if table is not None:
                return table
        if isinstance(inner, ast.Name):
            found = self.of(inner)
            if found is not None:
                return found
        return ["'1'" if node.conversion == ord("r") else SAMPLE]

    @staticmethod
    def _product(parts: list[list[str]]) -> list[str]:
        return ["".join(p) for p in itertools.islice(itertools.product(*parts), MAX_SENTENCES)]


def _fill(template: str) -> str:
    return re.sub(r"\{[^{}]*\}", SAMPLE, template).replace("{{", "{").replace("}}", "}")


def _imported(module: str | None, name: str) -> ast.expr | None:
    if module is None:
        return None
    path = GRADERS.parent / (module.replace(".", "/") + ".py")
    if not path.is_file():
        return None
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return node.value
    return None


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _messages(rel: str, tree: ast.Module):
    """(line, expression, enclosing function) for each message handed to a sink in one module."""
    enclosing = {n: f for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                 for n in ast.walk(f)}
    for line, node in _sinks(rel, tree, {n: f.name for n, f in enclosing.items()}):
        yield line, node, enclosing.get(node)


def _sinks(rel: str, tree: ast.Module, functions: dict[ast.AST, str]):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name, index = _callee(node), CALL_SINKS.get(_callee(node))
            if name == "append" and not (isinstance(node.func, ast.Attribute)
                                         and isinstance(node.func.value, ast.Attribute)
                                         and node.func.value.attr == APPEND_ON):
                continue
            if name == "ValueError" and (rel, functions.get(node)) in VALUE_ERROR_SINKS:
                index = 0
            if index is not None and len(node.args) > index:
                yield node.lineno, node.args[index]
            if name == "__init__" and rel == "errors.py" and len(node.args) == 2:   # StudentError's subclasses
                yield node.lineno, node.args[1]
        elif isinstance(node, ast.Return) and node.value is not None and (rel, functions.get(node)) in RETURN_SINKS:
            value = node.value
            if isinstance(value, ast.Tuple) and len(value.elts) == 2:
                value = value.elts[1]
            yield node.lineno, value
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and key.value in DICT_SINKS:
                    yield node.lineno, value


def _all_messages():
    for rel, tree in _modules():
        sentences = Sentences(tree)
        for line, node, function in _messages(rel, tree):
            yield rel, line, node, sentences.at(function)


def english_left(korean: str) -> set[str]:
    """English words in the Korean of a sentence made with sample values, beyond those the
    catalogue's Korean keeps on purpose."""
    return set(re.findall(r"[A-Za-z]{2,}", korean)) - KOREAN_VOCABULARY


def test_the_scan_finds_the_messages_it_is_meant_to():
    """A guard on the scan itself: the sinks still exist where the engine writes its messages."""
    found = {(rel, ast.unparse(node)) for rel, _, node, _ in _all_messages()}
    files = {rel for rel, _ in found}
    assert {"unpack.py", "stages/upload.py", "stages/answers.py", "stages/static_check.py", "stages/run_checks.py",
            "sandbox/proxy.py", "sandbox/decoding.py", "sandbox/protocol.py", "budget.py", "errors.py", "quiz.py",
            "bounded.py", "sandbox/host.py", "stages/banned/scan.py", "stages/banned/names.py"} <= files, files
    assert len(found) > 80


def test_every_engine_message_has_its_korean():
    untranslated, unknown = [], []
    for rel, line, node, sentences in _all_messages():
        if sentences.bilingual(node) or (rel, ast.unparse(node)) in RELAYS:
            continue
        made = sentences.of(node)
        if made is None:
            if (rel, ast.unparse(node)) not in RELAYS:
                unknown.append(f"{rel}:{line}: {ast.unparse(node)}")
            continue
        for sentence in (s for s in made if s.strip()):
            if not knows(sentence):
                untranslated.append(f"{rel}:{line}: {sentence!r}")
            elif english_left(translate(sentence).ko):
                untranslated.append(f"{rel}:{line}: {sentence!r} keeps English in Korean: "
                                    f"{sorted(english_left(translate(sentence).ko))}")
    assert not untranslated, "no Korean in graders/i18n_catalogue.py for:\n" + "\n".join(untranslated)
    assert not unknown, ("messages the scan cannot read: make them T(en, ko), or name them in RELAYS with "
                         "where the message they pass on is checked:\n" + "\n".join(unknown))


def test_every_relay_still_exists():
    """A relay that is gone from the source is removed here too (the list stays the truth)."""
    found = {(rel, ast.unparse(node)) for rel, _, node, _ in _all_messages()}
    assert set(RELAYS) <= found, sorted(set(RELAYS) - found)


@pytest.mark.parametrize("english", [
    "timed out after 2 s in double; `double` used up its time budget of 5 s",
    "timed out after 2 s in Scale.forward (the submission's total time limit ran out); meanwhile the kernel "
    "killed 3 of its processes for going over the memory limit (256 MiB for all its processes); `Scale` used up "
    "its time budget of 4 s",
    "double: the sandbox sent malformed data (header is not JSON: Expecting value: line 1 column 1 (char 0))",
    "answers.json is not valid JSON (Unterminated string starting at: line 1 column 9 (char 8))",
    "answers.json is not valid JSON ('utf-8' codec can't decode byte 0xff in position 0: invalid start byte)",
    "attention.py is too large or too complex to check for banned APIs (more than 200000 syntax nodes; the grader "
    "reads at most 200000 syntax nodes, in 5 s of CPU and 512 MiB). Split out data and generated code and upload "
    "it again.",
    "double raised AttributeError: toy.py does not define 'double'\n  File \"toy.py\", line 3",
    "double: your code used 9000 MiB of GPU memory; the limit is 8192 MiB",
    "Banned API: `double` uses torch.nn (line 4: `torch.nn` is handed on as a value, so what it reaches cannot "
    "be checked); `double` uses `getattr(torch, ...)` with a name computed at run time (line 6), which the grader "
    "cannot check for banned APIs. Implement it yourself; this check scores 0.",
])
def test_composed_messages_are_translated_in_every_part(english):
    """Messages whose parts are translated in turn: no English part is left inside the Korean."""
    assert knows(english), english
    korean = translate(english).ko
    assert has_hangul(korean) and korean != english
    for leftover in ("used up", "time budget", "Expecting", "Unterminated", "codec", "does not define",
                     "syntax nodes", "GPU memory", "handed on", "computed at run time", "the grader"):
        assert leftover not in korean, korean


def test_an_unknown_part_makes_a_message_unknown():
    """`knows` is strict: a known frame around an English part the catalogue lacks is not enough."""
    assert not knows("double: the sandbox sent malformed data (a reason nobody wrote down)")
    assert not knows("answers.json is not valid JSON (Some new parser complaint: line 1 column 2 (char 1))")
    assert knows("double: the sandbox sent malformed data (a buffer is referenced twice)")
