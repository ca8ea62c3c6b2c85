"""`python -m graders grade|check`: grade one submission, or prove an assignment is sound."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from graders.assignment import AssignmentError, load_assignment, text_problems
from graders.contracts import Job, Result
from graders.engine import Engine
from graders.i18n import DEFAULT_LANG, LANGS, T, localize
from graders.sandbox.host import SandboxUnavailable
from graders.text import for_terminal

EXIT_BROKEN = 2          # the assignment (or the command line) is wrong
EXIT_UNAVAILABLE = 3     # no sandbox can be built here
ERROR = {"en": "error", "ko": "오류"}


def _submission(assignment_dir: str, path: Path) -> tuple[str, bytes, tuple[tuple[str, bytes], ...]]:
    """Resolve SUBMISSION: the file itself, or the contract's file / a notebook inside a folder
    (with the assignment's extra files found beside it)."""
    assignment = load_assignment(assignment_dir)
    folder = path if path.is_dir() else path.parent
    extras = tuple((n, (folder / n).read_bytes()) for n in assignment.extra_files if (folder / n).is_file())
    if path.is_dir():
        candidates = [path / assignment.file] + sorted(path.glob("*.ipynb"))
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            raise FileNotFoundError(T("{path} holds neither {file} nor a notebook",
                                      "{path}에 {file}도, 노트북(.ipynb)도 없습니다").format(path=path,
                                                                                   file=assignment.file))
        path = found
    if not path.is_file():
        raise FileNotFoundError(T("no such file: {path}", "파일이 없습니다: {path}").format(path=path))
    return path.name, path.read_bytes(), extras


# The words of the text summary, in each language (check names and messages come from the result).
WORDS = {
    "en": {"passed": "PASS", "failed": "FAIL", "not_gradable": "not gradable", "printed": "Your code printed (last lines):",
           "score": "Score: {score:g}/{max:g}   (graded in {seconds:.2f} s)",
           "hidden": "hidden", "after_due_date": "after the due date", "after_published": "after publishing"},
    "ko": {"passed": "통과", "failed": "실패", "not_gradable": "채점할 수 없음", "printed": "코드가 출력한 내용 (마지막 줄):",
           "score": "점수: {score:g}/{max:g}   (채점 {seconds:.2f}초)",
           "hidden": "비공개", "after_due_date": "마감 후 공개", "after_published": "게시 후 공개"},
}


def _width(text: str) -> int:
    """Columns `text` takes in a terminal: Hangul and other wide characters take two."""
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def format_result(result: Result, title: str, lang: str = "en") -> str:
    """The result as text for a terminal, in `lang` ("ko" or "en"): nothing the submission printed
    can act on the terminal (escape sequences and control characters are removed)."""
    words = WORDS[lang]
    tests = [(t, {k: for_terminal(v) for k, v in t.i18n()[lang].items()}) for t in result.tests]
    lines = [title, ""]
    width = max((_width(texts["name"]) for _, texts in tests), default=10)
    for t, texts in tests:
        mark = words["passed"] if t.status == "passed" else words["failed"]
        vis = "" if t.visibility == "visible" else f"  [{words.get(t.visibility, t.visibility)}]"
        name = texts["name"] + " " * (width - _width(texts["name"]))
        lines.append(f"  {mark} {t.number:>5}  {name}  {t.score:g}/{t.max_score:g}{vis}")
        for out_line in texts["output"].splitlines() if texts["output"] and t.status != "passed" else ():
            lines.append(f"               {out_line}")
    for err in result.format_errors:
        lines.append(f"  {words['not_gradable']}: {for_terminal(localize(err, lang))}")
    output = for_terminal(result.i18n()[lang]["output"])
    if output and not result.format_errors:
        lines += ["", output]
    if result.stdout.strip():
        tail = for_terminal(result.stdout).strip().splitlines()[-10:]
        lines += ["", words["printed"]] + [f"  | {x}" for x in tail]
    lines += ["", words["score"].format(score=result.score, max=result.max_score, seconds=result.execution_time)]
    return "\n".join(lines)


def cmd_grade(args: argparse.Namespace) -> int:
    assignment = load_assignment(args.assignment)
    filename, content, extras = _submission(args.assignment, Path(args.submission))
    with Engine() as engine:
        result = engine.grade(Job(assignment_dir=str(assignment.path), filename=filename, content=content,
                                  public_only=args.public_only, attachments=extras))
    if args.json:
        # A student runs this on their own machine: the similarity hashes of wrong outputs stay out.
        json.dump(result.to_json(with_artifacts=not args.no_artifacts, lang=args.lang, output_hashes=False),
                  sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(format_result(result, f"{assignment.slug}: {assignment.title[args.lang]}", args.lang))
    return 0


def soundness_problems(engine: Engine, path: str) -> list[str]:
    """Everything wrong with an assignment folder, as sentences for its author."""
    assignment = load_assignment(path)
    problems: list[str] = []
    for lang in ("ko", "en"):
        try:
            if not assignment.statement(lang).strip():
                problems.append(f"README.{lang}.md is empty")
        except AssignmentError as exc:
            problems.append(str(exc))
    problems += text_problems(assignment)
    if assignment.kind != "code":
        return problems + _answer_problems(engine, assignment)
    checks = assignment.checks()
    if not checks:
        return problems + ["no checks in tests/public or tests/hidden"]
    if not any(c.folder == "public" for c in checks):
        problems.append("no public checks: students cannot test anything locally")
    total = sum(c.spec.points for c in checks)
    for c in checks:
        if c.spec.points <= 0:
            problems.append(f"check {c.spec.key} has no points")
    if assignment.points is not None and abs(float(assignment.points) - total) > 1e-9:
        problems.append(f"assignment.toml says points = {assignment.points}, the checks add up to {total:g}")
    names = [c.spec.name for c in checks]
    problems += [f"two checks are named {n!r}" for n in sorted({n for n in names if names.count(n) > 1})]
    if not assignment.solution_path.is_file():
        return problems + [f"no solution: neither solution/{assignment.file} nor {assignment.solution_path}"]
    solution = engine.grade(Job(str(assignment.path), assignment.file, assignment.solution_path.read_bytes(),
                                solution=True, attachments=assignment.solution_attachments()))
    for t in solution.tests:
        if t.status != "passed":
            problems.append(f"the solution fails check {t.number} {t.name!r}: {t.output}")
    if not assignment.starter_path.is_file():
        return problems + [f"no starter/{assignment.file}"]
    starter = engine.grade(Job(str(assignment.path), assignment.file, assignment.starter_path.read_bytes(),
                               attachments=assignment.starter_attachments()))
    if not starter.gradable:
        problems.append(f"the starter is not gradable: {starter.format_errors}")
    for t in starter.tests:
        if t.score > 0:
            problems.append(f"the starter earns {t.score:g} on check {t.number} {t.name!r}")
        if "SyntaxError" in t.output:
            problems.append(f"the starter does not compile: {t.output}")
            break
    return problems


def _answer_problems(engine: Engine, assignment: Any) -> list[str]:
    """A quiz's own answers earn full marks and blank answers none (text waits for TAs)."""
    from graders.quiz import solution_answers
    problems = []
    if assignment.points is not None and abs(float(assignment.points) - assignment.total_points()) > 1e-9:
        problems.append(f"assignment.toml says points = {assignment.points}, the questions add up to "
                        f"{assignment.total_points():g}")
    answers = json.dumps(solution_answers(assignment.questions)).encode()
    solution = engine.grade(Job(str(assignment.path), "answers.json", answers, solution=True))
    for t, q in zip(solution.tests, assignment.questions):
        if q.type != "text" and t.status != "passed":
            problems.append(f"the quiz's own answer to {q.id} is graded {t.output!r}")
    blank = engine.grade(Job(str(assignment.path), "answers.json", b"{}"))
    problems += [f"a blank answer earns points on {t.name}" for t in blank.tests if t.score > 0]
    return problems


def cmd_check(args: argparse.Namespace) -> int:
    failed = 0
    with Engine() as engine:
        for path in args.assignments:
            try:
                problems = soundness_problems(engine, path)
            except AssignmentError as exc:
                problems = [str(exc)]
            if problems:
                failed += 1
                print(f"FAIL {path}")
                print("\n".join(f"  - {p}" for p in problems))
            else:
                a = load_assignment(path)
                n = len(a.checks()) if a.kind == "code" else len(a.questions)
                what = "checks; solution full marks, starter 0" if a.kind == "code" else f"{a.kind} questions"
                print(f"ok   {path}: {n} {what}, {a.total_points():g} points")
    return EXIT_BROKEN if failed else 0


def cmd_import_notebook(args: argparse.Namespace) -> int:
    from graders.notebook import import_notebook
    written = import_notebook(Path(args.notebook), Path(args.dest), file=args.file, slug=args.slug,
                              title_en=args.title_en, title_ko=args.title_ko)
    print("\n".join(f"wrote {args.dest}/{w}" for w in written))
    print(f"next: edit the statements, then run: python -m graders check {args.dest}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m graders", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade", help="grade one submission offline")
    g.add_argument("assignment", help="assignment folder, e.g. assignments/attention")
    g.add_argument("submission", help="the submitted file, a folder holding it, or a notebook")
    g.add_argument("--json", action="store_true", help="print one results.json document")
    g.add_argument("--public-only", action="store_true", help="run only the public checks")
    g.add_argument("--no-artifacts", action="store_true", help="leave pictures out of --json")
    g.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG,
                   help="language of check names and messages (the JSON keeps both in extra_data.i18n)")
    c = sub.add_parser("check", help="prove assignments are sound")
    c.add_argument("assignments", nargs="+")
    n = sub.add_parser("import-notebook", help="make an assignment folder from an nbgrader source notebook")
    n.add_argument("notebook", help="the nbgrader source notebook (solution regions, test cells)")
    n.add_argument("dest", help="the assignment folder to write, e.g. assignments/softmax")
    n.add_argument("--file", required=True, help="the file students submit, e.g. softmax.py")
    n.add_argument("--slug")
    n.add_argument("--title-en")
    n.add_argument("--title-ko")
    args = parser.parse_args(argv)
    commands = {"grade": cmd_grade, "check": cmd_check, "import-notebook": cmd_import_notebook}
    try:
        return commands[args.command](args)
    except AssignmentError as exc:
        print(f"error: the assignment is broken: {exc}", file=sys.stderr)
        return EXIT_BROKEN
    except (FileNotFoundError, ValueError) as exc:
        # A student grading locally reads this one in the language asked for (`grade --lang`).
        lang = getattr(args, "lang", DEFAULT_LANG)
        message = localize(exc.args[0], lang) if len(exc.args) == 1 else str(exc)
        print(f"{ERROR[lang]}: {message}", file=sys.stderr)
        return EXIT_BROKEN
    except SandboxUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
