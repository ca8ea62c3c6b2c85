"""`python -m bench.seed ASSIGNMENT_DIR N`: a course, an open offering, N students with API tokens.

Run with the stack's environment (bench/stack.py); prints one JSON line:
{"offering": ID, "tokens": [...], "students": [...]}. One student per submission of a burst, so
per-student limits (queued work, cool-down) never refuse a submission of the bench.
"""
from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path


def _token_key(token) -> str:
    for candidate in (getattr(token, "key", None), getattr(token, "raw", None), token):
        if isinstance(candidate, str):
            return candidate
    if isinstance(token, tuple):
        return next(t for t in token if isinstance(t, str))
    raise TypeError(f"cannot read an API key from {token!r}")


def main(folder: str, n: int) -> None:
    import django
    django.setup()
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from seqlab.accounts.services import token_rotate
    from seqlab.courses.services import assignment_sync, course_create, membership_set, offering_save

    User = get_user_model()
    course = course_create(slug="rush", title_ko="마감 러시", title_en="Deadline rush", term="2026-2")
    instructor = User.objects.create_user(username="instructor", password="instructor-pw-rush")
    membership_set(course=course, user=instructor, role="instructor")
    assignment = assignment_sync(path=Path(folder)).assignment
    now = timezone.now()
    offering = offering_save(actor=instructor, course=course, assignment=assignment,
                             release_at=now - timedelta(days=1), due_at=now + timedelta(days=7))
    from django.contrib.auth.hashers import make_password
    names = [f"s{i:04d}" for i in range(n)]
    password = "rush-student-pw"
    hashed = make_password(password)           # once: hashing per user would cost seconds each
    User.objects.bulk_create([User(username=name, password=hashed) for name in names])
    tokens = []
    for user in User.objects.filter(username__in=names).order_by("username"):
        membership_set(course=course, user=user, role="student")
        tokens.append(_token_key(token_rotate(user=user)))
    print(json.dumps({"offering": offering.pk, "tokens": tokens, "students": names, "password": password,
                      "max_score": assignment.current_version.max_score}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
