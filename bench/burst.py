"""bench/burst.py: the deadline rush, reproduced. N attention submissions through the HTTP API
within a minute, against a production stack this script starts and stops itself (its own
PostgreSQL and Redis on their own ports, gunicorn, a grading supervisor with two worker
processes and the sweeper's, beat; see bench/stack.py). The mix: 60 % correct, 30 % a classic
mistake, 10 % hostile (an infinite loop, a memory bomb, a syntax error).

    python bench/burst.py                 # N = 500 over 60 s (many minutes on 2 cores)
    python bench/burst.py --n 60          # a small burst, over 60 * 60 / 500 s

Last line:
burst: submitted N, graded N, lost L, duplicates D, drain S s, p50 A s, p95 B s, worker-seconds W

graded: runs that reached a final state (graded, or rejected as ungradable); lost: accepted
submissions that did not within --timeout; duplicates: results stored beyond one per run;
drain: first submission to last final state; p50/p95: submitted -> final, per submission (the
server's own timestamps); worker-seconds: the sum of claimed -> final over all runs (what
the burst cost the workers). Scores are checked to be consistent: one score per variant.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.stack import REPO, Stack, free_ports  # noqa: E402

SUBMISSIONS = REPO / "bench" / "submissions"
ATTENTION = REPO / "assignments" / "attention"
CORRECT = ("correct_softmax", "correct_manual")
WRONG = ("wrong_no_scale", "wrong_softmax_queries", "wrong_mask_inverted", "wrong_mha_no_transpose")
HOSTILE_TAILS = {
    # a target that never returns: every call to it runs into its time limit
    "hostile_loop": "\n\ndef scaled_dot_product_attention(q, k, v, mask=None):\n    while True:\n        pass\n",
    # a target that allocates until the sandbox's memory limit stops it
    "hostile_memory": ("\n\ndef scaled_dot_product_attention(q, k, v, mask=None):\n    hoard = []\n"
                       "    while True:\n        hoard.append(bytearray(64 << 20))\n"),
    "hostile_syntax": "\n\ndef scaled_dot_product_attention(q, k, v, mask=None:\n    return q\n",
}


def variant_source(name: str) -> str:
    if name in HOSTILE_TAILS:
        return (SUBMISSIONS / "correct_softmax.py").read_text() + HOSTILE_TAILS[name]
    return (SUBMISSIONS / f"{name}.py").read_text()


def mix(n: int) -> list[str]:
    """Variant names for n submissions: 60 % correct, 30 % classic mistakes, 10 % hostile, interleaved."""
    names = []
    for i in range(n):
        slot = i % 10
        if slot < 6:
            names.append(CORRECT[(i // 10 + slot) % len(CORRECT)])
        elif slot < 9:
            names.append(WRONG[(i // 10 * 3 + slot - 6) % len(WRONG)])
        else:
            names.append(tuple(HOSTILE_TAILS)[(i // 10) % len(HOSTILE_TAILS)])
    return names


def post(stack: Stack, offering: int, token: str, source: str, timeout: float = 60) -> tuple[int, dict]:
    body = json.dumps({"filename": "attention.py", "content": source}).encode()
    request = urllib.request.Request(f"{stack.url}/api/offerings/{offering}/submissions/", data=body, method="POST",
                                     headers={"Authorization": f"Token {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {"retry_after": error.headers.get("Retry-After")}
    except OSError as error:
        return 0, {"error": str(error)}


def submit_all(stack: Stack, offering: int, tokens: list[str], names: list[str], window: float,
               first: int = 0) -> dict[int, str]:
    """Open loop: submission i leaves at i * window / n whatever the server's pace; a 503 is retried."""
    accepted: dict[int, str] = {}
    lock = threading.Lock()
    start = time.monotonic()

    def one(i: int) -> None:
        time.sleep(max(0.0, start + i * window / max(1, len(names)) - time.monotonic()))
        for _ in range(30):
            status, body = post(stack, offering, tokens[first + i], variant_source(names[i]))
            if status == 201:
                with lock:
                    accepted[body["id"]] = names[i]
                return
            time.sleep(float((body or {}).get("retry_after") or 2))
        print(f"submission {i} ({names[i]}) was never accepted", file=sys.stderr)

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(one, range(len(names))))
    return accepted


FINAL = ("graded", "rejected", "error")


