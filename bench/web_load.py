"""bench/web_load.py: an open-loop load client; the p95 of student pages and status calls at a rate.

    python bench/web_load.py --rate 150 --seconds 20           # starts its own stack (bench/stack.py)
    python bench/web_load.py --rate 50 --workers 3 --threads 1  # gunicorn as 3 sync-like processes

Open loop: request i is due at i / rate seconds whatever the server's pace, and its latency is
counted from when it was due, not from when a free client thread sent it, so a slow server
cannot hide its queueing (no coordinated omission). The mix, per student (one session each, and
an API token): 20 % course page, 20 % assignment page, 20 % submission page, 40 % the API status
call students poll. Last line:

web: rate R/s for T s, sent N, errors E, p50 A ms, p95 B ms, p99 C ms (course p95 .., offering p95 .., submission p95 .., status p95 ..)
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import re
import statistics
import sys
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.burst import ATTENTION, post, variant_source  # noqa: E402
from bench.stack import Stack, own_stack  # noqa: E402

MIX = (("course", 2), ("offering", 2), ("submission", 2), ("status", 4))


def login(base: str, username: str, password: str) -> urllib.request.OpenerDirector:
    """A session as this student (the login form, with its CSRF token)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    opener.open(urllib.request.Request(f"{base}/accounts/login/", data=data.encode(),
                                       headers={"Referer": f"{base}/accounts/login/"}), timeout=30).read()
    return opener


def fetch(opener, url: str, headers: dict | None = None) -> bool:
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=30) as response:
            response.read()
            return 200 <= response.status < 400
    except OSError:
        return False


def run_load(targets: list[dict], rate: float, seconds: float) -> tuple[dict[str, list[float]], int]:
    """Fire the mix at `rate` per second for `seconds`; latencies in ms by kind, and the error count."""
    kinds = [kind for kind, weight in MIX for _ in range(weight)]
    latencies: dict[str, list[float]] = {kind: [] for kind, _ in MIX}
    errors = [0]
    lock = threading.Lock()
    start = time.monotonic() + 0.5

    def one(i: int) -> None:
        due = start + i / rate
        time.sleep(max(0.0, due - time.monotonic()))
        target, kind = targets[i % len(targets)], kinds[i % len(kinds)]
        ok = fetch(target["opener"], target[kind], target["headers"] if kind == "status" else None)
        with lock:
            latencies[kind].append((time.monotonic() - due) * 1000)
            errors[0] += not ok

    with ThreadPoolExecutor(max_workers=256) as pool:
        list(pool.map(one, range(int(rate * seconds))))
    return latencies, errors[0]


def p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else (values[0] if values else 0.0)


def prepare(stack: Stack, seeded: dict, students: int) -> list[dict]:
    """Each student logged in, with one submission to look at and poll."""
    targets = []
    for i in range(students):
        status, body = post(stack, seeded["offering"], seeded["tokens"][i], variant_source("correct_softmax"))
        opener = login(stack.url, seeded["students"][i], seeded["password"])
        targets.append({"opener": opener, "headers": {"Authorization": f"Token {seeded['tokens'][i]}"},
                        "course": f"{stack.url}/c/rush/", "offering": f"{stack.url}/o/{seeded['offering']}/",
                        "submission": f"{stack.url}/s/{body['id']}/",
                        "status": f"{stack.url}/api/submissions/{body['id']}/"})
    return targets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=150.0, help="requests per second (open loop)")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn processes (default: its config)")
    parser.add_argument("--threads", type=int, default=None, help="gunicorn threads per process")
    parser.add_argument("--grading", action="store_true", help="also run two grading workers (default: web only)")
    parser.add_argument("--port-base", type=int, default=16580)
    args = parser.parse_args()
    with own_stack(args.port_base, "seqlab-web-") as stack:
        stack.services_start()
        stack.manage("collectstatic", "--noinput", "-v", "0")
        seeded = stack.seed(assignment=ATTENTION, students=args.students)
        stack.web_start(workers=args.workers, threads=args.threads)
        if args.grading:
            stack.workers_start(processes=2)
            stack.beat_start()
        targets = prepare(stack, seeded, args.students)
        latencies, errors = run_load(targets, args.rate, args.seconds)
    every = [ms for values in latencies.values() for ms in values]
    by_kind = ", ".join(f"{kind} p95 {p(values, 95):.0f}" for kind, values in latencies.items())
    print(json.dumps({kind: {"n": len(v), "p50": p(v, 50), "p95": p(v, 95)} for kind, v in latencies.items()}))
    print(f"web: rate {args.rate:g}/s for {args.seconds:g} s, sent {len(every)}, errors {errors}, "
          f"p50 {p(every, 50):.0f} ms, p95 {p(every, 95):.0f} ms, p99 {p(every, 99):.0f} ms ({by_kind})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
