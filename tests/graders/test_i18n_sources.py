"""Every message the engine writes for a student has a Korean form, read from the source.

The stages, the upload readers and the sandbox proxy write plain English sentences that
graders/i18n_catalogue.py translates by their wording. This test reads graders/ with `ast`,
finds each expression handed to a place whose text a student reads (the sinks below), works
out the sentences it can make (f-string fields filled with a sample value, both branches of a
conditional or `or`, each piece of a concatenation, local and module constants and their
`.format`) and fails on any sentence the catalogue does not translate completely, or whose
Korean keeps English words. A `T(en, ko)` is bilingual already. An expression it cannot work
out must be a relay: it holds no words of its own (`str(exc)`, a variable, `f"{what}: {why}"`)
and passes on a message made, and checked, elsewhere; one that holds words it cannot work out
fails the test, so a new way of writing a message cannot slip by.
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
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):     # `str(exc) or "default"`
            found = [f for f in map(self.of, node.values) if f is not None]
            return [x for f in found for x in f][:MAX_SENTENCES] if found else None
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
        # A name assigned once (or assigned, then extended with `+=`, e.g. a traceback appended).
        scoped.locals = {name: nodes[0].value for name, nodes in assigned.items()
                         if isinstance(nodes[0], ast.Assign)
                         and all(isinstance(n, ast.AugAssign) and isinstance(n.op, ast.Add) for n in nodes[1:])}
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


def has_words(node: ast.expr) -> bool:
    """Whether an expression holds English of its own (a string literal with a word in it)."""
    return any(isinstance(n, ast.Constant) and isinstance(n.value, str) and re.search(r"[A-Za-z]{2,}", n.value)
               for n in ast.walk(node))


def problems(messages) -> tuple[list[str], list[str]]:
    """(sentences without a complete Korean form, messages with words the scan cannot read)."""
    untranslated, unreadable = [], []
    for rel, line, node, sentences in messages:
        if sentences.bilingual(node):
            continue
        made = sentences.of(node)
        if made is None:
            if has_words(node):
                unreadable.append(f"{rel}:{line}: {ast.unparse(node)}")
            continue                                   # a relay: checked where its message is made
        for sentence in (s for s in made if re.search(r"[A-Za-z]{2,}", s)):   # only fields: a relay
            if not knows(sentence):
                untranslated.append(f"{rel}:{line}: {sentence!r}")
            elif english_left(translate(sentence).ko):
                untranslated.append(f"{rel}:{line}: {sentence!r} keeps English in Korean: "
                                    f"{sorted(english_left(translate(sentence).ko))}")
    return untranslated, unreadable


def test_every_engine_message_has_its_korean():
    untranslated, unreadable = problems(_all_messages())
    assert not untranslated, "no Korean in graders/i18n_catalogue.py for:\n" + "\n".join(untranslated)
    assert not unreadable, ("messages the scan cannot read: write them as T(en, ko), or as sentences it reads "
                            "(literals, f-strings, +, conditionals, constants):\n" + "\n".join(unreadable))


SYNTHETIC = '''
LIMIT_TEXT = "The upload is {n} KiB; the limit is {m} KiB."


def stage(ctx, exc, names, size):
    ctx.reject(str(exc))                                           # a relay
    ctx.reject(f"{names[0]}: {exc}")                               # a relay of two parts
    ctx.reject(LIMIT_TEXT.format(n=size, m=8))                     # known
    ctx.notes.append(f"Uploaded {names[0]}; graded as {names[1]}.")  # known
    ctx.notes.append(T("new", "새"))                              # bilingual
    ctx.notes.append("The upload made the grader sad.")            # unknown to the catalogue
    message = "Ignored files this assignment does not use: " + names[0]
    message += " and some more."                                   # read as its first assignment
    ctx.notes.append(message)
    raise Unusable("These files were ignored: " + ", ".join(names))  # words the scan cannot read
'''


def test_the_scan_fails_on_untranslated_and_unreadable_messages():
    """The test above can fail: a module with one message of each kind."""
    tree = ast.parse(SYNTHETIC)
    sentences = Sentences(tree)
    untranslated, unreadable = problems(
        (rel, line, node, sentences.at(function)) for rel, (line, node, function) in
        (("stages/synthetic.py", m) for m in _messages("stages/synthetic.py", tree)))
    assert untranslated == ["stages/synthetic.py:11: 'The upload made the grader sad.'"]
    assert unreadable == ["stages/synthetic.py:15: 'These files were ignored: ' + ', '.join(names)"]


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
