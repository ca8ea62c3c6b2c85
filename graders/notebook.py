"""nbgrader authoring: turn an nbgrader source notebook into an assignment folder.

An instructor writes one notebook the nbgrader way: solution regions between
`### BEGIN SOLUTION` / `### END SOLUTION`, autograded test cells with points, and hidden
tests between `### BEGIN HIDDEN TESTS` / `### END HIDDEN TESTS`. `import_notebook` writes:

  solution/<file>         the solution cells' code (delimiters removed)
  starter/<file>          the same cells after nbgrader's ClearSolutions
  starter/<stem>.ipynb    the released notebook (ClearSolutions, ClearHiddenTests, ClearOutput)
  tests/public/notebook_tests.py, tests/hidden/notebook_tests.py   one check per test cell
  assignment.toml, README.ko.md, README.en.md (only if missing: the author edits them)

Test cells keep nbgrader's style (plain asserts naming the student's functions) but run in
the grader (invariant 1): they are executed against a namespace whose names for the
student's functions and classes are proxies to the sandbox. Setup cells (instructor code
that is neither solution nor test) run in both places: in the student's module and,
freshly for each check, in the grader.
"""
from __future__ import annotations

import ast
import copy
import re
import sys
from pathlib import Path
from typing import Any, Callable

from graders.checks import check

HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS[ \t]*\n(.*?)^[ \t]*### END HIDDEN TESTS[ \t]*\n?", re.M | re.S)
SOLUTION_MARK = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.M)


def _meta(cell: Any) -> dict[str, Any]:
    return dict(cell.get("metadata", {}).get("nbgrader", {}))


def _kind(cell: Any) -> str:
    """'solution', 'test', 'setup' (other code) or 'text'."""
    if cell.get("cell_type") != "code":
        return "text"
    meta = _meta(cell)
    if meta.get("solution") or "### BEGIN SOLUTION" in cell.source:
        return "solution"
    if meta.get("grade"):
        return "test"
    return "setup"


def _released(nb: Any) -> Any:
    """The student's notebook, made by nbgrader's own preprocessors."""
    from nbgrader.preprocessors import ClearHiddenTests, ClearOutput, ClearSolutions
    out = copy.deepcopy(nb)
    out.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"})
    for pp in (ClearSolutions(), ClearHiddenTests(), ClearOutput()):
        out, _ = pp.preprocess(out, {})
    return out


def _code(cells: list[Any], kinds: set[str]) -> str:
    return "\n\n".join(c.source.rstrip() for c in cells if _kind(c) in kinds) + "\n"


def student_names(source: str) -> tuple[list[str], list[str]]:
    """Top-level functions and classes the student's module defines."""
    tree = ast.parse(source)
    funcs = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    classes = [n.name for n in tree.body if isinstance(n, ast.ClassDef)]
    return funcs, classes


class _Object:
    """Method-call sugar for notebook tests: obj.method(...) runs in the sandbox."""

    def __init__(self, remote: Any) -> None:
        self._remote = remote

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._remote(*args, **kwargs)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name in ("state_dict", "load_state_dict", "structure", "getattr", "setattr"):
            return getattr(self._remote, name)
        return lambda *a, **k: self._remote.call(name, *a, **k)


def namespace(student: Any, setup: str, funcs: list[str], classes: list[str]) -> dict[str, Any]:
    """The grader-side namespace a test cell runs in."""
    ns: dict[str, Any] = {"__name__": "__notebook_test__"}
    exec(compile(setup, "<setup cells>", "exec"), ns)  # noqa: S102 - the instructor's own code
    for name in funcs:
        ns[name] = (lambda n: lambda *a, **k: student.call(n, *a, **k))(name)
    for name in classes:
        ns[name] = (lambda n: lambda *a, **k: _Object(student.new(n, *a, **k)))(name)
    return ns


