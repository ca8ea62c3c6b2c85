#!/usr/bin/env python
"""The similarity task over N attention submissions (default 500): how long one report takes.

    python bench/similarity.py             # N = 500 students, one latest attempt each
    python bench/similarity.py --n 100

Builds the class (bench/insight_class.py: every source a disguised corpus file, so copydetect
really fingerprints 500 different texts), then runs `similarity_compute`, the body of the
Celery task, in this process, timed with time.perf_counter, with its stages timed apart:
loading the pool (sources, fingerprints), copydetect fingerprints, the pair ranking (sparse
screening of every pair + copydetect's compare_files on the candidates), storing the top pairs.
CPU seconds (time.process_time) are printed next to wall time because they move much less with
the machine's load. Target: under 2 minutes on 2 cores.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from insight_class import build_class, django_up  # noqa: E402


class Stages:
    """Wrap the functions the task calls, to time each stage without changing the task."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    def wrap(self, module, name: str, label: str):
        original = getattr(module, name)

        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - t
        setattr(module, name, timed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=500)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, load average at start: {os.getloadavg()}")
    django_up()
    from django.db import transaction

    from seqlab.insight import services, similarity
    offering, ta = build_class(args.n, max_attempts=1)
    stages = Stages()
    stages.wrap(services, "_entries", "pool")
    stages.wrap(similarity, "code_fingerprint", "copydetect fingerprints")
    stages.wrap(similarity, "rank_pairs", "rank pairs")
    stages.wrap(services, "_store_pairs", "store pairs")
    with transaction.atomic():
        run = services.SimilarityRun.objects.create(offering=offering, requested_by=ta, earlier_terms=False)
    cpu, wall = time.process_time(), time.perf_counter()
    run = services.similarity_compute(run_id=run.pk)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print("stages: " + ", ".join(f"{k} {v:.2f} s" for k, v in stages.seconds.items()))
    top = run.pairs.first()
    print(f"pairs stored: {run.pairs.count()}, top score {top.score:.3f} (source {top.source:.3f}, "
          f"behaviour {top.behaviour:.3f})" if top else "no pairs")
    print(f"load average at end: {os.getloadavg()}")
    print(f"bench: similarity over {args.n} submissions, wall {wall:.1f} s, cpu {cpu:.1f} s")


if __name__ == "__main__":
    main()
