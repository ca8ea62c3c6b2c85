"""bench/faults.py: each production fault during a small burst, on a stack this script owns.

    python bench/faults.py                       # every fault, 10 submissions each
    python bench/faults.py --n 20 --only redis-restart postgres-stop

Before the faults, each variant of the burst's mix (bench/burst.py) is graded once with no
fault: that is the score it must get. Then, per fault, a small burst is submitted through the
API and the fault is applied while it grades. One line per fault, then the tally:

fault NAME: lost L, duplicates D, wrongly scored W, all final S s after the fault
faults: X/Y held

lost: accepted submissions not final 300 s after the fault; duplicates: results beyond one per
run; wrongly scored: a final state or score other than the variant's; S: from the fault's end
(the service back, the worker started again, the cut made) to the last final state. A fault
holds with 0 / 0 / 0 and S <= 60.

The faults: kill -9 of a grading process mid-grade; kill -9 of the supervisor (its workers
finish what they hold and stop; a new supervisor is started at once); Redis restarted without
persistence while work is queued; PostgreSQL stopped for 20 s; no worker at all for 30 s; a
sandbox killed from outside mid-grade (as the host's OOM killer would); a grading host in its
own network namespace cut off from Redis and PostgreSQL mid-grade (`ip netns`, a veth pair,
the link set down), needs root.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.burst import ATTENTION, mix, submit_all, wait_final  # noqa: E402
from bench.stack import Stack, cmdline, descendants, free_ports  # noqa: E402

HELD_WITHIN = 60.0
NETNS, HOST_IP, NS_IP = "seqlab-cut", "10.251.0.1", "10.251.0.2"


class Run:
    """One fault's burst: submitted in the background while the fault happens."""

    def __init__(self, stack: Stack, seeded: dict, first: int, names: list[str], window: float):
        self.accepted: dict[int, str] = {}
        self.thread = threading.Thread(target=self._submit, args=(stack, seeded, first, names, window))
        self.thread.start()

    def _submit(self, stack, seeded, first, names, window):
        self.accepted = submit_all(stack, seeded["offering"], seeded["tokens"], names, window, first=first)


def _running(stack: Stack, timeout: float = 120) -> tuple[int, int]:
    """(submission id, worker pid) of a run being graded now."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            rows = stack.sql("select id, worker from submissions_submission where status = 'running' "
                             "and started_at < now() - interval '0.3 seconds' order by started_at limit 1")
        except Exception:
            rows = []
        if rows and "#" in rows[0][1]:
            return rows[0][0], int(rows[0][1].rsplit("#", 1)[1])
        time.sleep(0.1)
    raise TimeoutError("nothing started grading")




def _kill(pids) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# ---------------------------------------------------------------- the faults: each returns its end (epoch)
def worker_kill(stack: Stack, ctx: dict) -> float:
    _kill([_running(stack)[1]])
    return time.time()


def supervisor_kill(stack: Stack, ctx: dict) -> float:
    _running(stack)
    os.kill(stack.procs["workers"].pid, signal.SIGKILL)     # not its group: the workers are told by the kernel
    stack.procs.pop("workers").wait()
    stack.workers_start(processes=ctx["processes"], name="workers")
    return time.time()


def redis_restart(stack: Stack, ctx: dict) -> float:
    _running(stack)
    time.sleep(1)
    stack.redis_stop()
    stack.redis_start()
    return time.time()


def postgres_stop(stack: Stack, ctx: dict) -> float:
    _running(stack)
    stack.postgres_stop("fast")
    time.sleep(20)
    stack.postgres_start()
    return time.time()


def no_worker(stack: Stack, ctx: dict) -> float:
    _running(stack)
    stack.workers_kill()                         # the supervisor, its workers, the sweeper's process
    time.sleep(30)
    stack.workers_start(processes=ctx["processes"], name="workers")
    return time.time()


def sandbox_kill(stack: Stack, ctx: dict) -> float:
    _, worker = _running(stack)
    time.sleep(0.5)                              # into the checks
    zygotes = [p for p in descendants(worker) if "graders.sandbox.zygote" in cmdline(p)]
    if zygotes:
        _kill(descendants(zygotes[0]))
    return time.time()




def host_cut_prepare(stack: Stack, ctx: dict) -> None:
    """A third grading host in its own network namespace, reaching Redis and PostgreSQL over a veth."""
    env = stack.env(DATABASE_URL=f"postgresql://postgres@{HOST_IP}:{stack.pg_port}/seqlab",
                    REDIS_URL=f"redis://{HOST_IP}:{stack.redis_port}/0", SEQLAB_VAR_DIR=str(stack.root / "var-cut"),
                    SEQLAB_MAINTENANCE_WORKER="0")
    stack.workers_start(processes=1, name="cut-host", env=env, wrap=["ip", "netns", "exec", NETNS])
    stack.wait_workers_ready(ctx["processes"] + 1)


def host_cut(stack: Stack, ctx: dict) -> float:
    """Cut the namespaced host's link once it grades a submission of the burst."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pids = set(_children_of_state(stack.root / "var-cut"))
        rows = stack.sql("select worker from submissions_submission where status = 'running'")
        if any(r[0].rsplit("#", 1)[-1].isdigit() and int(r[0].rsplit("#", 1)[1]) in pids for r in rows):
            break
        time.sleep(0.1)
    subprocess.run(["ip", "link", "set", "seqlab-cut-h", "down"], check=True)
    return time.time()


