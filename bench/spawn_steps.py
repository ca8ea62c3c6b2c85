#!/usr/bin/env python
"""Where a sandbox's spawn and close go: the zygote's steps replayed one by one, timed.

    python bench/spawn_steps.py [--n 15]

Loads what the zygote loads (graders.sandbox.zygote.preload), then, like the zygote, forks a
middle process that enters new namespaces and forks the child, which builds its root view,
sets rlimits, drops privileges and starts like graders.sandbox.child.run; both then exit.
Each step is timed where it runs (wall clock, median of N), and the CPU of a whole cycle is
read with getrusage (parent: the fork; children: middle + child, their exits included).
It also times one fork+exit of the same process and the memory report's /proc reads.
Needs root or unprivileged user namespaces, like the engine. Touches nothing outside /tmp.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("OMP_NUM_THREADS", "1")

LIMITS = dict(memory_mib=1024, cpu_seconds=120, processes=64, open_files=256, file_size_mib=16)


def cpu(who: int) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def cycle(plan) -> dict[str, float]:
    import torch

    from graders.sandbox import isolate
    r, w = os.pipe()
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:                                   # the middle process
        os.close(r)
        t = time.perf_counter()
        times["fork of the middle"] = t - t0
        isolate.enter_namespaces(plan)
        times["unshare namespaces"] = time.perf_counter() - t
        t = time.perf_counter()
        child = os.fork()
        if child == 0:                             # the sandbox child
            t1 = time.perf_counter()
            times["fork of the child"] = t1 - t
            isolate.build_root(plan)
            t2 = time.perf_counter()
            times["root file view"] = t2 - t1
            isolate.clean_environment()
            isolate.apply_rlimits(**LIMITS)
            t3 = time.perf_counter()
            times["environment + rlimits"] = t3 - t2
            isolate.drop_privileges(plan)
            t4 = time.perf_counter()
            times["privileges + seccomp"] = t4 - t3
            torch.set_num_threads(1)
            torch.manual_seed(0)
            times["child set-up (threads, seeds)"] = time.perf_counter() - t4
            os.write(w, json.dumps(times).encode())
            os._exit(0)
        os.waitpid(child, 0)
        os._exit(0)
    os.close(w)
    times = json.loads(os.read(r, 65536))
    os.close(r)
    t = time.perf_counter()
    os.waitpid(pid, 0)
    times["exits (child, then middle)"] = time.perf_counter() - t
    times["total"] = time.perf_counter() - t0
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=15)
    args = ap.parse_args()
    from graders.sandbox import isolate, zygote
    zygote.preload()
    plan = isolate.plan_for(isolate=True, scratch_mib=64, hide=isolate.repo_paths())
    status = Path("/proc/self/status").read_text()
    rss = next(line.split(":")[1].strip() for line in status.splitlines() if line.startswith("VmRSS"))
    print(f"zygote-like process: RSS {rss}, {sum(1 for _ in open('/proc/self/maps'))} mappings, "
          f"load average {os.getloadavg()[0]:.2f}")

    c0, s0 = cpu(resource.RUSAGE_CHILDREN), cpu(resource.RUSAGE_SELF)
    runs = [cycle(plan) for _ in range(args.n)]
    c1, s1 = cpu(resource.RUSAGE_CHILDREN), cpu(resource.RUSAGE_SELF)
    print(f"spawn + close, step by step (wall clock, median of {args.n}):")
    for key in runs[0]:
        print(f"  {key:32s} {statistics.median(r[key] for r in runs) * 1e3:7.2f} ms")
    print(f"  CPU per cycle: {(s1 - s0) / args.n * 1e3:.1f} ms in the forking parent, "
          f"{(c1 - c0) / args.n * 1e3:.1f} ms in middle + child")

    c0, s0 = cpu(resource.RUSAGE_CHILDREN), cpu(resource.RUSAGE_SELF)
    for _ in range(args.n):
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
    print(f"one fork + exit of this process: CPU {(cpu(resource.RUSAGE_SELF) - s0) / args.n * 1e3:.1f} ms parent + "
          f"{(cpu(resource.RUSAGE_CHILDREN) - c0) / args.n * 1e3:.1f} ms child")

    pid = os.fork()
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    try:
        for name in ("smaps_rollup", "status"):
            xs = []
            for _ in range(50):
                t = time.perf_counter()
                Path(f"/proc/{pid}/{name}").read_text()
                xs.append(time.perf_counter() - t)
            print(f"read /proc/PID/{name} of a forked copy: {statistics.median(xs) * 1e3:.3f} ms")
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
