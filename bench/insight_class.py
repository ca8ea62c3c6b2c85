"""Build a large synthetic class of the attention assignment for the insight benchmarks.

A throwaway SQLite database (or DATABASE_URL if set) in a temporary SEQLAB_VAR_DIR; the 36
files of tests/content/attention/ graded once each by the real engine; N students who each
submit 1-4 attempts drawn from those files, every attempt's source disguised (locals renamed,
functions reordered, reformatted: tests/web/insight/synthetic.py) so no two texts are equal.
A disguised file behaves exactly as its original (tests/web/insight/test_synthetic_class.py
grades both and compares), so each attempt stores its original's engine result through the
same `result_store` the workers use, which records diagnoses and fingerprints.
"""
from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "content" / "attention"
ASSIGNMENT = REPO / "assignments" / "attention"


def django_up(prefix: str = "seqlab-insight-bench-") -> str:
    """Point Django at a fresh temporary database and migrate it; returns the folder."""
    folder = tempfile.mkdtemp(prefix=prefix)
    os.environ.setdefault("SEQLAB_VAR_DIR", folder)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seqlab.config.settings.test")
    sys.path[:0] = [str(REPO / "platform"), str(REPO)]
    import django
    django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    return folder


def grade_corpus() -> dict[str, object]:
    from graders.contracts import Job
    from graders.engine import Engine
    results = {}
    with Engine() as engine:
        for path in sorted(CORPUS.glob("*.py")):
            results[path.stem] = engine.grade(Job(assignment_dir=str(ASSIGNMENT), filename="attention.py",
                                                  content=path.read_bytes()))
    return results


def build_class(n_students: int, *, seed: int = 12, max_attempts: int = 4, log=print):
    """Course, TA, offering and n_students with graded attempts; returns (offering, ta, seconds)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from seqlab.courses.services import assignment_sync, course_create, membership_set, offering_save
    from seqlab.submissions.models import Submission
    from seqlab.submissions.services import result_store, submission_create
    from tests.web.insight.synthetic import disguise

    t0 = time.perf_counter()
    results = grade_corpus()
    log(f"graded {len(results)} corpus files with the real engine in {time.perf_counter() - t0:.1f} s")
    users = get_user_model().objects
    course = course_create(slug="bench", title_ko="벤치", title_en="Bench", term="2026-2")
    ta = users.create_user(username="ta", password="pw")
    membership_set(course=course, user=ta, role="ta")
    now = timezone.now()
    offering = offering_save(actor=ta, course=course, assignment=assignment_sync(path=ASSIGNMENT).assignment,
                             release_at=now - timedelta(days=14), due_at=now + timedelta(days=1))
    rng = random.Random(seed)
    names = sorted(results)
    correct = [n for n in names if n.startswith("correct")]
    t1 = time.perf_counter()
    for i in range(n_students):
        student = users.create_user(username=f"s{i:04d}", password="pw")
        membership_set(course=course, user=student, role="student")
        history = [rng.choice(names) for _ in range(rng.randint(1, max_attempts) - 1)] + [
            rng.choice(correct if rng.random() < 0.4 else names)]
        for k, name in enumerate(history):
            with transaction.atomic():
                sub = submission_create(student=student, offering=offering, filename="attention.py",
                                        content=disguise((CORPUS / f"{name}.py").read_text(), seed=i * 10 + k).encode())
                Submission.objects.filter(pk=sub.pk).update(
                    submitted_at=offering.due_at - timedelta(days=rng.uniform(0, 10)))
                sub.refresh_from_db()
                result_store(submission=sub, run=sub.run, result=results[name])
    log(f"stored {Submission.objects.count()} attempts of {n_students} students in {time.perf_counter() - t1:.1f} s")
    return offering, ta
