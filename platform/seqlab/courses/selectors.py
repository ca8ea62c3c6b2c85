"""Reads for courses: who may see what, and what a page shows of the dates that apply (courses/policy.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from graders.quiz import Question, parse_questions
from seqlab.core.readmemo import remember
from seqlab.courses.models import Accommodation, Course, Extension, Membership, Offering, Role
from seqlab.courses.policy import StudentPolicy, accommodation_for, results_cutoff, student_policy
from seqlab.courses.presentation import engine_text

STAFF_ROLES = (Role.TA, Role.INSTRUCTOR)


def course_role(*, user, course: Course) -> str | None:
    """The user's role in the course; superusers act as instructors everywhere."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.INSTRUCTOR
    return remember(("course_role", user.pk, course.pk),
                    lambda: Membership.objects.filter(course=course, user=user).values_list("role", flat=True).first())


def is_course_staff(*, user, course: Course) -> bool:
    return course_role(user=user, course=course) in STAFF_ROLES


def is_instructor(*, user, course: Course) -> bool:
    return course_role(user=user, course=course) == Role.INSTRUCTOR


def course_list_for_user(*, user) -> QuerySet[Course]:
    if user.is_superuser:
        return Course.objects.all()
    return Course.objects.filter(memberships__user=user).distinct()


def course_get_for_user(*, user, slug: str) -> Course:
    """The course, if the user belongs to it; else Course.DoesNotExist (shown as 404)."""
    return course_list_for_user(user=user).get(slug=slug)


def offering_list_for_user(*, user, course: Course) -> QuerySet[Offering]:
    """Offerings the user may see: staff see all, students only released ones."""
    offerings = course.offerings.select_related("assignment", "assignment__current_version")
    if is_course_staff(user=user, course=course):
        return offerings
    return offerings.filter(release_at__lte=timezone.now())


def offering_get_for_user(*, user, offering_id: int) -> Offering:
    """The offering if the user may see it; else Offering.DoesNotExist (404: no existence leak)."""
    offering = Offering.objects.select_related("course", "assignment").get(pk=offering_id)
    role = course_role(user=user, course=offering.course)
    if role is None or (role == Role.STUDENT and not offering.is_released()):
        raise Offering.DoesNotExist
    return offering


def course_students(*, course: Course) -> QuerySet:
    from django.contrib.auth import get_user_model
    return get_user_model().objects.filter(
        memberships__course=course, memberships__role=Role.STUDENT).order_by("username")


def _version_file(version, path: str) -> bytes:
    from seqlab.blobs.services import blob_bytes
    file = version.files.select_related("blob").filter(path=path).first()
    return blob_bytes(blob=file.blob) if file else b""


def statement_source(*, version, lang: str) -> str:
    """The statement in `lang`, from the stored version (falls back to the other language)."""
    other = "en" if lang == "ko" else "ko"
    data = _version_file(version, f"README.{lang}.md") or _version_file(version, f"README.{other}.md")
    return data.decode("utf-8", errors="replace")


def starter_bytes(*, version) -> bytes:
    return _version_file(version, f"starter/{version.assignment.file}")


def questions_of(*, version) -> tuple[Question, ...]:
    """The questions of a quiz or written version, parsed from its stored manifest (() for code)."""
    kind = version.manifest.get("kind", "code") if version else "code"
    if kind == "code":
        return ()
    return parse_questions(version.manifest, kind, version.assignment.slug)


def question_for_check(*, version, number: str) -> Question | None:
    """The question graded as check `number` (the engine numbers questions 1, 2, ... in order)."""
    questions = questions_of(version=version)
    index = int(number) - 1 if number.isascii() and number.isdecimal() else -1
    return questions[index] if 0 <= index < len(questions) else None


@dataclass(frozen=True)
class CheckRow:
    number: str
    name: str
    points: float
    visibility: str
    reveal_at: datetime | None


def check_table_for_student(*, offering: Offering, student, policy: StudentPolicy | None = None) -> list[CheckRow]:
    """Every check of the current version with when a student will see its result."""
    version = offering.assignment.current_version
    policy = policy or student_policy(offering=offering, student=student)
    reveal = {"after_due_date": results_cutoff(policy=policy, offering=offering),
              "after_published": offering.published_at}
    return [CheckRow(c["number"], engine_text(c, "name"), c["points"], c["visibility"], reveal.get(c["visibility"]))
            for c in (version.checks if version else [])]


@dataclass(frozen=True)
class OfferingRow:
    offering: Offering
    policy: StudentPolicy
    attempts: int
    latest_status: str


def offering_rows_for_user(*, user, course: Course) -> list[OfferingRow]:
    """The course page's table: each visible offering with the dates that apply and this user's attempts."""
    from seqlab.submissions.models import Submission
    accommodation = accommodation_for(course=course, student=user)
    # A fixed number of queries however many offerings the course has: the page is the one
    # every student reloads during a deadline rush.
    attempts: dict[int, list[tuple[int, str]]] = {}
    extensions: dict[int, Extension] = {}
    if user.is_authenticated:
        for offering_id, number, status in (Submission.objects.filter(offering__course=course, student=user)
                                             .values_list("offering_id", "number", "status")):
            attempts.setdefault(offering_id, []).append((number, status))
        extensions = {e.offering_id: e for e in Extension.objects.filter(offering__course=course, student=user)}
    rows = []
    for offering in offering_list_for_user(user=user, course=course):
        mine = attempts.get(offering.id, [])
        policy = student_policy(offering=offering, student=user, accommodation=accommodation,
                                extension=extensions.get(offering.id))
        rows.append(OfferingRow(offering, policy, len(mine), max(mine)[1] if mine else ""))
    return rows


def accommodation_list(*, course: Course):
    """The course's accommodations, by student (staff pages)."""
    return Accommodation.objects.filter(course=course).select_related("student", "updated_by")


def accommodated_student_ids(*, course: Course) -> set[int]:
    """Students of the course with an accommodation (staff pages mark them)."""
    return set(Accommodation.objects.filter(course=course).values_list("student_id", flat=True))


@dataclass(frozen=True)
class CheckGroup:
    visibility: str
    reveal_at: datetime | None
    checks: list[CheckRow]

    @property
    def points(self) -> float:
        return sum(c.points for c in self.checks)


def check_groups(rows: list[CheckRow]) -> list[CheckGroup]:
    """Checks grouped by when their results show, in the order they first appear."""
    groups: dict[tuple, list[CheckRow]] = {}
    for row in rows:
        groups.setdefault((row.visibility, row.reveal_at), []).append(row)
    return [CheckGroup(vis, at, rows) for (vis, at), rows in groups.items()]
