"""Smoke run of the warm-vs-cold benchmark: it runs and ends with its summary lines.

No timing assertions here: the speed targets live in the bench's own output, not in tests
(a loaded CI machine must not turn a performance figure into a red build).
"""
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NUMBER = r"\d+(?:\.\d+)?"
BENCH_LINE = re.compile(
    rf"^bench: warm (?P<W>{NUMBER}) s/sub, cold (?P<C>{NUMBER}) s/sub, nbgrader (?P<G>{NUMBER}|n/a) s/sub, "
    rf"warm-vs-cold (?P<Rc>{NUMBER}) x, warm-vs-nbgrader (?P<Rn>{NUMBER}|n/a) x$")
MEMORY_LINE = re.compile(
    rf"^memory per child \(peak over \d+ children, from Result\.sandbox\): private {NUMBER} MiB, "
    rf"pss {NUMBER} MiB, rss {NUMBER} MiB, maxrss {NUMBER} MiB; median private {NUMBER} MiB$")


@pytest.mark.slow
def test_quick_bench_ends_with_summary_lines():
    proc = subprocess.run([sys.executable, "bench/warm_vs_cold.py", "--quick", "--skip-nbgrader"], cwd=REPO,
                          capture_output=True, text=True, timeout=900)
    if proc.returncode == 3:
        pytest.skip(f"no grading sandbox on this machine: {proc.stderr.strip()[-300:]}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.rstrip("\n").splitlines()
    assert len(lines) >= 2, proc.stdout
    bench = BENCH_LINE.match(lines[-2])
    assert bench, f"unexpected summary line: {lines[-2]!r}"
    assert bench["G"] == "n/a" and bench["Rn"] == "n/a"        # --skip-nbgrader
    assert float(bench["W"]) > 0 and float(bench["C"]) > 0 and float(bench["Rc"]) > 0
    assert MEMORY_LINE.match(lines[-1]), f"unexpected memory line: {lines[-1]!r}"
    assert "N=3 submissions" in proc.stdout