def notebook_check(*, points: float, visibility: str, name: str, source: str, setup: str,
                   funcs: list[str], classes: list[str], ko: str | None = None) -> Callable[..., Any]:
    """A check that runs one nbgrader test cell in the grader against the sandbox."""
    targets = tuple(n for n in funcs + classes if re.search(rf"\b{re.escape(n)}\b", source))
    code = compile(source, f"<test cell {name}>", "exec")

    def run(student: Any) -> None:
        import zlib

        import numpy as np
        import torch
        # nbgrader test cells draw from the global generators: seed them so grading is reproducible.
        seed = zlib.crc32(name.encode())
        torch.manual_seed(seed)
        np.random.seed(seed)
        exec(code, namespace(student, setup, funcs, classes))  # noqa: S102 - the instructor's test cell

    run.__name__ = re.sub(r"\W", "_", name)
    # The loader counts checks defined by the module it loads; this one is that module's.
    run.__module__ = sys._getframe(1).f_globals.get("__name__", run.__module__)
    # The test cell's id names the check; in Korean, as "노트북 검사 <id>" until the author writes better.
    return check(points=points, visibility=visibility, name=name, target=targets,
                 ko=ko or f"노트북 검사 {name}")(run)


def _checks_module(cells: list[tuple[str, float, str]], setup: str, funcs: list[str], classes: list[str],
                   visibility: str) -> str:
    lines = ['"""Checks generated from an nbgrader notebook by `python -m graders import-notebook`."""',
             "from graders.notebook import notebook_check", "",
             f"SETUP = {setup!r}", f"FUNCS = {funcs!r}", f"CLASSES = {classes!r}", ""]
    for i, (name, points, source) in enumerate(cells, 1):
        lines += [f"check_{i} = notebook_check(points={points!r}, visibility={visibility!r}, name={name!r},",
                  f"                         source={source!r},",
                  "                         setup=SETUP, funcs=FUNCS, classes=CLASSES)", ""]
    return "\n".join(lines)


def import_notebook(source: Path, dest: Path, *, file: str, slug: str | None = None,
                    title_en: str | None = None, title_ko: str | None = None) -> list[str]:
    """Write the assignment folder `dest` from nbgrader source notebook `source`; return the files written."""
    import nbformat
    from nbgrader.preprocessors import ClearSolutions
    nb = nbformat.read(str(source), as_version=4)
    cells = list(nb.cells)
    written: list[str] = []

    def write(rel: str, text: str, *, keep_existing: bool = False) -> None:
        path = dest / rel
        if keep_existing and path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(rel)

    solution = _code(cells, {"setup", "solution"})
    write(f"solution/{file}", SOLUTION_MARK.sub("", solution))
    cleared = copy.deepcopy(nb)
    cleared.metadata.setdefault("kernelspec", {"language": "python"})
    cleared, _ = ClearSolutions().preprocess(cleared, {})
    write(f"starter/{file}", _code(list(cleared.cells), {"setup", "solution"}))
    write(f"starter/{Path(file).stem}.ipynb", nbformat.writes(_released(nb)))
    funcs, classes = student_names(SOLUTION_MARK.sub("", solution))
    setup = _code(cells, {"setup"})
    public, hidden = [], []
    for n, cell in enumerate(cells, 1):
        if _kind(cell) != "test":
            continue
        meta = _meta(cell)
        name = str(meta.get("grade_id") or f"cell {n}")
        points = float(meta.get("points", 1))
        (hidden if HIDDEN.search(cell.source) else public).append(
            (name, points, HIDDEN.sub(lambda m: m.group(1), cell.source)))
    if not public and not hidden:
        raise ValueError(f"{source} has no autograded test cells (nbgrader metadata grade: true)")
    write("tests/public/notebook_tests.py", _checks_module(public, setup, funcs, classes, "visible"))
    write("tests/hidden/notebook_tests.py", _checks_module(hidden, setup, funcs, classes, "after_due_date"))
    slug = slug or dest.name
    total = sum(p for _, p, _ in public + hidden)
    statement = "\n\n".join(c.source for c in cells if c.get("cell_type") == "markdown") + "\n"
    write("README.en.md", statement, keep_existing=True)
    write("README.ko.md", statement, keep_existing=True)
    write("assignment.toml", "\n".join([
        f'slug = "{slug}"',
        f'title = {{ ko = "{title_ko or title_en or slug}", en = "{title_en or slug}" }}',
        f'file = "{file}"', f"points = {total:g}", 'queue = "cpu"', ""]), keep_existing=True)
    return written
