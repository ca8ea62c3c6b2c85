"""The course gradebook: every student's counted grade per offering and the course total, weighted
by the course's categories when it has them, else the percent of all points."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from seqlab.courses.models import Course, Offering
from seqlab.courses.selectors import course_students
from seqlab.gradebook.models import GradeCategory
from seqlab.gradebook.selectors.grades import (Bands, GradeCell, cached_grades, offering_max_points,
                                               score_bands)
from seqlab.roster.models import StudentSection


# ------------------------------------------------------------------ the course gradebook
@dataclass(frozen=True)
class CategoryShare:
    category: GradeCategory
    earned: float
    possible: float

    @property
    def percent(self) -> float | None:
        return round(100 * self.earned / self.possible, 2) if self.possible else None


@dataclass(frozen=True)
class Row:
    student: object
    cells: list[GradeCell | None]
    points: float                 # earned over every offering
    possible: float
    percent: float | None         # weighted by categories, or of all points when the course has none
    shares: list[CategoryShare]
    provisional: bool             # some counted attempt still has written answers to grade


@dataclass(frozen=True)
class Weights:
    """How the course total is made, and what an instructor should fix in it."""

    categories: list[GradeCategory]
    total: Decimal                                  # the weights' sum (100 when all is well)
    uncategorised: list[Offering]                   # offerings that count nowhere
    empty: list[GradeCategory]                      # categories with no offering

    @property
    def weighted(self) -> bool:
        return bool(self.categories)

    @property
    def sums_to_100(self) -> bool:
        return self.total == 100


@dataclass(frozen=True)
class Gradebook:
    course: Course
    offerings: list[Offering]
    rows: list[Row]
    weights: Weights
    max_points: dict[int, float]
    bands: dict[int, Bands]


def course_weights(*, course: Course, offerings: list[Offering]) -> Weights:
    """The course's categories and where they fall short (weights off 100, offerings in none, empty ones)."""
    categories = list(GradeCategory.objects.filter(course=course))
    used = {_category_id(o) for o in offerings}
    return Weights(categories, sum((c.weight for c in categories), Decimal(0)),
                   [o for o in offerings if _category_id(o) is None] if categories else [],
                   [c for c in categories if c.id not in used])


def _category_id(offering: Offering) -> int | None:
    link = getattr(offering, "grade_category", None)        # reverse one-to-one: absent raises, getattr hides it
    return link.category_id if link else None


def course_offerings(*, course: Course) -> list[Offering]:
    return list(course.offerings.select_related("assignment__current_version", "grade_category"))


def gradebook_for_course(*, course: Course, section_id: int | None = None) -> Gradebook:
    """Every student's counted grade per offering and course total; with `section_id`, that section's students.

    The histograms' bands always cover the whole class.
    """
    offerings = course_offerings(course=course)
    grades = cached_grades(offerings=offerings)
    weights = course_weights(course=course, offerings=offerings)
    max_points = {o.id: offering_max_points(offering=o) for o in offerings}
    students = course_students(course=course)
    if section_id:
        students = students.filter(student_sections__section_id=section_id, student_sections__course=course)
    members, maxima = _members(offerings, weights, max_points), [max_points[o.id] for o in offerings]
    by_offering = [grades[o.id] for o in offerings]
    rows = [_row(student, [cells.get(student.id) for cells in by_offering], members, maxima, weights.weighted)
            for student in students]
    bands = {o.id: score_bands(scores=[c.total for c in grades[o.id].values() if c.total is not None],
                               top=max_points[o.id]) for o in offerings}
    return Gradebook(course, offerings, rows, weights, max_points, bands)


def _row(student, cells: list[GradeCell | None], members: list[tuple[GradeCategory, list[int], float]],
         max_points: list[float], weighted: bool) -> Row:
    earned = [(c.total or 0.0) if c else 0.0 for c in cells]
    points, possible = round(sum(earned), 4), sum(max_points)
    shares = [CategoryShare(category, round(sum(earned[i] for i in indexes), 4), most)
              for category, indexes, most in members]
    if weighted:
        percent = round(sum(float(s.category.weight) * s.earned / s.possible for s in shares if s.possible), 2)
    else:
        percent = round(100 * points / possible, 2) if possible else None
    return Row(student, cells, points, possible, percent, shares, any(c is not None and c.pending for c in cells))


def _members(offerings: list[Offering], weights: Weights, max_points: dict[int, float]):
    """(category, indexes of its offerings, its points possible) for each category of the course."""
    members = []
    for category in weights.categories:
        indexes = [i for i, o in enumerate(offerings) if _category_id(o) == category.id]
        members.append((category, indexes, sum(max_points[offerings[i].id] for i in indexes)))
    return members


def student_sections(*, course: Course) -> dict[int, str]:
    """student id -> the name of their section in the course."""
    return dict(StudentSection.objects.filter(course=course).values_list("student_id", "section__name"))