def runs(stack: Stack, ids) -> list[tuple]:
    """(id, status, submitted, started, finished, score, results) per submission."""
    return stack.sql(
        "select s.id, s.status, extract(epoch from s.submitted_at), extract(epoch from s.started_at), "
        "extract(epoch from s.finished_at), r.score, "
        "(select count(*) from submissions_result x where x.submission_id = s.id and x.run = s.run), "
        "r.execution_time "
        "from submissions_submission s left join submissions_result r on r.id = s.current_result_id "
        "where s.id = any(%s)", list(ids))


def wait_final(stack: Stack, ids, timeout: float) -> list[tuple]:
    deadline = time.monotonic() + timeout
    rows = []
    while time.monotonic() < deadline:
        try:
            rows = runs(stack, ids)
        except Exception:
            time.sleep(1)
            continue
        if len(rows) == len(ids) and all(r[1] in FINAL for r in rows):
            break
        time.sleep(1)
    return rows


def summary(submitted: int, rows: list[tuple]) -> dict:
    final = [r for r in rows if r[1] in ("graded", "rejected")]
    waits = sorted(float(r[4]) - float(r[2]) for r in final)
    first = min((float(r[2]) for r in rows), default=0.0)
    last = max((float(r[4]) for r in final), default=first)
    pct = (lambda q: statistics.quantiles(waits, n=100)[q - 1] if len(waits) > 1 else (waits[0] if waits else 0.0))
    return {"submitted": submitted, "graded": len(final), "lost": submitted - len(final),
            "duplicates": sum(max(0, int(r[6]) - 1) for r in rows), "drain": last - first,
            "p50": pct(50), "p95": pct(95),
            "worker_seconds": sum(float(r[4]) - float(r[3]) for r in final if r[3] is not None)}


def inconsistent(rows: list[tuple], names: dict[int, str]) -> dict[str, list]:
    """Variants that earned more than one score (a grading that depended on load or faults)."""
    scores: dict[str, set] = {}
    for r in rows:
        if r[1] == "graded":
            scores.setdefault(names[r[0]], set()).add(round(float(r[5]), 4))
    return {name: sorted(s) for name, s in scores.items() if len(s) > 1}


def by_variant(rows: list[tuple], names: dict[int, str]) -> str:
    """Per variant: count, mean worker-seconds (claimed -> final), mean engine time (the Result's)."""
    parts = []
    for name in sorted(set(names.values())):
        mine = [r for r in rows if names.get(r[0]) == name and r[3] is not None and r[4] is not None]
        if mine:
            worker = statistics.mean(float(r[4]) - float(r[3]) for r in mine)
            engine = statistics.mean(float(r[7] or 0.0) for r in mine)
            parts.append(f"{name} {len(mine)} x {worker:.2f} s (engine {engine:.2f} s)")
    return "; ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--window", type=float, default=None, help="seconds to submit over (default 60 * n / 500)")
    parser.add_argument("--workers", type=int, default=2, help="grading worker processes")
    parser.add_argument("--timeout", type=float, default=3600, help="give up waiting after this many seconds")
    parser.add_argument("--port-base", type=int, default=16540, help="PostgreSQL, Redis ports (web: +2000)")
    args = parser.parse_args()
    window = args.window if args.window is not None else 60.0 * args.n / 500
    names = mix(args.n)
    pg, redis = free_ports(args.port_base, 2)
    (web,) = free_ports(args.port_base + 2000, 1)
    with tempfile.TemporaryDirectory(prefix="seqlab-burst-") as tmp, \
            Stack(Path(tmp), ports=(pg, redis, web)) as stack:
        seeded = stack.start(assignment=ATTENTION, students=args.n, processes=args.workers)
        accepted = submit_all(stack, seeded["offering"], seeded["tokens"], names, window)
        rows = wait_final(stack, list(accepted), args.timeout)
        figures = summary(len(accepted), rows)
        bad = inconsistent(rows, accepted)
        if bad:
            print(f"inconsistent scores: {bad}")
        print(f"scores by variant: { {n: sorted({round(float(r[5]), 2) for r in rows if accepted[r[0]] == n and r[5] is not None}) for n in sorted(set(accepted.values()))} }")
        print(f"worker-seconds by variant: {by_variant(rows, accepted)}")
    print("burst: submitted {submitted}, graded {graded}, lost {lost}, duplicates {duplicates}, drain {drain:.1f} s, "
          "p50 {p50:.1f} s, p95 {p95:.1f} s, worker-seconds {worker_seconds:.1f}".format(**figures))
    return 0 if figures["lost"] == 0 and figures["duplicates"] == 0 and not bad else 1


if __name__ == "__main__":
    sys.exit(main())
