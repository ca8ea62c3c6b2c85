"""bench/gpu_check.sh on a machine without a GPU: one line and exit 0; its CPU half grades every step.

No timing assertions: the figures are the bench's output. The GPU half runs on a GPU host
(bench/README.md, "The GPU lane").
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[2]
NUMBER = r"\d+(?:\.\d+)?"
SUMMARY = re.compile(
    rf"^gpu: device (?P<device>.+), sandbox sees cuda (?P<cuda>yes|no), seq2seq gpu {NUMBER} s vs cpu {NUMBER} s, "
    rf"scores agree (?P<agree>yes|no), attention burst (?P<n>\d+) in {NUMBER} s, peak \d+ MiB$")


def run(*args, timeout=600):
    # The interpreter running the tests (a .venv's): on a GPU host the script's default is python3.
    env = {**os.environ, "PYTHON": os.environ.get("PYTHON") or sys.executable}
    return subprocess.run(["bash", "bench/gpu_check.sh", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, env=env)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_without_a_gpu_the_check_says_so_in_one_line_and_exits_0():
    proc = run()
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [proc.stdout.strip()]
    assert proc.stdout.startswith("gpu: no GPU on this machine")


@pytest.mark.slow
def test_cpu_half_probes_the_sandbox_grades_references_and_bursts():
    proc = run("--cpu", "--burst", "3")
    if "cannot build the grading sandbox" in proc.stdout + proc.stderr:
        pytest.skip("no grading sandbox on this machine")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    summary = SUMMARY.match(lines[-1])
    assert summary, lines[-1]
    assert summary["device"] == "cpu" and summary["cuda"] == "no" and summary["agree"] == "yes"
    assert summary["n"] == "3"
    out = proc.stdout
    assert "repository visible: False; network: False" in out
    assert "GPU nodes: none" in out
    assert re.search(r"\(b\) seq2seq-train reference on cpu : 20/20", out), out
    assert re.search(r"\(c\) transformer reference on cpu: 58/58", out), out
    assert re.search(r"\(c\) attention reference on cpu: 40/40", out), out
    assert len(re.findall(r"^\(d\) +\d+/3 ", out, re.M)) == 3
