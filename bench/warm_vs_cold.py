#!/usr/bin/env python
"""Warm engine vs cold interpreter vs nbgrader, on the same attention submissions.

    python bench/warm_vs_cold.py                 # N = 20 submissions, all three graders
    python bench/warm_vs_cold.py --quick --skip-nbgrader     # N = 3, the smoke test's run

For each of N submissions (the files of bench/submissions/, cycled), in one run and
interleaved (submission i is graded warm, then cold, then by nbgrader, so that a change in
the machine's load hits all three alike):

  warm      one graders.engine.Engine for the whole run; `engine.grade(job)` per submission;
  cold      `python -m graders grade ASSIGNMENT attention.py --json` in a fresh interpreter
            per submission (imports torch, starts a zygote, grades, exits);
  nbgrader  `nbgrader autograde attention --student sNN --force` per submission on an nbgrader
            version of the task (bench/nbgrader_task.py) whose solution cell holds the same code;
            then once more for all N in one nbgrader process (its best case; --no-batch skips it).

It also measures what the warm engine spends beyond the checks' own compute (spawn and close
of a sandbox, a "null" grading, a no-op request's round trip) and the memory of each child.
Every number printed says how it was measured. The output ends with the summary line
`bench: warm W s/sub, cold C s/sub, nbgrader G s/sub, warm-vs-cold Rc x, warm-vs-nbgrader Rn x`
and a line with the peak memory per child. Exit code 3: no sandbox can be built here.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
SNAPSHOT = ("graders", "reference")       # + the assignment folder: the code every grader of a run uses

SUBMISSIONS = BENCH_DIR / "submissions"
# First three = the --quick set: one correct, one wrong, one unfinished.
ORDER = ("correct_softmax", "wrong_no_scale", "unfinished", "correct_manual", "wrong_softmax_queries",
         "wrong_mask_inverted", "wrong_mha_no_transpose")
TARGET_OVERHEAD_MS, TARGET_RC, TARGET_RN, TARGET_WARM = 30.0, 20.0, 30.0, 0.15

NULL_CHECK = '''\
"""The null check: the student's module is loaded in a sandbox, and nothing else is computed."""
from graders.checks import check


@check(points=1, visibility="visible", target={targets!r})
def test_null(student):
    """null: load the submission, compute nothing"""
    student.has({first!r})
