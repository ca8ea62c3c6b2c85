"""bench/web_cpu.py: CPU time and queries per request of the pages bench/web_load.py fires.

    python bench/web_cpu.py                      # each kind 200 times, after 20 warm-up requests
    python bench/web_cpu.py --profile course     # and a cProfile of that kind (top 30 by own time)

One process, Django's test client, production settings, against the bench's own PostgreSQL and
Redis (bench/stack.py), with one student holding one queued attempt (as in web_load.py) and one
holding a graded attempt. What it prints is the site's own cost of a request, without the
network, gunicorn or the load client: the figure that bounds the rate two cores can serve.
Last line:

web-cpu: course A ms (Q queries; built B ms, R queries), offering .., submission .., status .., submission-graded .., status-graded ..

A is a request answered from the page cache (seqlab/core/pagecache.py), B the same page built
(the cache off: a first view, or the first after a change).
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.burst import ATTENTION, variant_source  # noqa: E402
from bench.stack import Stack, own_stack  # noqa: E402


def measure(stack: Stack, seeded: dict, count: int, profile: str | None, cache: bool = True) -> dict[str, tuple]:
    os.environ.update(stack.env(SEQLAB_API_RATE_USER="1000000/min",      # one client, many calls: no 429s
                                **({} if cache else {"SEQLAB_PAGE_CACHE_SECONDS": "0"})))
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "platform"))
    import django
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings

    from seqlab.submissions.models import Status, Submission

    def attempt(i: int) -> tuple[tuple, int]:
        api = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {seeded['tokens'][i]}")
        response = api.post(f"/api/offerings/{seeded['offering']}/submissions/", content_type="application/json",
                            data={"filename": "attention.py", "content": variant_source("correct_softmax")})
        assert response.status_code == 201, response.content
        web = Client(HTTP_HOST="127.0.0.1")
        from django.contrib.auth import get_user_model
        web.force_login(get_user_model().objects.get(username=seeded["students"][i]))
        web.cookies[settings.CSRF_COOKIE_NAME] = "a" * 32     # a browser holds it from the login page
        return (web, api), response.json()["id"]

    # Student 1's attempt graded by a real worker (its page shows a result); student 0's, sent
    # after the worker stopped, stays queued (as in web_load.py, which runs no worker).
    graded = attempt(1)
    stack.workers_start(processes=1)
    deadline = time.monotonic() + 300
    while Submission.objects.get(pk=graded[1]).status != Status.GRADED:
        assert time.monotonic() < deadline, "the worker did not grade the attempt"
        time.sleep(1)
    stack.kill("workers")
    queued = attempt(0)
    clients, targets = [queued[0], graded[0]], [queued[1], graded[1]]
    pages = {}
    for suffix, (web, api), pk in (("", clients[0], targets[0]), ("-graded", clients[1], targets[1])):
        if not suffix:
            pages["course"] = (web, "/c/rush/")
            pages["offering"] = (web, f"/o/{seeded['offering']}/")
        pages[f"submission{suffix}"] = (web, f"/s/{pk}/")
        pages[f"status{suffix}"] = (api, f"/api/submissions/{pk}/")
    results = {}
    for kind, (client, url) in pages.items():
        for _ in range(20):
            response = client.get(url)
            assert response.status_code == 200, (kind, response.status_code)
        queries = count_queries(connection, client, url)
        times = []
        for _ in range(count):
            t0 = time.process_time()
            client.get(url)
            times.append((time.process_time() - t0) * 1000)
        built = []
        with override_settings(SEQLAB_PAGE_CACHE_SECONDS=0):       # the page built every time (a miss)
            for _ in range(max(20, count // 4)):
                t0 = time.process_time()
                client.get(url)
                built.append((time.process_time() - t0) * 1000)
            queries_built = count_queries(connection, client, url)
        results[kind] = (statistics.median(times), queries, statistics.median(built), queries_built)
        if profile == kind:
            prof = cProfile.Profile(time.process_time)
            prof.enable()
            for _ in range(count):
                client.get(url)
            prof.disable()
            pstats.Stats(prof).sort_stats("tottime").print_stats(30)
            pstats.Stats(prof).sort_stats("cumtime").print_stats(40)
    return results


def count_queries(connection, client, url: str) -> int:
    sent: list[str] = []

    def record(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)
    with connection.execute_wrapper(record):
        client.get(url)
    return len(sent)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--profile", default=None, help="a kind to profile (course, offering, submission, status, ...)")
    parser.add_argument("--no-cache", action="store_true", help="the page cache off (to profile pages as built)")
    parser.add_argument("--port-base", type=int, default=16680)
    args = parser.parse_args()
    with own_stack(args.port_base, "seqlab-webcpu-") as stack:
        stack.services_start()
        seeded = stack.seed(assignment=ATTENTION, students=4)
        results = measure(stack, seeded, args.count, args.profile, cache=not args.no_cache)
    print("web-cpu: " + ", ".join(f"{kind} {ms:.1f} ms ({q} queries; built {b:.1f} ms, {bq} queries)"
                                  for kind, (ms, q, b, bq) in results.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
