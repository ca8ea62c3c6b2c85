#!/usr/bin/env python
"""The misconception map page for a class of N students (default 500): how long it takes to render.

    python bench/insight_map.py            # N = 500, 20 timed requests each way
    python bench/insight_map.py --n 100 --repeat 5

Each request is the TA's GET of /staff/o/<id>/insight/ through Django's test client (the full
stack: middleware, session, permission check, selectors, template), timed with
time.perf_counter. "cold" clears the cache before each request (the map is recomputed from the
database: what the first viewer after a new grading pays); "warm" reuses the map cached under
the current data version. The pictures are separate requests, rendered once per data version
and cached; their first rendering is timed apart. Target: a cold page under 300 ms at N = 500.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from insight_class import build_class, django_up  # noqa: E402


def timed(call, repeat: int, before=lambda: None) -> list[float]:
    out = []
    for _ in range(repeat):
        before()
        t = time.perf_counter()
        response = call()
        out.append(time.perf_counter() - t)
        assert response.status_code == 200, response.status_code
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="print where one cold and one warm request spend")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()}")
    django_up()
    from django.core.cache import cache
    from django.test import Client
    from django.test.utils import setup_test_environment
    setup_test_environment()              # the test client's host name is allowed
    from django.urls import reverse

    offering, ta = build_class(args.n)
    client = Client()
    client.force_login(ta)
    url = reverse("insight:map", args=[offering.pk])
    cold = timed(lambda: client.get(url), args.repeat, before=cache.clear)
    warm = timed(lambda: client.get(url), args.repeat)
    pictures = {name: timed(lambda n=name: client.get(reverse(n, args=[offering.pk])), 1, before=cache.clear)[0]
                for name in ("insight:heat_png", "insight:timeline_png")}
    from seqlab.insight.models import Diagnosis
    print(f"class: {args.n} students, {offering.submissions.count()} attempts, "
          f"{Diagnosis.objects.filter(offering=offering).count()} diagnoses")
    print(f"pictures, first rendering: heat {pictures['insight:heat_png'] * 1000:.0f} ms, "
          f"timeline {pictures['insight:timeline_png'] * 1000:.0f} ms")
    if args.profile:
        import cProfile
        import pstats
        for label, before in (("cold", cache.clear), ("warm", lambda: None)):
            before()
            profile = cProfile.Profile()
            profile.runcall(client.get, url)
            print(f"--- {label} request, by cumulative time")
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    print(f"load average at end: {os.getloadavg()}")
    print(f"bench: map page for {args.n} students, cold median {statistics.median(cold) * 1000:.0f} ms "
          f"(max {max(cold) * 1000:.0f}), warm median {statistics.median(warm) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
