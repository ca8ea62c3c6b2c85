#!/usr/bin/env python
"""Size each check's call limit and each target's time budget from correct solutions; write limits.toml.

    python bench/call_limits.py assignments/attention            # writes assignments/attention/limits.toml
    python bench/call_limits.py assignments/attention --dry-run  # prints it instead
    python bench/call_limits.py assignments/transformer --repeat 3 --factor 8

Correct solutions in several styles: the assignment's solution (or reference/<slug>.py) and every
`tests/content/<slug>/correct_*.py` (vectorised, einsum, plain Python loops, ...). Each is graded
`--repeat` times by the warm engine; every grading must earn full marks. The engine reports the
slowest call of each check and the time spent in each target's calls (Result.sandbox
`slowest_call_s`, `target_s`). Then, over all gradings:

    call limit of a check    = max(--floor, --factor x its slowest call), rounded up to 0.5 s
    budget of a target       = max(--target-floor, --factor x the most time one grading spent in it)

The factor is the headroom for a busy grading host (a loop solution measured on a quiet machine
must still pass at a load of several times the core count). Measure on the kind of machine that
grades, and run it again when the checks or the reference change: the file records how it was made.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def solutions(assignment) -> list[Path]:
    content = REPO / "tests" / "content" / assignment.slug.replace("-", "_")
    return [assignment.solution_path, *sorted(content.glob("correct_*.py"))]


def measure(assignment, files: list[Path], repeat: int) -> tuple[dict[str, float], dict[str, float]]:
    """Slowest call per check and most time per target, over every grading of every file."""
    import torch
    torch.set_num_threads(1)
    from graders.contracts import Job
    from graders.engine import Engine
    calls: dict[str, float] = {}
    targets: dict[str, float] = {}
    with Engine() as engine:
        for path in files:
            for _ in range(repeat):
                result = engine.grade(Job(str(assignment.path), assignment.file, path.read_bytes(),
                                          attachments=assignment.solution_attachments()))
                failed = [f"{t.number} {t.output[:200]}" for t in result.tests if t.status != "passed"]
                if failed:
                    raise SystemExit(f"{path} is not correct: " + "; ".join(failed))
                for key, s in result.sandbox.get("slowest_call_s", {}).items():
                    calls[key] = max(calls.get(key, 0.0), s)
                for key, s in result.sandbox.get("target_s", {}).items():
                    targets[key] = max(targets.get(key, 0.0), s)
            print(f"  measured {path.relative_to(REPO)}", file=sys.stderr, flush=True)
    return calls, targets


def render(args, assignment, files, calls, targets, load) -> str:
    up = lambda s: math.ceil(s * 2) / 2                                    # noqa: E731
    lines = [
        "# Per-check call limits and per-target time budgets (seconds), sized from measured times of",
        f"# correct solutions. Written by `python bench/call_limits.py {args.assignment} --repeat {args.repeat} "
        f"--factor {args.factor:g}`",
        f"# on {time.strftime('%Y-%m-%d')} ({os.cpu_count()} CPUs, load average {load[0]:.1f} -> "
        f"{os.getloadavg()[0]:.1f}), from:",
        *(f"#   {p.relative_to(REPO)}" for p in files),
        f"# call limit = max({args.floor:g}, {args.factor:g} x the slowest call of the check), rounded up to 0.5 s;",
        f"# budget = max({args.target_floor:g}, {args.factor:g} x the most time one grading spent in the target). "
        "See docs/authoring.md.",
        "", "[calls]"]
    for key in sorted(calls):
        limit = up(max(args.floor, args.factor * calls[key]))
        lines.append(f'"{key}" = {limit:g}    # slowest measured {calls[key]:.3f} s')
    lines += ["", "[targets]"]
    for key in sorted(targets):
        budget = up(max(args.target_floor, args.factor * targets[key]))
        lines.append(f'"{key}" = {budget:g}    # most measured {targets[key]:.3f} s')
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("assignment", help="assignment folder, e.g. assignments/attention")
    ap.add_argument("--repeat", type=int, default=2, help="gradings per solution (default 2)")
    ap.add_argument("--factor", type=float, default=8.0, help="headroom over the slowest measurement (default 8)")
    ap.add_argument("--floor", type=float, default=2.0, help="smallest call limit, s (default 2)")
    ap.add_argument("--target-floor", type=float, default=5.0, help="smallest target budget, s (default 5)")
    ap.add_argument("--dry-run", action="store_true", help="print limits.toml instead of writing it")
    args = ap.parse_args(argv)
    from graders.assignment import LIMITS_FILE, load_assignment
    assignment = load_assignment(args.assignment)
    # Measure without the current limits.toml: limits sized from limits would only ever shrink.
    current = assignment.path / LIMITS_FILE
    saved = current.read_bytes() if current.is_file() else None
    if saved is not None:
        current.unlink()
    load = os.getloadavg()
    try:
        assignment = load_assignment(args.assignment)
        files = solutions(assignment)
        calls, targets = measure(assignment, files, args.repeat)
    finally:
        if saved is not None:
            current.write_bytes(saved)
    text = render(args, assignment, files, calls, targets, load)
    if args.dry_run:
        print(text, end="")
    else:
        current.write_text(text, encoding="utf-8")
        print(f"wrote {current.relative_to(REPO) if current.is_relative_to(REPO) else current}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
