"""Reads for courses: who may see what, and the dates that apply to one student."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from seqlab.courses.models import Course, Extension, Membership, Offering, Role

STAFF_ROLES = (Role.TA, Role.INSTRUCTOR)


def course_role(*, user, course: Course) -> str | None:
    """The user's role in the course; superusers act as instructors everywhere."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.INSTRUCTOR
    return Membership.objects.filter(course=course, user=user).values_list("role", flat=True).first()


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


@dataclass(frozen=True)
class Deadlines:
    due_at: datetime
    cutoff_at: datetime
    extended: bool


def deadlines_for(*, offering: Offering, student) -> Deadlines:
    """The due date and cutoff that apply to this student (an extension replaces both)."""
    extension = Extension.objects.filter(offering=offering, student=student).first()
    if extension:
        return Deadlines(extension.due_at, max(extension.cutoff_at, extension.due_at), True)
    return Deadlines(offering.due_at, offering.cutoff_at, False)
