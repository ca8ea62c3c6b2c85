"""Graded attempts with results shaped as the engine writes them, for the insight tests.

`attempt(student, mistakes={"1.1": ["adder/sign"]}, ...)` stores one attempt whose result names
those mistakes in `tests[].extra_data.mistakes` (the result contract), through the same
`result_store` the workers use; `legacy=True` names them only in the English output, as results
graded before the contract do.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from graders.contracts import CheckResult, Result

CHECKS = (("1.1", "adds two numbers", 2.0), ("1.2", "adds negatives", 2.0), ("2.1", "adds floats", 2.0))
TEXTS = {"adder/sign": ("부호가 반대입니다", "the sign is flipped: a - b instead of a + b"),
         "adder/int": ("정수로 잘랐습니다", "the result is truncated to an integer"),
         "adder/rare": ("드문 실수", "a rare slip nobody else makes")}
_counter = itertools.count()


@dataclass(frozen=True)
class ContractResult(Result):
    """An engine result that carries mistake ids as the result contract says."""

    mistakes: tuple = ()          # ((check number, mistake id), ...)
    legacy: bool = False

    def to_json(self, *, with_artifacts: bool = True):
        data = super().to_json(with_artifacts=with_artifacts)
        for test in data["tests"]:
            named = [m for check, m in self.mistakes if check == test.get("number")]
            if self.legacy:          # as results stored before the engine named mistakes as data
                test["output"] += "".join(f"; {TEXTS[m][1]}" for m in named)
                for key in ("mistakes", "i18n", "check"):
                    test["extra_data"].pop(key, None)
                continue
            test["extra_data"]["mistakes"] = [{"id": m, "check": test["number"], "ko": TEXTS.get(m, (m, m))[0], "en": TEXTS.get(m, (m, m))[1]}
                                              for m in named]
            test["extra_data"]["i18n"] = {"ko": {"name": test["name"], "output": test["output"]},
                                          "en": {"name": test["name"], "output": test["output"]}}
        return data


def make_result(mistakes: dict[str, list[str]], *, legacy=False, outputs: dict[str, str] | None = None,
                hashes: dict[str, list[tuple[str, str, str]]] | None = None) -> Result:
    """`hashes`: {check: [(what, hash, alt), ...]}, the engine's hashes of the wrong outputs."""
    tests = []
    for number, name, points in CHECKS:
        failed = number in mistakes or number in (outputs or {}) or number in (hashes or {})
        found = tuple({"what": w, "hash": h, "alt": a} for w, h, a in (hashes or {}).get(number, ()))
        tests.append(CheckResult(name, 0.0 if failed else points, points, "failed" if failed else "passed",
                                 (outputs or {}).get(number, "values differ" if failed else ""), "visible",
                                 number=number, output_hashes=found))
    return ContractResult(sum(t.score for t in tests), 6.0, 0.01, "", tuple(tests),
                          mistakes=tuple((c, m) for c, ms in mistakes.items() for m in ms), legacy=legacy)


@pytest.fixture
def attempt(offering):
    """Store a graded attempt of `student` naming `mistakes` ({check: [ids]}), `days_before` the due date."""
    from seqlab.submissions.models import Submission
    from seqlab.submissions.services import result_store, submission_create

    def store(student, mistakes=None, *, days_before=1.0, legacy=False, outputs=None, content=None, on=None,
              hashes=None):
        target = on or offering
        body = content or f"def add(a, b):\n    return a + b  # {next(_counter)}\n".encode()
        sub = submission_create(student=student, offering=target, filename="adder.py", content=body)
        at = target.due_at - timedelta(days=days_before)
        Submission.objects.filter(pk=sub.pk).update(submitted_at=at)
        sub.refresh_from_db()
        result_store(submission=sub, run=sub.run, result=make_result(mistakes or {}, legacy=legacy, outputs=outputs,
                                                                    hashes=hashes))
        sub.refresh_from_db()
        return sub
    return store


@pytest.fixture
def students(django_user_model, course):
    from seqlab.courses.services import membership_set

    def make(n, prefix="s"):
        users = []
        for i in range(n):
            user = django_user_model.objects.create_user(username=f"{prefix}{i:03d}", password="pw")
            membership_set(course=course, user=user, role="student")
            users.append(user)
        return users
    return make


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def attention_offering(course, instructor):
    """The real attention assignment (its tests/mistakes.py travels with the version)."""
    from pathlib import Path

    from seqlab.courses.services import assignment_sync, offering_save
    folder = Path(__file__).resolve().parents[3] / "assignments" / "attention"
    now = timezone.now()
    return offering_save(actor=instructor, course=course, assignment=assignment_sync(path=folder).assignment,
                         release_at=now - timedelta(days=10), due_at=now + timedelta(days=7),
                         cooldown_seconds=0)
