"""Load an assignment folder: its manifest, statements, starter, solution and checks.

An assignment is data an instructor keeps in git; loading it never runs the checks, and
the same folder always yields the same `content_hash` (the version results record).
"""
from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
import tomllib
import types
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from graders.checks import CheckSpec
from graders.contracts import Limits
from graders.quiz import KINDS, Question, QuestionError, parse_questions

REPO_ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DIR = REPO_ROOT / "reference"
LANGS = ("ko", "en")
QUEUES = ("cpu", "gpu")
LIMITS_FILE = "limits.toml"       # per-check call limits measured from correct solutions


class AssignmentError(Exception):
    """The assignment itself is broken (a problem for its author, not for a student)."""


@dataclass(frozen=True)
class CheckInfo:
    spec: CheckSpec
    folder: str                  # "public" or "hidden"
    number: str                  # "1.3": file index . check index, stable for one version
    key: str = ""                # "public.test_attention.test_sdpa_small": stable across versions

    @property
    def ident(self) -> str:
        """`hidden/test_1_sdpa.py::test_sdpa_large`: how limits.toml names this check."""
        return f"{self.folder}/{Path(self.spec.func.__code__.co_filename).name}::{self.spec.func.__name__}"


@dataclass
class Assignment:
    path: Path
    slug: str
    title: dict[str, str]
    file: str                    # the file students submit, e.g. "attention.py"
    points: float | None         # declared total (checked against the checks' sum)
    queue: str
    limits: Limits
    seed: int
    banned: dict[str, tuple[str, ...]]
    manifest: dict[str, Any] = field(repr=False)
    extra_files: tuple[str, ...] = ()   # other files students submit (data, e.g. diagram.dot)
    kind: str = "code"                  # "code", "quiz" or "written" (graders/quiz.py)
    questions: tuple[Question, ...] = ()
    # limits.toml (measured from correct solutions, see docs/authoring.md): check id -> seconds
    # one call may take, target -> seconds all its calls may take in one submission.
    call_limits: dict[str, float] = field(default_factory=dict)
    target_limits: dict[str, float] = field(default_factory=dict)

    def total_points(self, *, public_only: bool = False) -> float:
        if self.kind != "code":
            return float(sum(q.points for q in self.questions))
        return float(sum(c.spec.points for c in self.checks(public_only=public_only)))

    def statement(self, lang: str) -> str:
        path = self.path / f"README.{lang}.md"
        if not path.is_file():
            raise AssignmentError(f"{self.slug}: statement README.{lang}.md is missing")
        return path.read_text(encoding="utf-8")

    @property
    def starter_path(self) -> Path:
        return self.path / "starter" / self.file

    @property
    def solution_path(self) -> Path:
        """solution/<file> if present, else reference/<slug with _>.py."""
        local = self.path / "solution" / self.file
        if local.is_file():
            return local
        return REFERENCE_DIR / f"{self.slug.replace('-', '_')}.py"

    def solution_attachments(self) -> tuple[tuple[str, bytes], ...]:
        """solution/<extra file> for each extra file that has one."""
        found = [(n, self.path / "solution" / n) for n in self.extra_files]
        return tuple((n, p.read_bytes()) for n, p in found if p.is_file())

    def starter_attachments(self) -> tuple[tuple[str, bytes], ...]:
        found = [(n, self.path / "starter" / n) for n in self.extra_files]
        return tuple((n, p.read_bytes()) for n, p in found if p.is_file())

    @cached_property
    def content_hash(self) -> str:
        """sha256 over every file of the folder (paths and bytes) and the solution used."""
        digest = hashlib.sha256()
        files = sorted(p for p in self.path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        solution = [self.solution_path] if self.solution_path.is_file() else []
        for path in files + solution:
            rel = path.relative_to(self.path) if path.is_relative_to(self.path) else Path("@solution") / path.name
            digest.update(str(rel).encode() + b"\0" + path.read_bytes() + b"\0")
        return digest.hexdigest()

    # ------------------------------------------------------------------ code loaded in the grader
    def _load_module(self, path: Path, label: str) -> types.ModuleType:
        name = f"seqlab_assignment_{self.slug.replace('-', '_')}_{self.content_hash[:12]}_{label}"
        if name in sys.modules:
            return sys.modules[name]
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise AssignmentError(f"{self.slug}: cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            del sys.modules[name]
            shown = path.relative_to(self.path.parent) if path.is_relative_to(self.path.parent) else path
            raise AssignmentError(f"{self.slug}: {shown} failed to load: {type(exc).__name__}: {exc}") from exc
        return module

    @cached_property
    def reference(self) -> types.ModuleType:
        if not self.solution_path.is_file():
            raise AssignmentError(f"{self.slug}: no solution/{self.file} and no {self.solution_path}")
        return self._load_module(self.solution_path, "reference")

    @cached_property
    def mistakes(self) -> types.ModuleType | None:
        path = self.path / "tests" / "mistakes.py"
        return self._load_module(path, "mistakes") if path.is_file() else None

    def checks(self, *, public_only: bool = False) -> list[CheckInfo]:
        """Every check, public first, in file then definition order."""
        found: list[CheckInfo] = []
        folders = ("public",) if public_only else ("public", "hidden")
        file_no = 0
        for folder in folders:
            for path in sorted((self.path / "tests" / folder).glob("*.py")):
                file_no += 1
                module = self._load_module(path, f"{folder}_{path.stem}")
                specs = [v.__seqlab_check__ for v in vars(module).values()
                         if callable(v) and hasattr(v, "__seqlab_check__")
                         and v.__module__ == module.__name__]
                specs.sort(key=lambda s: s.func.__code__.co_firstlineno)
                found += [CheckInfo(s, folder, f"{file_no}.{i}", f"{folder}.{path.stem}.{s.func.__name__}")
                          for i, s in enumerate(specs, 1)]
        return found


def _require(data: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in data:
        raise AssignmentError(f"{where}: assignment.toml lacks `{key}`")
    value = data[key]
    if not isinstance(value, kind):
        raise AssignmentError(f"{where}: assignment.toml `{key}` has the wrong type")
    return value


def load_assignment(path: str | Path) -> Assignment:
    """Read `path/assignment.toml`; raise AssignmentError saying what is wrong."""
    path = Path(path).resolve()
    manifest_path = path / "assignment.toml"
    if not manifest_path.is_file():
        raise AssignmentError(f"{path}: no assignment.toml (is this an assignment folder?)")
    try:
        data = tomllib.loads(manifest_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AssignmentError(f"{manifest_path}: {exc}") from exc
    where = path.name
    title = _require(data, "title", dict, where)
    for lang in LANGS:
        if not isinstance(title.get(lang), str) or not title[lang].strip():
            raise AssignmentError(f"{where}: title.{lang} is missing")
    queue = data.get("queue", "cpu")
    if queue not in QUEUES:
        raise AssignmentError(f"{where}: queue must be one of {QUEUES}, not {queue!r}")
    try:
        limits = Limits.from_mapping(data.get("limits", {}))
    except (TypeError, ValueError) as exc:
        raise AssignmentError(f"{where}: [limits]: {exc}") from exc
    if not (isinstance(limits.cpus, (int, float)) and 0.01 <= limits.cpus <= 64):
        raise AssignmentError(f"{where}: [limits] cpus must be a number of CPUs from 0.01 to 64, not {limits.cpus!r}")
    banned = {str(k): tuple(v) for k, v in data.get("banned", {}).items()}
    kind = data.get("kind", "code")
    if kind not in KINDS:
        raise AssignmentError(f"{where}: kind must be one of {KINDS}, not {kind!r}")
    try:
        questions = parse_questions(data, kind, where) if kind != "code" else ()
    except QuestionError as exc:
        raise AssignmentError(str(exc)) from exc
    file = data.get("file", "answers.json") if kind != "code" else _require(data, "file", str, where)
    if kind == "code" and ("/" in file or not file.endswith(".py")):
        raise AssignmentError(f"{where}: `file` must be a plain .py file name, not {file!r}")
    if kind != "code" and file != "answers.json":
        raise AssignmentError(f"{where}: a {kind} assignment takes answers.json, not {file!r}")
    extra = tuple(data.get("extra_files", ()))
    if any(not isinstance(n, str) or "/" in n or n.endswith((".py", ".ipynb")) or n == file for n in extra):
        raise AssignmentError(f"{where}: `extra_files` must be plain non-Python file names, not {extra!r}")
    calls, targets = _measured_limits(path / LIMITS_FILE, where)
    return Assignment(
        path=path, slug=data.get("slug", path.name), title=dict(title), file=file,
        points=data.get("points"), queue=queue, limits=limits, seed=int(data.get("seed", 0)),
        banned=banned, manifest=data, extra_files=extra, kind=kind, questions=questions,
        call_limits=calls, target_limits=targets)


def _measured_limits(path: Path, where: str) -> tuple[dict[str, float], dict[str, float]]:
    """limits.toml's `[calls]` (check id -> s per call) and `[targets]` (target -> s in all)."""
    if not path.is_file():
        return {}, {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AssignmentError(f"{where}: {LIMITS_FILE}: {exc}") from exc
    tables = []
    for name in ("calls", "targets"):
        table = data.get(name, {})
        if not isinstance(table, dict):
            raise AssignmentError(f"{where}: {LIMITS_FILE} [{name}] must be a table")
        bad = [k for k, v in table.items() if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0]
        if bad:
            raise AssignmentError(f"{where}: {LIMITS_FILE} [{name}] needs positive seconds for {bad}")
        tables.append({str(k): float(v) for k, v in table.items()})
    return tables[0], tables[1]


# ---------------------------------------------------------------------------------- texts

def text_problems(assignment: Assignment) -> list[str]:
    """Every check name and named mistake in Korean and English, every mistake with an id."""
    from graders.i18n import T
    if assignment.kind != "code":
        return [f"question {q.id}: rubric item {k} lacks its Korean or English text"
                for q in assignment.questions for k, item in enumerate(q.rubric, 1)
                if not all(isinstance(item.get(lang), str) and item[lang].strip() for lang in ("ko", "en"))]
    problems = []
    for info in assignment.checks():
        name = info.spec.name
        if not isinstance(name, T) or not _bilingual(name):
            problems.append(f"check {info.key} has no Korean name: give @check(..., ko=\"...\")")
    problems += _mistake_problems(assignment)
    for path in sorted((assignment.path / "tests").rglob("*.py")):
        problems += _lint_texts(path, assignment.path)
    return problems


def _bilingual(value: Any) -> bool:
    from graders.i18n import has_hangul
    return bool(value.en.strip() and value.ko.strip() and has_hangul(value.ko) and not has_hangul(value.en))


def _mistake_problems(assignment: Assignment) -> list[str]:
    """Every Mistake defined at the top of tests/mistakes.py or of a check file: an id and both texts."""
    from graders.i18n import MISTAKE_ID, Mistake
    modules = [assignment.mistakes] if assignment.mistakes is not None else []
    modules += list({id(i.spec.func.__globals__): i.spec.func.__globals__ for i in assignment.checks()}.values())
    found: dict[str, Mistake] = {}
    for value in (v for module in modules for v in (vars(module) if hasattr(module, "__dict__")
                                                    and not isinstance(module, dict) else module).values()):
        items = value if isinstance(value, (tuple, list, set, frozenset)) else (
            list(value) + list(value.values()) if isinstance(value, dict) else (value,))
        for item in items:
            for m in (item if isinstance(item, tuple) else (item,)):
                if isinstance(m, Mistake):
                    found.setdefault(m.id, m)
    problems = []
    for ident, m in sorted(found.items()):
        if not MISTAKE_ID.match(ident) or not ident.startswith(f"{assignment.slug}/"):
            problems.append(f"mistake id {ident!r} is not '{assignment.slug}/<kebab-case-name>'")
        if not _bilingual(m):
            problems.append(f"mistake {ident} lacks its Korean or English text")
    return problems


_MESSAGE_CALLS = {"fail": 0, "CheckFailure": 0, "expect_true": 1}


def _shadows_t(func: Any) -> bool:
    import ast
    local = any(isinstance(n, ast.Name) and n.id == "T" and isinstance(n.ctx, ast.Store) for n in ast.walk(func)) \
        or any(a.arg == "T" for a in func.args.args + func.args.kwonlyargs)
    used = any(isinstance(n, ast.Name) and n.id == "T" and isinstance(n.ctx, ast.Load)
               for n in ast.walk(func))
    return local and used and any(isinstance(n, ast.Call) and getattr(n.func, "id", "") == "T" for n in ast.walk(func))


# Words drawn inside a picture (graders/pictures.py): texts of the picture functions, of an
# assignment's own `*_png`/`*_svg` drawings and of matplotlib's text setters.
_PICTURE_CALLS = {"heatmaps", "heatmap", "learning_curve"}
_PICTURE_TEXTS = ("title", "xlabel", "ylabel")
_TEXT_SETTERS = {"set_title", "set_xlabel", "set_ylabel", "suptitle"}
_LABELLED_PLOTS = {"plot", "scatter", "bar", "barh", "hist", "step", "stairs", "fill_between", "errorbar", "axhline",
                   "axvline", "semilogx", "semilogy", "loglog", "colorbar", "imshow", "contour", "contourf"}
_PICTURE_WORD = re.compile(r"[A-Za-z]{3,}")


def _lint_texts(path: Path, root: Path) -> list[str]:
    """English-only texts written in a check or mistakes file: messages, captions, mistakes without an id,
    words drawn in a picture."""
    import ast
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    where = path.relative_to(root)
    problems = []

    def english(node: ast.AST | None) -> bool:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return any(c.isalpha() for c in node.value) and " " in node.value.strip()
        return isinstance(node, ast.JoinedStr)

    def drawn_english(node: ast.AST | None) -> bool:
        """A picture text with an English word that is not a T (a word alone, or glued to its Korean)."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return bool(_PICTURE_WORD.search(node.value))
        return isinstance(node, ast.JoinedStr)

    assigned: dict[str, list[ast.AST]] = {}      # `panels = [...]` / `series = {...}` passed by name
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            assigned.setdefault(node.targets[0].id, []).append(node.value)

    def picture_names(call: ast.Call, func: str) -> list[ast.AST]:
        """The panel names of heatmaps(panels) and the series names of learning_curve(series), when literal."""
        given = call.args[0] if call.args else next(
            (kw.value for kw in call.keywords if kw.arg in ("panels", "series")), None)
        found = assigned.get(given.id, []) if isinstance(given, ast.Name) else [given] if given else []
        names: list[ast.AST] = []
        for value in found:
            if func == "learning_curve" and isinstance(value, ast.Dict):
                names += [k for k in value.keys if k is not None]
            elif func == "heatmaps" and isinstance(value, (ast.List, ast.Tuple)):
                names += [e.elts[0] for e in value.elts if isinstance(e, (ast.List, ast.Tuple)) and e.elts]
        return names

    def lint_picture(call: ast.Call, func: str) -> None:
        drawn: list[ast.AST] = []
        if func in _PICTURE_CALLS or func.endswith(("_png", "_svg")):
            drawn += [kw.value for kw in call.keywords if kw.arg in _PICTURE_TEXTS]
            drawn += picture_names(call, func)
        if func in _TEXT_SETTERS and call.args:
            drawn.append(call.args[0])
        if func in _LABELLED_PLOTS:
            drawn += [kw.value for kw in call.keywords if kw.arg == "label"]
        if any(map(drawn_english, drawn)):
            problems.append(f"{where}:{call.lineno}: an English-only picture text; use T(en, ko)")

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            lint_picture(node, func)
            index = _MESSAGE_CALLS.get(func)
            if index is not None and len(node.args) > index and english(node.args[index]):
                problems.append(f"{where}:{node.lineno}: {func}() with an English-only message; use T(en, ko)")
            if func in ("T", "Mistake") and len(node.args) + len(node.keywords) < (2 if func == "T" else 3):
                problems.append(f"{where}:{node.lineno}: {func}() without its Korean text")
            for kw in node.keywords:
                if kw.arg in ("caption", "alt") and english(kw.value):
                    problems.append(f"{where}:{node.lineno}: an English-only {kw.arg}; use T(en, ko)")
                if kw.arg == "mistakes" and isinstance(kw.value, ast.Dict) and any(map(english, kw.value.keys)):
                    problems.append(f"{where}:{node.lineno}: a mistake without an id; use Mistake(id, en, ko)")
        elif isinstance(node, ast.Dict) and path.name == "mistakes.py" and any(map(english, node.keys)):
            problems.append(f"{where}:{node.lineno}: a mistake without an id; use Mistake(id, en, ko)")
    for node in ast.walk(tree):     # `B, T, d = ...` beside T(en, ko) breaks the message when a check fails
        if isinstance(node, ast.FunctionDef) and _shadows_t(node):
            problems.append(f"{where}:{node.lineno}: {node.name}() assigns a local T and also calls T(en, ko)")
    for node in tree.body:          # module-level texts of a mistakes file are shown to students
        if path.name == "mistakes.py" and isinstance(node, ast.Assign) and english(node.value):
            problems.append(f"{where}:{node.lineno}: an English-only text; use Mistake(id, en, ko) or T(en, ko)")
    return problems
