"""Named actors and a synced assignment for the web tests, against the real database.

CI sets DATABASE_URL (PostgreSQL) and REDIS_URL; with SEQLAB_REQUIRE_SERVICES=1 a missing
service fails the run instead of quietly falling back to SQLite or skipping.
"""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

FILES = Path(__file__).parent / "files"
ADDER = FILES / "assignments" / "adder"
MINI_QUIZ = FILES / "assignments" / "mini-quiz"
MINI_WRITTEN = FILES / "assignments" / "mini-written"
REQUIRE_SERVICES = os.environ.get("SEQLAB_REQUIRE_SERVICES") == "1"
collect_ignore_glob = ["files/*"]          # assignment checks, run by the engine, not by pytest


def pytest_sessionstart(session):
    if REQUIRE_SERVICES and not os.environ.get("DATABASE_URL"):
        raise pytest.UsageError("SEQLAB_REQUIRE_SERVICES=1 but DATABASE_URL is not set")


@pytest.fixture(autouse=True)
def _fake_engine(settings, tmp_path):
    settings.SEQLAB_ENGINE = "tests.web.fake_engine.FakeEngine"
    settings.SEQLAB_CACHE_DIR = tmp_path / "cache"
    from seqlab.grading import runner
    runner.engine_close()
    yield
    runner.engine_close()


def _user(django_user_model, name: str):
    return django_user_model.objects.create_user(username=name, password=f"{name}-pw")


@pytest.fixture
def course(db):
    from seqlab.courses.services import course_create
    return course_create(slug="seq", title_ko="시퀀스 모델", title_en="Sequence models", term="2025-2")


@pytest.fixture
def other_course(db):
    from seqlab.courses.services import course_create
    return course_create(slug="other", title_ko="다른 과목", title_en="Another course", term="2025-2")


def _member(django_user_model, course, name, role):
    from seqlab.courses.services import membership_set
    user = _user(django_user_model, name)
    membership_set(course=course, user=user, role=role)
    return user


@pytest.fixture
def instructor(django_user_model, course):
    return _member(django_user_model, course, "instructor", "instructor")


@pytest.fixture
def ta(django_user_model, course):
    return _member(django_user_model, course, "ta", "ta")


@pytest.fixture
def student(django_user_model, course):
    return _member(django_user_model, course, "student", "student")


@pytest.fixture
def other_student(django_user_model, course):
    return _member(django_user_model, course, "other_student", "student")


@pytest.fixture
def outsider(django_user_model, other_course):
    """A student of another course: should see nothing of `course`."""
    return _member(django_user_model, other_course, "outsider", "student")


@pytest.fixture
def adder(db):
    from seqlab.courses.services import assignment_sync
    return assignment_sync(path=ADDER).assignment


@pytest.fixture
def offering(course, adder, instructor):
    """Open for a week, with no cool-down (tests submit back to back; the default is in settings)."""
    from seqlab.courses.services import offering_save
    now = timezone.now()
    return offering_save(actor=instructor, course=course, assignment=adder,
                         release_at=now - timedelta(days=1), due_at=now + timedelta(days=7), cooldown_seconds=0)


def _offer(folder, course, instructor):
    from seqlab.courses.services import assignment_sync, offering_save
    now = timezone.now()
    return offering_save(actor=instructor, course=course, assignment=assignment_sync(path=folder).assignment,
                         release_at=now - timedelta(days=1), due_at=now + timedelta(days=7), cooldown_seconds=0)


@pytest.fixture
def quiz_offering(course, instructor):
    """A quiz: a numeric and a choice question shown at once, a select-all one after the due date."""
    return _offer(MINI_QUIZ, course, instructor)


@pytest.fixture
def written_offering(course, instructor):
    """A written part: one question shown at once, one after the grades are published."""
    return _offer(MINI_WRITTEN, course, instructor)


@pytest.fixture
def solution_bytes():
    return (ADDER / "solution" / "adder.py").read_bytes()


@pytest.fixture
def wrong_bytes():
    return b"def add(a, b):\n    return a - b\n"


@pytest.fixture
def other_ta(django_user_model, other_course):
    """A TA of another course: should have no staff rights in `course`."""
    return _member(django_user_model, other_course, "other_ta", "ta")


@pytest.fixture
def graded(student, offering, solution_bytes):
    """The student's first attempt, graded (every check passed)."""
    from seqlab.submissions.services import submission_create, submission_grade
    sub = submission_create(student=student, offering=offering, filename="adder.py", content=solution_bytes)
    submission_grade(submission_id=sub.id, run=sub.run, worker="test")
    sub.refresh_from_db()
    return sub