'''


# ----------------------------------------------------------------------------- helpers

def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def ms(x: float) -> str:
    return f"{x * 1e3:.1f} ms"


def children_cpu() -> float:
    """CPU seconds of this process's terminated, waited-for descendants (user + system)."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def proc_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) a live process has used so far, from /proc (10 ms ticks)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError, TypeError):
        return float("nan")


def mib(kib: float) -> str:
    return f"{kib / 1024:.1f} MiB"


@dataclass
class Row:
    name: str
    warm_s: float = float("nan")
    warm_cpu_grader_s: float = float("nan")
    warm_exec_s: float = float("nan")
    cold_s: float = float("nan")
    cold_cpu_s: float = float("nan")
    cold_exec_s: float = float("nan")
    nb_s: float = float("nan")
    nb_cpu_s: float = float("nan")
    null_s: float = float("nan")
    null_cpu_s: float = float("nan")
    requests: int = 0
    request_s: float = 0.0
    spawns: int = 0
    spawn_s: float = 0.0
    close_s: float = 0.0
    score_warm: str = ""
    score_cold: str = ""
    score_nb: str = ""
    stage_times: dict[str, float] = field(default_factory=dict)
    sandbox: dict[str, Any] = field(default_factory=dict)
    null_parts: dict[str, float] = field(default_factory=dict)


class Probe:
    """Counts and times the engine's sandbox traffic by wrapping methods in this process only.

    Nothing in graders/ is edited: the wrappers are installed on the classes at run time and
    cost well under a microsecond per call. If a method is renamed, its figure reads 0.
    """

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self.enabled = False

    def wrap(self, owner: Any, attr: str, key: str) -> None:
        original = getattr(owner, attr, None)
        if original is None:
            return
        probe = self

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            # Only the grading's own thread: background closes and spares are not on its path.
            if not probe.enabled or threading.current_thread() is not threading.main_thread():
                return original(*args, **kwargs)
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                probe.calls[key] = probe.calls.get(key, 0) + 1
                probe.seconds[key] = probe.seconds.get(key, 0.0) + time.perf_counter() - t0

        wrapper.__wrapped__ = original  # type: ignore[attr-defined]
        setattr(owner, attr, wrapper)

    def install(self) -> None:
        from graders.sandbox import host, proxy
        self.wrap(host.Sandbox, "request", "request")      # one request/reply to the student's code
        self.wrap(proxy.Session, "_await", "load")         # the module load after a spawn
        self.wrap(host.Zygote, "spawn", "spawn")
        self.wrap(host.Sandbox, "close", "close")

    def reset(self) -> None:
        self.calls.clear()
        self.seconds.clear()


# ----------------------------------------------------------------------------- the three graders

def read_submissions(n: int, workdir: Path, filename: str) -> list[tuple[str, bytes, Path]]:
    """N submissions cycled from bench/submissions, each copied to its own folder as `filename`."""
    names = [s for s in ORDER if (SUBMISSIONS / f"{s}.py").is_file()]
    # hostile_* cost whole call limits by design; bench/hostile_cost.py measures them apart.
    names += sorted(p.stem for p in SUBMISSIONS.glob("*.py") if p.stem not in names and not p.stem.startswith("hostile_"))
    if not names:
        raise SystemExit(f"no submissions in {SUBMISSIONS}")
    out = []
    for i in range(n):
        name = names[i % len(names)]
        content = (SUBMISSIONS / f"{name}.py").read_bytes()
        folder = workdir / "py" / f"s{i:02d}"
        folder.mkdir(parents=True)
        (folder / filename).write_bytes(content)
        out.append((name, content, folder / filename))
    return out


def grade_cold(src: Path, assignment: str, path: Path, env: dict[str, str]) -> tuple[float, float, dict[str, Any]]:
    """Wall and CPU seconds of one `python -m graders grade ... --json` process, and its result."""
    c0, t0 = children_cpu(), time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "graders", "grade", assignment, str(path), "--json",
                           "--no-artifacts"], cwd=src, env=env, capture_output=True, text=True, timeout=600)
    wall, cpu = time.perf_counter() - t0, children_cpu() - c0
    if proc.returncode != 0:
        raise RuntimeError(f"cold grading of {path} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return wall, cpu, json.loads(proc.stdout.strip().splitlines()[-1])


def make_null_assignment(assignment_dir: Path, workdir: Path) -> Path:
    """The same assignment.toml (file, limits, banned APIs) with one check that computes nothing."""
    from graders.assignment import load_assignment
    real = load_assignment(assignment_dir)
    targets = sorted({t for c in real.checks() for t in c.spec.target}) or ["x"]
    null = workdir / "null-assignment" / real.slug      # same slug: the same reference module
    (null / "tests" / "public").mkdir(parents=True)
    shutil.copy(assignment_dir / "assignment.toml", null / "assignment.toml")
    text = (null / "assignment.toml").read_text(encoding="utf-8")
    (null / "assignment.toml").write_text(
        "\n".join(line for line in text.splitlines() if not line.strip().startswith("points")) + "\n",
        encoding="utf-8")
    (null / "tests" / "public" / "test_null.py").write_text(NULL_CHECK.format(targets=targets, first=targets[0]))
    return null


def spawn_close_times(zygote: Any, limits: Any, samples: int) -> list[float]:
    out = []
    for _ in range(samples):
        t0 = time.perf_counter()
        zygote.spawn(limits, 0).close()
        out.append(time.perf_counter() - t0)
    return out


def round_trips(zygote: Any, limits: Any, samples: int) -> tuple[list[float], list[float]]:
    """No-op request round trips, and echo round trips of the largest tensor the checks send."""
    import torch

    from graders.sandbox.proxy import Session, StudentProxy
    session = Session(zygote, filename="echo.py", source=b"def noop():\n    return None\n\n"
                      b"def echo(x):\n    return x\n", limits=limits, seed=0)
    student = StudentProxy(session)
    try:
        student.call("noop")                       # spawn + load; not counted below
        noop = []
        for _ in range(samples):
            t0 = time.perf_counter()
            student.call("noop")
            noop.append(time.perf_counter() - t0)
        big = torch.randn(2, 8, 100, 150)          # the scores of test_mha_large: 240,000 floats
        echo = []
        for _ in range(max(5, samples // 10)):
            t0 = time.perf_counter()
            student.call("echo", big)
            echo.append(time.perf_counter() - t0)
    finally:
        session.close()
    return noop, echo


# ----------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=20, help="number of submissions (default 20)")
    ap.add_argument("--quick", action="store_true", help="N=3 and fewer micro-samples (a smoke run)")
    ap.add_argument("--skip-nbgrader", action="store_true", help="leave nbgrader out")
    ap.add_argument("--assignment", default="assignments/attention",
                    help="assignment folder (the nbgrader task and the submissions are the attention ones)")
    ap.add_argument("--threads", type=int, default=None,
                    help="torch/OpenMP threads of every grader process (warm: torch.set_num_threads in "
                         "this process; cold and nbgrader: OMP_NUM_THREADS/MKL_NUM_THREADS). Default: "
                         "leave each as shipped (torch uses one thread per core)")
    ap.add_argument("--samples", type=int, default=20, help="spawn+close samples (default 20)")
    ap.add_argument("--json-out", help="also write every measurement to this JSON file")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--no-batch", action="store_true",
                    help="skip the extra nbgrader run that autogrades all N submissions in one process")
    ap.add_argument("--no-background", action="store_true",
                    help="close sandboxes and spawn them on the critical path (Engine() instead of "
                         "Engine(background=True), as a worker uses it)")
    ap.add_argument("--rev", help="grade with graders/, reference/ and the assignment of this git revision "
                                  "(default: the working tree)")
    args = ap.parse_args(argv)
    if args.quick:
        args.n = 3

    workdir = Path(tempfile.mkdtemp(prefix="seqlab-bench-"))
    try:
        return run(args, workdir)
    finally:
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def snapshot(args: argparse.Namespace, workdir: Path) -> tuple[Path, str]:
    """Copy graders/, reference/ and the assignment to workdir/src; return it and a description.

    Every grader of the run (warm in this process, cold subprocesses) then uses the same code,
    even while someone edits the repository. --rev takes the files from a git revision instead
    of the working tree.
    """
    src = workdir / "src"
    src.mkdir()
    paths = [*SNAPSHOT, args.assignment.rstrip("/")]
    git = lambda *a: subprocess.run(["git", "-C", str(REPO), *a], capture_output=True, text=True)  # noqa: E731
    head = git("rev-parse", "--short", args.rev or "HEAD").stdout.strip() or "?"
    if args.rev:
        archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", args.rev, *paths],
                                 capture_output=True)
        if archive.returncode != 0:
            raise SystemExit(f"bench: git archive {args.rev} failed: {archive.stderr.decode()[-500:]}")
        subprocess.run(["tar", "-x", "-C", str(src)], input=archive.stdout, check=True)
        return src, f"git {args.rev} ({head})"
    for rel in paths:
        shutil.copytree(REPO / rel, src / rel, ignore=shutil.ignore_patterns("__pycache__"))
    dirty = git("status", "--porcelain", "--", *paths).stdout.strip()
    return src, f"working tree at {head}" + (" with uncommitted changes" if dirty else "")


def run(args: argparse.Namespace, workdir: Path) -> int:
    src, code = snapshot(args, workdir)
    sys.path.insert(0, str(src))
    import torch

    from graders.assignment import AssignmentError, load_assignment
    from graders.contracts import Job
    from graders.engine import Engine
    from graders.sandbox.host import SandboxUnavailable

    rtt_samples = 50 if args.quick else 200
    env = dict(os.environ)
    if args.threads:
        torch.set_num_threads(args.threads)
        env.update(OMP_NUM_THREADS=str(args.threads), MKL_NUM_THREADS=str(args.threads))
    assignment_dir = src / args.assignment.rstrip("/")
    try:
        assignment = load_assignment(assignment_dir)
        assignment.checks()
    except AssignmentError as exc:
        print(f"bench: the assignment is broken: {exc}", file=sys.stderr)
        return 2
    subs = read_submissions(args.n, workdir, assignment.file)
    load0 = os.getloadavg()

    print(f"SeqLab bench: {assignment.slug}, N={args.n} submissions ({len(set(s[0] for s in subs))} distinct files "
          f"from bench/submissions), {os.cpu_count()} CPUs, load average {load0[0]:.2f} at start")
    threads = (f"{args.threads} (--threads)" if args.threads
               else f"as shipped (torch.get_num_threads() = {torch.get_num_threads()})")
    print(f"grader threads: {threads}; the sandbox child uses Limits.threads = {assignment.limits.threads}")
    print(f"code: graders/, reference/ and {args.assignment} from the {code}, copied to a temporary directory "
          "that every grader of this run uses")

    probe = Probe()
    probe.install()
    rows: list[Row] = [Row(name) for name, _, _ in subs]
    extra: dict[str, Any] = {}
    try:
        t0 = time.perf_counter()
        try:
            engine = Engine(background=not args.no_background).start()
        except TypeError:                                   # a --rev from before Engine(background=...)
            engine = Engine().start()
        extra["engine_start_s"] = time.perf_counter() - t0
        settle = getattr(engine, "settle", lambda: None)
        report_of = getattr(engine, "sandbox_report", lambda r: dict(r.sandbox))
    except SandboxUnavailable as exc:
        print(f"bench: no sandbox here: {exc}", file=sys.stderr)
        return 3

    course = None
    try:
        # ---- one-time costs, reported apart from the per-submission figures
        t0 = time.perf_counter()
        engine.grade(Job(str(assignment_dir), assignment.file, subs[0][1]))
        extra["warmup_grade_s"] = time.perf_counter() - t0
        null_dir = make_null_assignment(assignment_dir, workdir)
        engine.grade(Job(str(null_dir), assignment.file, subs[0][1]))          # loads the null check
        if not args.skip_nbgrader:
            import nbgrader_task
            course = nbgrader_task.Course(workdir / "course", (src / "reference" / "attention.py").read_text(),
                                          {k: v for k, v in env.items() if k.endswith("_NUM_THREADS")})
            t0 = time.perf_counter()
            course.generate()
            extra["nbgrader_generate_s"] = time.perf_counter() - t0
            for i, (_, content, _) in enumerate(subs):
                course.submit(f"s{i:02d}", content.decode("utf-8"))

        zygote_pid = getattr(getattr(engine.zygote, "proc", None), "pid", None)
        # ---- the per-submission runs, interleaved
        for i, (name, content, path) in enumerate(subs):
            row = rows[i]
            job = Job(str(assignment_dir), assignment.file, content)
            settle()            # what the background did after the last grading is done, as between jobs
            probe.reset()
            probe.enabled = True
            c0, t0 = time.process_time(), time.perf_counter()
            result = engine.grade(job)
            row.warm_s, row.warm_cpu_grader_s = time.perf_counter() - t0, time.process_time() - c0
            probe.enabled = False
            row.warm_exec_s = result.execution_time
            row.score_warm = f"{result.score:g}/{result.max_score:g}"
            row.stage_times, row.sandbox = dict(result.stage_times), report_of(result)
            row.requests, row.request_s = probe.calls.get("request", 0), probe.seconds.get("request", 0.0)
            row.spawns, row.spawn_s = probe.calls.get("spawn", 0), probe.seconds.get("spawn", 0.0)
            row.close_s = probe.seconds.get("close", 0.0)

            settle()
            probe.reset()
            probe.enabled = True
            z0, c0, t0 = proc_cpu(zygote_pid), time.process_time(), time.perf_counter()
            null = engine.grade(Job(str(null_dir), assignment.file, content))
            row.null_s = time.perf_counter() - t0
            settle()            # the CPU figure includes the background close and spare of the null grading
            row.null_cpu_s = (time.process_time() - c0 + proc_cpu(zygote_pid) - z0
                              + float(report_of(null).get("cpu_seconds", 0.0)))
            probe.enabled = False
            row.null_parts = {"spawn": probe.seconds.get("spawn", 0.0), "module load": probe.seconds.get("load", 0.0),
                              "close": probe.seconds.get("close", 0.0),
                              "static checks": null.stage_times.get("static_check", 0.0),
                              "upload": null.stage_times.get("stage_upload", 0.0)}
            row.null_parts["the rest"] = row.null_s - sum(row.null_parts.values())

            row.cold_s, row.cold_cpu_s, cold = grade_cold(src, str(assignment_dir), path, env)
            # The sandbox child is reaped by the kernel (SIGCHLD ignored), so getrusage misses it: add it.
            row.cold_cpu_s += float(cold["extra_data"]["sandbox"].get("cpu_seconds", 0.0))
            row.cold_exec_s = float(cold["execution_time"])
            row.score_cold = f"{cold['score']:g}/{cold['max_score']:g}"

            if course is not None:
                student = f"s{i:02d}"
                c0, t0 = children_cpu(), time.perf_counter()
                proc = course.autograde(student)
                row.nb_s, row.nb_cpu_s = time.perf_counter() - t0, children_cpu() - c0
                if proc.returncode != 0:
                    raise RuntimeError(f"nbgrader autograde {student} failed:\n{proc.stderr[-3000:]}")
                got, total = course.score(student)
                row.score_nb = f"{got:g}/{total:g}"
            print(f"  [{i + 1:2d}/{args.n}] {name:<24} warm {row.warm_s:6.3f} s  cold {row.cold_s:6.2f} s"
                  + (f"  nbgrader {row.nb_s:6.2f} s" if course is not None else ""), flush=True)

        # ---- nbgrader's best case: one process autogrades all N (its start-up paid once)
        if course is not None and not args.no_batch:
            c0, t0 = children_cpu(), time.perf_counter()
            proc = course.autograde()
            extra["nbgrader_batch_s"], extra["nbgrader_batch_cpu_s"] = time.perf_counter() - t0, children_cpu() - c0
            if proc.returncode != 0:
                raise RuntimeError(f"nbgrader autograde (all students) failed:\n{proc.stderr[-3000:]}")
            print(f"  [batch] nbgrader autograde of all {args.n} in one process: {extra['nbgrader_batch_s']:.2f} s",
                  flush=True)

        # ---- micro-measurements of the warm path's fixed costs
        spawn_close = spawn_close_times(engine.zygote, assignment.limits, args.samples)
        noop, echo = round_trips(engine.zygote, assignment.limits, rtt_samples)
    finally:
        engine.close()

    report(args, rows, extra, spawn_close, noop, echo, load0, course is not None)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({
            "n": args.n, "threads": args.threads, "cpus": os.cpu_count(), "load_start": load0,
            "load_end": os.getloadavg(), "extra": extra, "spawn_close_s": spawn_close,
            "noop_rtt_s": noop, "echo_rtt_s": echo, "rows": [r.__dict__ for r in rows]}, indent=1))
    return 0


def report(args: argparse.Namespace, rows: list[Row], extra: dict[str, Any], spawn_close: list[float],
           noop: list[float], echo: list[float], load0: tuple[float, ...], with_nb: bool) -> None:
    col = lambda f: [f(r) for r in rows]                     # noqa: E731
    W, C = median(col(lambda r: r.warm_s)), median(col(lambda r: r.cold_s))
    G = median(col(lambda r: r.nb_s)) if with_nb else float("nan")
    null = median(col(lambda r: r.null_s))
    rtt = median(noop)
    req = median(col(lambda r: float(r.requests)))
    overhead = median(col(lambda r: r.null_s + r.requests * rtt))
    child_cpu = median(col(lambda r: float(r.sandbox.get("cpu_seconds", float("nan")))))
    load1 = os.getloadavg()

    print()
    print("Per submission (seconds, wall clock; scores warm | cold | nbgrader):")
    for r in rows:
        print(f"  {r.name:<24} warm {r.warm_s:6.3f}  null {r.null_s:6.3f}  cold {r.cold_s:6.2f}"
              + (f"  nbgrader {r.nb_s:6.2f}" if with_nb else "")
              + f"   {r.score_warm} | {r.score_cold}" + (f" | {r.score_nb}" if with_nb else ""))
    same = all(r.score_warm == r.score_cold for r in rows)
    print(f"  warm and cold scores {'agree on every submission' if same else 'DIFFER (see above)'}; nbgrader runs "
          "its own 8 test cells (40 points), the engine its 25 checks with mistake diagnosis.")

    print()
    print("How each figure was measured (medians over the N submissions unless said otherwise):")
    mode = ("Engine() (spawn and close on the critical path)" if args.no_background else
            "Engine(background=True): the last sandbox is closed and the next one spawned in a background "
            "thread, which is settled before each timed grading, as between a worker's jobs")
    print(f"  engine     {mode}")
    print(f"  warm       {W:7.3f} s/sub  wall clock of engine.grade(job) in this process, one Engine for the run "
          f"(execution_time in the Result: {median(col(lambda r: r.warm_exec_s)):.3f} s)")
    print(f"             grader CPU {median(col(lambda r: r.warm_cpu_grader_s)):.3f} s/sub (time.process_time of this "
          f"process: checks, reference, mistakes, transport); child CPU {child_cpu:.3f} s/sub "
          "(Result.sandbox.cpu_seconds: the student's code, its module load, the child's side of the transport)")
    stages = sorted({k for r in rows for k in r.stage_times})
    print("             stage_times " + ", ".join(f"{k} {ms(median(col(lambda r, k=k: r.stage_times.get(k, 0.0))))}"
                                              for k in stages))
    print(f"  cold       {C:7.3f} s/sub  wall clock of one `python -m graders grade {args.assignment} attention.py "
          f"--json` subprocess; CPU {median(col(lambda r: r.cold_cpu_s)):.2f} s/sub (getrusage of children + its "
          f"sandbox's cpu_seconds); its own "
          f"execution_time {median(col(lambda r: r.cold_exec_s)):.3f} s, so start-up (interpreter, import torch, "
          f"zygote) ~ {median(col(lambda r: r.cold_s - r.cold_exec_s)):.2f} s")
    if with_nb:
        print(f"  nbgrader   {G:7.3f} s/sub  wall clock of one `nbgrader autograde attention --student sNN --force` "
              f"subprocess (nbgrader {_nbgrader_version()}, sqlite gradebook, kernel python3); CPU "
              f"{median(col(lambda r: r.nb_cpu_s)):.2f} s/sub (getrusage of children: nbgrader + kernel); "
              f"generate_assignment once: {extra.get('nbgrader_generate_s', float('nan')):.2f} s")
        if "nbgrader_batch_s" in extra:
            gb = extra["nbgrader_batch_s"] / len(rows)
            print(f"             batch: `nbgrader autograde attention --force` over all {len(rows)} submissions in one "
                  f"process took {extra['nbgrader_batch_s']:.2f} s = {gb:.3f} s/sub (CPU "
                  f"{extra['nbgrader_batch_cpu_s'] / len(rows):.2f} s/sub): nbgrader's start-up paid once, one kernel "
                  f"per notebook still; warm-vs-nbgrader on this basis {gb / W:.1f}x")
    else:
        print("  nbgrader   skipped (--skip-nbgrader)")
    print(f"  one-time   Engine().start() {extra['engine_start_s']:.2f} s (import torch, zygote preload, a probe "
          f"sandbox); first grading {extra['warmup_grade_s']:.2f} s (loads check modules, reference, mistakes; untimed)")

    print()
    print("Warm overhead: what the engine adds beyond the checks' and the student's own compute")
    print(f"  spawn+close   {ms(median(spawn_close))} median of {len(spawn_close)} (min {ms(min(spawn_close))}, max "
          f"{ms(max(spawn_close))}): graders.sandbox.host.Zygote.spawn(limits, 0) then Sandbox.close()")
    print(f"  null grading  {ms(null)}/sub: engine.grade of the same submission against a copy of the assignment "
          "(same assignment.toml, file, limits, banned APIs) whose single check only loads the module "
          "(student.has): load assignment, upload, static checks, spawn, module load, close, result. "
          "It skips nothing but the checks' work")
    print(f"                CPU {ms(statistics.fmean(col(lambda r: r.null_cpu_s)))}/sub (mean): this process + the "
          "zygote (from /proc, 10 ms ticks) + the child (Result.sandbox.cpu_seconds); the middle process, "
          "reaped by the kernel, is not visible, so this is a lower bound that the machine's load barely moves")
    parts = list(rows[0].null_parts)
    print("                = " + " + ".join(f"{k} {ms(median(col(lambda r, k=k: r.null_parts.get(k, 0.0))))}"
                                         for k in parts)
          + " (spawn/module load/close timed by wrapping Zygote.spawn, Session._await, Sandbox.close; "
            "the rest: load_assignment with its content hash, Context, Result)")
    print(f"  no-op request {ms(rtt)} round trip, median of {len(noop)} (StudentProxy.call of a function returning "
          f"None); echo of a 2x8x100x150 float32 tensor (0.96 MB each way): {ms(median(echo))}")
    print(f"  requests      {req:.0f}/sub to the sandbox (counted by wrapping Sandbox.request in this process), "
          f"{ms(median(col(lambda r: r.request_s)))}/sub inside them (transport + the student's compute); spawns "
          f"{median(col(lambda r: float(r.spawns))):.0f}/sub ({ms(median(col(lambda r: r.spawn_s)))}), close "
          f"{ms(median(col(lambda r: r.close_s)))}")
    verdict = "met" if overhead * 1e3 <= TARGET_OVERHEAD_MS else "NOT met"
    print(f"  overhead      {ms(overhead)}/sub = null grading + requests x no-op round trip (target <= "
          f"{TARGET_OVERHEAD_MS:g} ms: {verdict}); the rest of warm, {W - overhead:.3f} s, is the checks' and "
          "the student's compute (CPU figures above)")

    warm_cpu = median(col(lambda r: r.warm_cpu_grader_s + float(r.sandbox.get("cpu_seconds", 0.0))))
    cold_cpu = median(col(lambda r: r.cold_cpu_s))
    print()
    print(f"CPU seconds per submission (less sensitive to the machine's load than wall clock): warm {warm_cpu:.3f} "
          f"(grader + child), cold {cold_cpu:.2f} (ratio {cold_cpu / warm_cpu:.1f}x)"
          + (f", nbgrader {median(col(lambda r: r.nb_cpu_s)):.2f} (ratio "
             f"{median(col(lambda r: r.nb_cpu_s)) / warm_cpu:.1f}x)" if with_nb else ""))

    rc = C / W
    rn = G / W if with_nb else float("nan")
    print()
    print(f"Targets: warm {W:.3f} s/sub (target <= {TARGET_WARM:g}: {'met' if W <= TARGET_WARM else 'NOT met'}); "
          f"warm-vs-cold {rc:.1f}x (target >= {TARGET_RC:g}: {'met' if rc >= TARGET_RC else 'NOT met'})"
          + (f"; warm-vs-nbgrader {rn:.1f}x (target >= {TARGET_RN:g}: {'met' if rn >= TARGET_RN else 'NOT met'})"
             if with_nb else "; warm-vs-nbgrader not measured")
          + (f"; against nbgrader's batch run {rnb:.1f}x ({'met' if rnb >= TARGET_RN else 'NOT met'})"
             if (rnb := extra.get("nbgrader_batch_s", float("nan")) / len(rows) / W) == rnb else ""))
    print(f"Load average {load0[0]:.2f} at start, {load1[0]:.2f} at end, on {os.cpu_count()} CPUs "
          "(other processes on the machine slow every figure; compare runs at similar load)")

    mem = [r.sandbox for r in rows if r.sandbox]
    peak = lambda key: max((m.get(key, 0) for m in mem), default=0)            # noqa: E731
    med = lambda key: median([float(m.get(key, 0)) for m in mem])                 # noqa: E731
    nb = f"{G:.2f}" if with_nb else "n/a"
    rn_s = f"{rn:.1f}" if with_nb else "n/a"
    print(f"bench: warm {W:.3f} s/sub, cold {C:.2f} s/sub, nbgrader {nb} s/sub, "
          f"warm-vs-cold {rc:.1f} x, warm-vs-nbgrader {rn_s} x")
    print(f"memory per child (peak over {len(mem)} children, from Result.sandbox): private {mib(peak('private_kib'))}, "
          f"pss {mib(peak('pss_kib'))}, rss {mib(peak('rss_kib'))}, maxrss {mib(peak('maxrss_kib'))}; "
          f"median private {mib(med('private_kib'))}")


def _nbgrader_version() -> str:
    try:
        import nbgrader
        return nbgrader.__version__
    except ImportError:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