def _children_of_state(var: Path) -> list[int]:
    import json
    try:
        return list(json.loads((var / "run" / "grading-cpu.json").read_text())["children"].values())
    except (OSError, ValueError):
        return []


def netns_up() -> bool:
    """The veth pair and namespace host_cut needs (root only); False if they cannot be made."""
    steps = [["ip", "netns", "add", NETNS],
             ["ip", "link", "add", "seqlab-cut-h", "type", "veth", "peer", "name", "seqlab-cut-n"],
             ["ip", "link", "set", "seqlab-cut-n", "netns", NETNS],
             ["ip", "addr", "add", f"{HOST_IP}/30", "dev", "seqlab-cut-h"],
             ["ip", "link", "set", "seqlab-cut-h", "up"],
             ["ip", "netns", "exec", NETNS, "ip", "addr", "add", f"{NS_IP}/30", "dev", "seqlab-cut-n"],
             ["ip", "netns", "exec", NETNS, "ip", "link", "set", "seqlab-cut-n", "up"],
             ["ip", "netns", "exec", NETNS, "ip", "link", "set", "lo", "up"]]
    for step in steps:
        if subprocess.run(step, capture_output=True).returncode:
            netns_down()
            return False
    return True


def netns_down() -> None:
    subprocess.run(["ip", "link", "del", "seqlab-cut-h"], capture_output=True)
    subprocess.run(["ip", "netns", "del", NETNS], capture_output=True)


FAULTS = {"worker-kill": worker_kill, "supervisor-kill": supervisor_kill, "redis-restart": redis_restart,
          "postgres-stop": postgres_stop, "no-worker": no_worker, "sandbox-kill": sandbox_kill,
          "host-cut": host_cut}
PREPARE = {"host-cut": host_cut_prepare}


def calibrate(stack: Stack, seeded: dict, names: list[str]) -> tuple[dict[str, tuple], int]:
    """Each variant graded once with no fault: the state and score it must get under any fault."""
    accepted = submit_all(stack, seeded["offering"], seeded["tokens"], names, 0.0)
    rows = wait_final(stack, list(accepted), 900)
    return {accepted[r[0]]: (r[1], None if r[5] is None else round(float(r[5]), 4)) for r in rows}, len(names)


def judge(stack: Stack, run: Run, expected: dict, end: float) -> dict:
    rows = wait_final(stack, list(run.accepted), 300 + max(0.0, end - time.time()))
    final = [r for r in rows if r[1] in ("graded", "rejected")]
    wrong = sum(1 for r in final if (r[1], None if r[5] is None else round(float(r[5]), 4)) != expected[run.accepted[r[0]]])
    last = max((float(r[4]) for r in final), default=end)
    return {"lost": len(run.accepted) - len(final), "duplicates": sum(max(0, int(r[6]) - 1) for r in rows),
            "wrong": wrong, "after": max(0.0, last - end)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10, help="submissions per fault")
    parser.add_argument("--only", nargs="*", choices=sorted(FAULTS), help="run only these faults")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port-base", type=int, default=16560)
    args = parser.parse_args()
    chosen = args.only or list(FAULTS)
    cut = "host-cut" in chosen and os.geteuid() == 0 and netns_up()
    if "host-cut" in chosen and not cut:
        print("fault host-cut: not run (needs root and `ip netns`)")
        chosen.remove("host-cut")
    pg, redis = free_ports(args.port_base, 2)
    (web,) = free_ports(args.port_base + 2000, 1)
    held = 0
    try:
        with tempfile.TemporaryDirectory(prefix="seqlab-faults-") as tmp, Stack(
                Path(tmp), ports=(pg, redis, web), listen=HOST_IP if cut else None) as stack:
            seeded = stack.start(assignment=ATTENTION, students=11 + args.n * len(chosen), processes=args.workers)
            used = sorted(set(mix(args.n)))
            expected, first = calibrate(stack, seeded, used)
            for name in chosen:
                if name in PREPARE:
                    PREPARE[name](stack, {"processes": args.workers})
                run = Run(stack, seeded, first, mix(args.n), window=max(2.0, args.n * 0.3))
                first += args.n
                end = FAULTS[name](stack, {"processes": args.workers})
                run.thread.join()
                v = judge(stack, run, expected, end)
                ok = v["lost"] == v["duplicates"] == v["wrong"] == 0 and v["after"] <= HELD_WITHIN
                held += ok
                print(f"fault {name}: lost {v['lost']}, duplicates {v['duplicates']}, wrongly scored {v['wrong']}, "
                      f"all final {v['after']:.1f} s after the fault", flush=True)
                if name == "host-cut":
                    stack.kill("cut-host")
    finally:
        if cut:
            netns_down()
    total = len(args.only or FAULTS)
    print(f"faults: {held}/{total} held")
    return 0 if held == total else 1


if __name__ == "__main__":
    sys.exit(main())
