"""The static stage's cost on the worst 1 MiB sources we can build: time and peak memory.

    python bench/scan_bound.py                 # every shape, each in a fresh interpreter
    python bench/scan_bound.py --only nested_eval,attr_chains

For each shape the bench writes a source just under the upload limit (MAX_SOURCE_BYTES), then
runs, in a fresh `python` per shape (so peak memory is that shape's alone), exactly what the
static stage does: the parse the sandbox also does (bytes → tree) and
the banned-API scan with the attention assignment's and the LSTM assignment's bans, in the
bounded child the stage uses for large sources. It prints one line per shape (wall and CPU
seconds of the whole stage, memory the grader itself gained, the bounded child's peak) and a
last line with the worst figures and the machine's load average.
Target (issue 7): every shape under 2 s of CPU, the grader's memory unchanged.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graders.limits import MAX_SOURCE_BYTES  # noqa: E402


def _fill(line: str, head: str = "import torch\nimport torch.nn.functional as F\n") -> str:
    """`line` repeated to just under the source limit."""
    room = MAX_SOURCE_BYTES - len(head) - 64
    return head + line * (room // len(line))


SHAPES = {
    # the case: nested eval( calls around many string literals
    "nested_eval": lambda: _fill("x = " + "eval('scaled_dot_product_attention', " * 190 + "'s'" + ")" * 190 + "\n"),
    "nested_getattr": lambda: _fill("x = " + "getattr(F, " * 190 + "'s'" + ")" * 190 + "\n"),
    "literal_list": lambda: _fill("'s',") .replace("'s',", "x = ['s',", 1) + "]\n",
    "deep_parens": lambda: _fill("x = " + "(" * 199 + "a" + ")" * 199 + "\n"),
    "deep_brackets": lambda: _fill("x = " + "[" * 199 + "a" + "]" * 199 + "\n"),
    "attr_chains": lambda: _fill("x = F" + ".a" * 2000 + "\n"),
    "self_chains": lambda: _fill("class M:\n    def f(self):\n        return self" + ".scaled_dot_product_attention" * 300 + "\n"),
    "many_defs": lambda: _fill("def f(x):\n    return F.relu(x)\n"),
    "many_calls": lambda: _fill("f(g(h(1, 2), 3), k=F.relu)\n"),
    "deep_blocks": lambda: _fill("".join(" " * i + "if x:\n" for i in range(99)) + " " * 99 + "y = F.softmax\n"),
    "huge_string": lambda: "x = '" + "a" * (MAX_SOURCE_BYTES - 16) + "'\n",
    "binop_chain": lambda: _fill("x = a" + "+a" * 400 + "\n"),
    "string_lookups": lambda: _fill("getattr(F, 'scaled_dot_product_attention_' 'x' * 3)\n"),
    "dict_literal": lambda: _fill("{1: 2, 'a': F, 3: (4,)}\n"),
}

BANNED = {
    "*": ("torch.nn.functional.scaled_dot_product_attention", "torch.nn.MultiheadAttention",
          "torch.nn.functional.multi_head_attention_forward", "torch.nn.LSTM", "torch.nn.GRU",
          "torch.lstm_cell", "torch._VF.lstm", "torch.nn.LayerNorm", "torch.layer_norm"),
    "backward_fn": ("torch.autograd", ".backward", "torch.func", "functorch"),
}
TARGETS = {"M", "f", "scaled_dot_product_attention", "MultiHeadAttention", "backward_fn", "LSTM"}


def measure_one(path: str) -> dict:
    """In this fresh interpreter: the static stage's work on one source, timed, with peak memory."""
    from graders.stages.static_check import bounded_outcome
    source = Path(path).read_bytes()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu0 = _cpu()
    t0 = time.perf_counter()
    outcome = bounded_outcome(source, "attention.py", BANNED, sorted(TARGETS))   # the stage's own path
    out = {"bytes": len(source), "total_s": time.perf_counter() - t0, "cpu_s": _cpu() - cpu0}
    if "banned" in outcome:
        out["outcome"] = f"{sum(map(len, outcome['banned'].values()))} findings"
    else:
        out["outcome"] = next(f"{k}: {v}" for k, v in outcome.items())[:70]
    out["added_mib"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024
    out["child_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return out


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="comma-separated shapes")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_one(args.one)))
        return 0
    shapes = args.only.split(",") if args.only else list(SHAPES)
    print(f"# scan_bound: {len(shapes)} shapes of <= {MAX_SOURCE_BYTES} bytes; load average {os.getloadavg()}")
    print(f"{'shape':<16} {'bytes':>8} {'wall s':>7} {'CPU s':>6} {'grader +MiB':>11} {'child MiB':>9}  outcome")
    worst_t, worst_c, worst_m = 0.0, 0.0, 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for name in shapes:
            path = Path(tmp) / f"{name}.py"
            path.write_text(SHAPES[name]())
            run = subprocess.run([sys.executable, __file__, "--one", str(path)], capture_output=True, text=True,
                                 timeout=300)
            if run.returncode:
                print(f"{name:<16} failed: {run.stderr.strip()[-300:]}")
                continue
            r = json.loads(run.stdout)
            worst_t, worst_c = max(worst_t, r["total_s"]), max(worst_c, r["cpu_s"])
            worst_m = max(worst_m, r["added_mib"])
            print(f"{name:<16} {r['bytes']:>8} {r['total_s']:>7.2f} {r['cpu_s']:>6.2f} {r['added_mib']:>11.0f} "
                  f"{r['child_mib']:>9.0f}  {r['outcome']}")
    print(f"worst: {worst_t:.2f} s wall, {worst_c:.2f} s CPU, {worst_m:.0f} MiB added to the grader; "
          f"load average {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
