#!/usr/bin/env python
"""The instructor's gradebook page for a class of 300 students and 12 assignments: how long it takes.

    python bench/gradebook.py                      # 300 students x 12 assignments, 15 timed requests
    python bench/gradebook.py --cold                # the cache cleared before each request
    python bench/gradebook.py --students 600 --repeat 25

A throwaway SQLite database (or DATABASE_URL if set) in a temporary SEQLAB_VAR_DIR. The class is
written with bulk inserts (it is the page that is measured, not the grading): 11 code assignments
(copies of the test adder, 3 checks each) and one written part (two answers graded by TAs), every
student 1-4 attempts per assignment, about 10 % of attempts late by 1-3 days, 6 % with a TA's
override of the total, 6 % with an override of one check, a third of the written answers still
waiting for a TA, three weighted categories over the 12 assignments.

Each request is the instructor's GET of the gradebook through Django's test client (middleware,
session, permission check, selectors, template), timed with time.perf_counter after one untimed
warm-up request; the queries of one request are counted with CaptureQueriesContext.
The last line is the summary: `gradebook: S students x A assignments, median M ms, p95 P ms, queries Q`.
Target: a median under 300 ms.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from insight_class import django_up  # noqa: E402
from insight_map import timed  # noqa: E402

ADDER = REPO / "tests" / "web" / "files" / "assignments" / "adder"
WRITTEN = REPO / "tests" / "web" / "files" / "assignments" / "mini-written"


def _assignments(n_code: int):
    """n_code copies of the adder (each its own assignment and version) and the written part."""
    from seqlab.courses.models import Assignment, AssignmentVersion
    from seqlab.courses.services import assignment_sync
    adder = assignment_sync(path=ADDER).assignment
    written = assignment_sync(path=WRITTEN).assignment
    base = adder.current_version
    copies = [adder]
    for i in range(1, n_code):
        copy = Assignment.objects.create(slug=f"adder-{i:02d}", title_ko=f"덧셈 연습 {i}", title_en=f"Adding practice {i}",
                                         kind=adder.kind, file=adder.file, queue=adder.queue)
        version = AssignmentVersion.objects.create(assignment=copy, content_hash=f"{base.content_hash[:56]}{i:08d}",
                                                   manifest=base.manifest, checks=base.checks,
                                                   max_score=base.max_score, wall_seconds=base.wall_seconds)
        copy.current_version = version
        copy.save(update_fields=["current_version"])
        copies.append(copy)
    return copies, written


def _code_tests(rng: random.Random, checks: list[dict]) -> list[dict]:
    tests = []
    for check in checks:
        points = float(check.get("points", 2.0))
        passed = rng.random() < 0.7
        tests.append({"number": check["number"], "name": check.get("name", ""), "score": points if passed else 0.0,
                      "max_score": points, "status": "passed" if passed else "failed",
                      "output": "" if passed else "expected 5, got -1", "visibility": check.get("visibility", "visible"),
                      "tags": []})
    return tests


def _written_tests(rng: random.Random, checks: list[dict]) -> list[dict]:
    from seqlab.submissions.selectors import AWAITING_TA
    return [{"number": c["number"], "name": c.get("name", ""), "score": 0.0, "max_score": float(c.get("points", 0)),
             "status": "failed", "output": f"{AWAITING_TA}'s grade against the rubric", "visibility": "visible",
             "tags": ["manual"]} for c in checks]


def build_class(n_students: int, n_code: int, seed: int = 12, log=print):
    """Course, instructor, TA, offerings with categories and n_students' graded attempts; returns (course, instructor)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from seqlab.blobs.services import blob_store
    from seqlab.courses.models import Membership
    from seqlab.courses.services import course_create, membership_set, offering_save
    from seqlab.gradebook.models import GradeCategory, OfferingCategory, Override
    from seqlab.submissions.models import Result, Status, Submission

    t0 = time.perf_counter()
    rng = random.Random(seed)
    users = get_user_model().objects
    course = course_create(slug="bench", title_ko="벤치", title_en="Bench", term="2026-2")
    instructor = users.create_user(username="prof", password="pw")
    ta = users.create_user(username="ta", password="pw")
    membership_set(course=course, user=instructor, role="instructor")
    membership_set(course=course, user=ta, role="ta")
    code, written = _assignments(n_code)
    now = timezone.now()
    offerings = [offering_save(actor=instructor, course=course, assignment=a, release_at=now - timedelta(days=30),
                               due_at=now - timedelta(days=3 + i), late_penalty_per_day=Decimal("0.1"),
                               score_policy="last" if i % 4 == 3 else "best")
                 for i, a in enumerate([*code, written])]
    weights = (("코드", "Code", 60, offerings[: n_code - 3]), ("퀴즈", "Quiz", 20, offerings[n_code - 3: n_code]),
               ("서술", "Written", 20, offerings[n_code:]))
    for position, (ko, en, weight, members) in enumerate(weights):
        category = GradeCategory.objects.create(course=course, title_ko=ko, title_en=en, weight=weight,
                                                position=position)
        OfferingCategory.objects.bulk_create(OfferingCategory(offering=o, category=category) for o in members)
    with transaction.atomic():
        students = users.bulk_create(
            get_user_model()(username=f"s{i:04d}", first_name=rng.choice("민서지하준도윤") + "수", last_name="김이박최"[i % 4])
            for i in range(n_students))
        students = list(users.filter(username__startswith="s").order_by("username"))
        Membership.objects.bulk_create(Membership(course=course, user=s, role="student") for s in students)
        blob = blob_store(data=b"def add(a, b):\n    return a + b\n")
        subs = []
        for offering in offerings:
            version = offering.assignment.current_version
            for student in students:
                for number in range(1, rng.randint(1, 4) + 1):
                    late = rng.choice((1, 2, 3)) if rng.random() < 0.1 else 0
                    subs.append(Submission(offering=offering, student=student, number=number, blob=blob,
                                           filename="adder.py", version=version, submitted_at=now, late_days=late,
                                           status=Status.GRADED, queued_at=now, finished_at=now))
        subs = Submission.objects.bulk_create(subs, batch_size=2000)
        results = []
        for sub in subs:
            checks = sub.version.checks
            tests = (_written_tests if sub.offering.assignment_id == written.id else _code_tests)(rng, checks)
            results.append(Result(submission=sub, run=1, version=sub.version, score=sum(t["score"] for t in tests),
                                  max_score=sub.version.max_score, tests=tests))
        results = Result.objects.bulk_create(results, batch_size=2000)
        for sub, result in zip(subs, results):
            sub.current_result = result
        Submission.objects.bulk_update(subs, ["current_result"], batch_size=2000)
        overrides = []
        for sub, result in zip(subs, results):
            roll = rng.random()
            if sub.offering.assignment_id == written.id:
                for test in result.tests:
                    if rng.random() < 0.66:
                        overrides.append(Override(submission=sub, check_number=test["number"], author=ta,
                                                  score=rng.choice((0.0, test["max_score"])), rubric=[0]))
            elif roll < 0.06:
                overrides.append(Override(submission=sub, check_number="", score=round(rng.uniform(0, 6), 1),
                                          comment="regrade request accepted", author=ta))
            elif roll < 0.12:
                test = rng.choice(result.tests)
                overrides.append(Override(submission=sub, check_number=test["number"], score=test["max_score"],
                                          comment="the check was too strict", author=ta))
        Override.objects.bulk_create(overrides, batch_size=2000)
    log(f"built {n_students} students x {len(offerings)} assignments: {len(subs)} graded attempts, "
        f"{len(overrides)} overrides, in {time.perf_counter() - t0:.1f} s")
    return course, instructor, len(offerings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--assignments", type=int, default=12, help="code ones are this minus one, plus a written part")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--profile", action="store_true", help="print where one request spends its time")
    parser.add_argument("--cold", action="store_true",
                        help="clear the cache before each request (every offering's grades recomputed)")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()}")
    django_up(prefix="seqlab-gradebook-bench-")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    course, instructor, n_offerings = build_class(args.students, args.assignments - 1)
    # A host the settings allow, rather than setup_test_environment(): that instruments every template
    # render for the test client's assertions, a cost no real request pays.
    client = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_HOST="localhost")
    client.force_login(instructor)
    url = reverse("gradebook:gradebook", args=[course.slug])
    size = len(client.get(url).content)                     # warm-up, untimed
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = len(captured)               # now: the next request clears the connection's query log
    from django.core.cache import cache
    times = sorted(timed(lambda: client.get(url), args.repeat, before=cache.clear if args.cold else lambda: None))
    if args.profile:
        import cProfile
        import pstats
        profile = cProfile.Profile()
        profile.runcall(client.get, url)
        pstats.Stats(profile).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(25)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"page size {size / 1024:.0f} KiB; load average at end: {os.getloadavg()}")
    print(f"gradebook{' (cold cache)' if args.cold else ''}: {args.students} students x {n_offerings} assignments, "
          f"median {statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, queries {queries}")


if __name__ == "__main__":
    main()
