#!/usr/bin/env python
"""What one submission costs a grading worker: wall seconds and CPU seconds of a warm grading.

    python bench/hostile_cost.py                                   # the infinite-loop attention submission
    python bench/hostile_cost.py bench/submissions/correct_softmax.py
    python bench/hostile_cost.py --src /path/to/other/checkout     # the same, graded by other code

A worker is busy for the wall-clock time of `Engine.grade` (one grading at a time per worker
slot): that is the "worker-seconds" a submission costs. CPU is this process's process_time
(checks, reference) plus the sandbox's cpu_seconds of its last child. The engine is started and
warmed (one grading of the reference) before the timed grading, as on a worker.
Prints `hostile: FILE worker-seconds W, grader CPU G s, score S/M, timed-out checks T/N`.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("submission", nargs="?", default=str(REPO / "bench/submissions/hostile_infinite_loop.py"))
    ap.add_argument("--assignment", default=str(REPO / "assignments/attention"))
    ap.add_argument("--src", default=str(REPO), help="checkout whose graders/ grades (default: this one)")
    args = ap.parse_args(argv)
    sys.path.insert(0, args.src)
    import torch
    torch.set_num_threads(1)
    from graders.assignment import load_assignment
    from graders.contracts import Job
    from graders.engine import Engine

    assignment = load_assignment(args.assignment)
    content = Path(args.submission).read_bytes()
    print(f"code: {args.src}; load average {os.getloadavg()[0]:.2f} at start", flush=True)
    with Engine() as engine:
        engine.grade(Job(str(assignment.path), assignment.file, assignment.solution_path.read_bytes()))
        c0, t0 = time.process_time(), time.perf_counter()
        result = engine.grade(Job(str(assignment.path), assignment.file, content))
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    timed_out = [t for t in result.tests if "timed out" in t.output or "time budget" in t.output]
    for t in result.tests:
        print(f"  {t.number:<5} {t.status:<6} {t.duration:7.2f} s"
              f"  {t.name[:60]:<60} {t.output.splitlines()[0][:90] if t.output else ''}")
    print(f"load average {os.getloadavg()[0]:.2f} at end")
    print(f"hostile: {Path(args.submission).name} worker-seconds {wall:.1f}, grader CPU {cpu:.2f} s, "
          f"child CPU {float(result.sandbox.get('cpu_seconds', 0.0)):.2f} s (last sandbox), "
          f"score {result.score:g}/{result.max_score:g}, timed-out checks {len(timed_out)}/{len(result.tests)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
