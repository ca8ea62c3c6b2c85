"""Reads for rosters and sections."""
from __future__ import annotations

from dataclasses import dataclass

from seqlab.courses.models import Accommodation, Course, Membership, Role
from seqlab.roster.models import Section, StudentSection


@dataclass(frozen=True)
class Person:
    user: object
    role: str
    section: str
    accommodation: object = None      # courses.Accommodation of a student who has one


def people(*, course: Course) -> list[Person]:
    sections = dict(StudentSection.objects.filter(course=course).values_list("student_id", "section__name"))
    led: dict[int, list[str]] = {}
    for section in course.sections.prefetch_related("tas"):
        for ta in section.tas.all():
            led.setdefault(ta.pk, []).append(section.name)
    order = {Role.INSTRUCTOR: 0, Role.TA: 1, Role.STUDENT: 2}
    accommodations = {a.student_id: a for a in Accommodation.objects.filter(course=course)}
    rows = [Person(m.user, m.role, sections.get(m.user_id, "") if m.role == Role.STUDENT
                   else ", ".join(led.get(m.user_id, [])), accommodations.get(m.user_id))
            for m in Membership.objects.filter(course=course).select_related("user")]
    return sorted(rows, key=lambda p: (order.get(p.role, 3), p.section, p.user.username))


def section_filter(*, course: Course, user, raw: str | None) -> tuple[list[Section], int | None]:
    """The course's sections and the one a staff list shows (`raw`: the ?section= value).

    No value: a TA who leads exactly one section sees that one first. An empty or unknown value
    shows every section (any TA of the course may handle any student)."""
    sections = list(course.sections.all())
    if raw is None:
        led = list(course.sections.filter(tas=user).values_list("pk", flat=True))
        return sections, led[0] if len(led) == 1 else None
    chosen = int(raw) if raw.isascii() and raw.isdecimal() and len(raw) <= 18 else None
    return sections, chosen if chosen in {s.pk for s in sections} else None


def student_section_names(*, course: Course) -> dict[int, str]:
    """student id -> the name of their section in the course."""
    return dict(StudentSection.objects.filter(course=course).values_list("student_id", "section__name"))


def section_student_ids(*, section: Section) -> set[int]:
    return set(section.students.values_list("student_id", flat=True))


def sections_led_by(*, user, course: Course) -> list[Section]:
    return list(course.sections.filter(tas=user))


def can_create_courses(user) -> bool:
    """Staff accounts and anyone who already instructs a course may open new courses."""
    return bool(user.is_authenticated and (user.is_staff or Membership.objects.filter(
        user=user, role=Role.INSTRUCTOR).exists()))
