"""The GPU lane in one short check: what a sandbox sees, and grading on CUDA vs the CPU.

Run through bench/gpu_check.sh (it installs carried wheels first). Steps:
  (a) a sandboxed child reports the GPU it sees (name, memory) and what else it sees
      (/dev, environment, the repository, the network): the device nodes and CUDA
      libraries reach it, nothing else does;
  (b) seq2seq-train (the `gpu` queue): the reference and one wrong submission graded on
      CUDA and on the CPU, scores and times side by side;
  (c) the transformer and attention references graded on CUDA: full marks, tolerances unchanged;
  (d) a burst of attention submissions through one warm engine on CUDA: time per
      submission, and the peak GPU memory of any sandbox as NVML saw it from outside.
The last line is the summary other tools read:
  gpu: device NAME, sandbox sees cuda yes|no, seq2seq gpu S s vs cpu C s, scores agree yes|no,
  attention burst N in T s, peak MEM MiB
With --cpu the same steps run with every sandbox on the CPU (the half CI runs); without a GPU
and without --cpu it prints one line and exits 0.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform as std_platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graders.assignment import load_assignment  # noqa: E402
from graders.contracts import Job, Limits  # noqa: E402
from graders.device import DEVICE_ENV, grading_device  # noqa: E402
from graders.engine import Engine  # noqa: E402
from graders.sandbox.host import SandboxUnavailable  # noqa: E402
from graders.sandbox.proxy import Session, StudentError, StudentProxy  # noqa: E402

ASSIGNMENTS = ROOT / "assignments"
WRONG_SEQ2SEQ = ROOT / "tests" / "content" / "seq2seq_train" / "loss_on_wrong_axis.py"
BURST_FILES = sorted((ROOT / "bench" / "submissions").glob("*.py"))
# What grading these assignments imports beyond the standard library (bench/gpu_wheels.sh
# carries those a GPU host's image lacks).
REQUIRED = ("torch", "numpy", "matplotlib", "pydot", "pyparsing")

PROBE = b'''
import os, socket

def probe(repo):
    import torch
    seen = {"cuda": torch.cuda.is_available(), "dev": sorted(os.listdir("/dev")),
            "env": sorted(os.environ), "root": sorted(os.listdir("/")),
            # A .venv inside the repository is shown (read-only), so its folder may exist; nothing else of it may.
            "repo_visible": any(os.path.exists(os.path.join(repo, p)) for p in ("graders", "reference", "assignments")),
            "uid": os.getuid()}
    if seen["cuda"]:
        props = torch.cuda.get_device_properties(0)
        seen["name"] = props.name
        seen["total_mib"] = props.total_memory >> 20
        x = torch.ones(1024, 1024, device="cuda")
        seen["computed"] = float((x @ x).sum().item())
    try:
        socket.create_connection(("1.1.1.1", 53), timeout=1).close()
        seen["network"] = True
    except OSError:
        seen["network"] = False
    return seen
'''


def log(text: str) -> None:
    print(text, flush=True)


def reference_job(slug: str) -> Job:
    a = load_assignment(ASSIGNMENTS / slug)
    return Job(str(a.path), a.file, a.solution_path.read_bytes(), attachments=a.solution_attachments())


def grade_on(engine: Engine, job: Job, device: str) -> tuple[float, float, float, dict]:
    """(score, max_score, seconds) of one grading with every sandbox on `device`."""
    os.environ[DEVICE_ENV] = device
    t0 = time.perf_counter()
    result = engine.grade(job)
    seconds = time.perf_counter() - t0
    # The last sandbox closes in the background; its exit report (GPU peak included) follows.
    return result.score, result.max_score, seconds, engine.sandbox_report(result)


def step_probe(engine: Engine, device: str) -> dict:
    session = Session(engine.zygote, filename="probe.py", source=PROBE, limits=Limits(call_seconds=60),
                      seed=0, device=device)
    try:
        seen = StudentProxy(session, timeout=60).call("probe", str(ROOT))
    except StudentError as err:
        log(f"(a) the sandbox could not run the probe on {device}: {err}")
        return {"cuda": False}
    finally:
        session.close()
    gpu_nodes = [d for d in seen["dev"] if d.startswith("nvidia")]
    log(f"(a) sandbox on {device}: cuda {'yes' if seen['cuda'] else 'no'}"
        + (f", {seen.get('name')}, {seen.get('total_mib')} MiB, computed {seen.get('computed'):.0f}"
           if seen["cuda"] else ""))
    log(f"    /dev: {' '.join(seen['dev'])}  (GPU nodes: {' '.join(gpu_nodes) or 'none'})")
    log(f"    env: {' '.join(seen['env'])}")
    log(f"    /: {' '.join(seen['root'])}; repository visible: {seen['repo_visible']}; "
        f"network: {seen['network']}; uid {seen['uid']}")
    leaks = [what for what, bad in (("the repository", seen["repo_visible"]), ("the network", seen["network"]),
                                    ("root", seen["uid"] == 0)) if bad]
    if leaks:
        log(f"    FAIL: the sandbox sees {', '.join(leaks)}")
    return seen


def step_seq2seq(engine: Engine, devices: list[str]) -> dict[str, dict[str, tuple[float, float, float]]]:
    a = load_assignment(ASSIGNMENTS / "seq2seq-train")
    jobs = {"reference": reference_job("seq2seq-train"),
            "wrong": Job(str(a.path), a.file, WRONG_SEQ2SEQ.read_bytes())}
    out: dict[str, dict[str, tuple[float, float, float]]] = {}
    for device in devices:
        for name, job in jobs.items():
            score, max_score, seconds, _ = grade_on(engine, job, device)
            out.setdefault(device, {})[name] = (score, max_score, seconds)
            log(f"(b) seq2seq-train {name:9s} on {device:4s}: {score:g}/{max_score:g} in {seconds:.1f} s")
    return out


def step_references(engine: Engine, device: str) -> bool:
    ok = True
    for slug in ("transformer", "attention"):
        score, max_score, seconds, _ = grade_on(engine, reference_job(slug), device)
        full = score == max_score
        ok = ok and full
        log(f"(c) {slug} reference on {device}: {score:g}/{max_score:g} in {seconds:.1f} s"
            + ("" if full else "  FAIL: not full marks"))
    return ok


def step_burst(engine: Engine, device: str, n: int) -> tuple[float, int, list[float]]:
    a = load_assignment(ASSIGNMENTS / "attention")
    times, peak = [], 0
    t0 = time.perf_counter()
    for i in range(n):
        path = BURST_FILES[i % len(BURST_FILES)]
        score, max_score, seconds, sandbox = grade_on(engine, Job(str(a.path), a.file, path.read_bytes()), device)
        times.append(seconds)
        peak = max(peak, int(sandbox.get("gpu_peak_mib", 0) or 0))
        log(f"(d) {i + 1:3d}/{n} {path.stem:24s} {score:5g}/{max_score:g} {seconds:6.2f} s"
            + (f"  gpu {sandbox.get('gpu_peak_mib', 0)} MiB ({sandbox.get('gpu_watch', '-')})"
               if device == "cuda" else ""))
    total = time.perf_counter() - t0
    times.sort()
    log(f"(d) burst: {n} in {total:.1f} s; per submission median {times[len(times) // 2]:.2f} s, "
        f"max {times[-1]:.2f} s; peak GPU memory of a sandbox {peak} MiB")
    return total, peak, times


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cpu", action="store_true", help="run every step on the CPU (no GPU needed)")
    p.add_argument("--burst", type=int, default=None, help="attention submissions in (d) (50; 5 with --cpu)")
    p.add_argument("--json-out", help="also write the figures as JSON here")
    args = p.parse_args(argv)
    burst = args.burst if args.burst is not None else (5 if args.cpu else 50)

    import torch
    has_gpu = grading_device() == "cuda"
    if not has_gpu and not args.cpu:
        print(f"gpu: no GPU on this machine (torch {torch.__version__}, cuda available: no); nothing to check")
        return 0
    device = "cuda" if has_gpu and not args.cpu else "cpu"
    name = torch.cuda.get_device_name(0) if device == "cuda" else "cpu"
    log(f"python {sys.version.split()[0]} ({sys.executable}), torch {torch.__version__}, "
        f"cuda {torch.version.cuda}, {std_platform.machine()}, {os.cpu_count()} CPUs, device {name}")
    missing = [m for m in REQUIRED if importlib.util.find_spec(m) is None]
    if missing:
        print(f"gpu: missing Python packages {' '.join(missing)}: make the wheels with bench/gpu_wheels.sh and "
              "carry bench/gpu-wheels/ (bench/README.md)")
        return 2
    t_start = time.perf_counter()
    try:
        engine = Engine().start()
    except SandboxUnavailable as exc:
        if os.environ.get("SEQLAB_SANDBOX") == "process":
            raise
        # Still worth the figures: the references are trusted code. Said loudly, on its own line.
        log(f"NO SANDBOX on this host ({exc}); the figures below are from plain processes "
            "(SEQLAB_SANDBOX=process, trusted reference code only)")
        os.environ["SEQLAB_SANDBOX"] = "process"
        engine = Engine().start()
    try:
        seen = step_probe(engine, device)
        seq = step_seq2seq(engine, [device, "cpu"] if device == "cuda" else ["cpu"])
        refs_ok = step_references(engine, device)
        burst_s, peak, _ = step_burst(engine, device, burst)
    finally:
        engine.close()
    gpu_s = seq[device]["reference"][2]
    cpu_s = seq["cpu"]["reference"][2]
    agree = all(seq[device][k][0] == seq["cpu"][k][0] for k in seq["cpu"])
    log(f"done in {time.perf_counter() - t_start:.0f} s; the references {'all' if refs_ok else 'NOT all'} "
        "earned full marks")
    summary = (f"gpu: device {name}, sandbox sees cuda {'yes' if seen.get('cuda') else 'no'}, "
               f"seq2seq gpu {gpu_s:.1f} s vs cpu {cpu_s:.1f} s, scores agree {'yes' if agree else 'no'}, "
               f"attention burst {burst} in {burst_s:.1f} s, peak {peak} MiB")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"device": name, "seq2seq": seq, "references_full": refs_ok,
                                                   "burst_seconds": burst_s, "peak_mib": peak,
                                                   "sandbox_cuda": bool(seen.get("cuda"))}, indent=1))
    print(summary, flush=True)
    return 0 if refs_ok and agree and (device == "cpu" or seen.get("cuda")) else 1


if __name__ == "__main__":
    sys.exit(main())
