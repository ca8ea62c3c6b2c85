"""Writes for running a course without Django admin: create it, its people, its sections.

Every change to who is in a course is audited in the course's trail. New accounts get no
password; the instructor hands each person a one-time welcome link to set one.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify
from django.utils.translation import gettext as _

from seqlab.courses.models import Course, Membership, Role
from seqlab.core.audit import audit_record
from seqlab.roster.csvroster import ParsedRoster, RosterRow
from seqlab.roster.models import Section, StudentSection


class RosterRefused(ValueError):
    """The change cannot be made; the message says why."""


def welcome_link(user) -> str:
    """A one-time link (Django's password-reset token) for a new account to set its password."""
    return reverse("roster:welcome", args=[urlsafe_base64_encode(force_bytes(user.pk)),
                                           default_token_generator.make_token(user)])


@transaction.atomic
def course_create(*, actor, slug: str, title_ko: str, title_en: str, term: str) -> Course:
    """An instructor opens a course for a term and becomes its instructor."""
    slug = slugify(slug)[:50]
    if not slug:
        raise RosterRefused(_("The course needs a short name of letters, digits and hyphens."))
    if Course.objects.filter(slug=slug).exists():
        raise RosterRefused(_("A course named %(slug)s exists already.") % {"slug": slug})
    course = Course.objects.create(slug=slug, title_ko=title_ko.strip()[:200] or slug,
                                   title_en=title_en.strip()[:200] or slug, term=term.strip()[:40])
    Membership.objects.create(course=course, user=actor, role=Role.INSTRUCTOR)
    audit_record(course=course, actor=actor, action="course.create", subject=course.slug,
                 after={"title_ko": course.title_ko, "title_en": course.title_en, "term": course.term})
    return course


def _account(*, username: str, name: str = "", email: str = ""):
    """The account with this username, made (without a password) if there is none."""
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username[:150])
    if created:
        user.set_unusable_password()
        first, _space, last = name.strip().partition(" ")
        user.first_name, user.last_name, user.email = first[:150], last[:150], email[:254]
        user.save()
    return user, created


def _set_role(*, actor, course: Course, user, role: str) -> str:
    existing = Membership.objects.filter(course=course, user=user).first()
    if existing and existing.role == Role.INSTRUCTOR and role != Role.INSTRUCTOR:
        raise RosterRefused(_("%(user)s is an instructor of this course; change that role by hand.") % {"user": user.username})
    before = existing.role if existing else None
    Membership.objects.update_or_create(course=course, user=user, defaults={"role": role})
    if before != role:
        audit_record(course=course, actor=actor, action="member.role", subject=user.username,
                     before={"role": before}, after={"role": role})
    return "unchanged" if before == role else ("changed" if before else "added")


@transaction.atomic
def member_add(*, actor, course: Course, username: str, role: str, name: str = "", email: str = ""):
    """Add one person (a new account if needed) with a role; returns (user, welcome link or '')."""
    if role not in Role.values:
        raise RosterRefused(_("Unknown role."))
    user, created = _account(username=username.strip(), name=name, email=email)
    _set_role(actor=actor, course=course, user=user, role=role)
    return user, welcome_link(user) if created else ""


@transaction.atomic
def member_drop(*, actor, course: Course, user) -> None:
    """Take a student or TA out of the course; their submissions stay for the record."""
    membership = Membership.objects.filter(course=course, user=user).first()
    if membership is None:
        return
    if membership.role == Role.INSTRUCTOR and not course.memberships.filter(role=Role.INSTRUCTOR).exclude(
            user=user).exists():
        raise RosterRefused(_("The last instructor cannot leave the course."))
    membership.delete()
    StudentSection.objects.filter(course=course, student=user).delete()
    for section in course.sections.filter(tas=user):
        section.tas.remove(user)
    audit_record(course=course, actor=actor, action="member.drop", subject=user.username,
                 before={"role": membership.role})


@dataclass(frozen=True)
class ImportPlan:
    rows: list[RosterRow]
    new_accounts: list[str]
    joining: list[str]
    already: list[str]
    conflicts: list[str]          # usernames that are staff here (never demoted by an import)
    sections: list[str]           # section names the file brings that the course lacks


def import_plan(*, course: Course, parsed: ParsedRoster) -> ImportPlan:
    """What applying the file would do, shown to the instructor before anything changes."""
    User = get_user_model()
    names = [r.username for r in parsed.rows]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    roles = dict(Membership.objects.filter(course=course, user__username__in=names)
                 .values_list("user__username", "role"))
    known_sections = set(course.sections.values_list("name", flat=True))
    return ImportPlan(
        rows=parsed.rows, new_accounts=[n for n in names if n not in existing],
        joining=[n for n in names if n not in roles], already=[n for n in names if roles.get(n) == Role.STUDENT],
        conflicts=[n for n in names if roles.get(n) in (Role.TA, Role.INSTRUCTOR)],
        sections=sorted({r.section for r in parsed.rows if r.section} - known_sections))


@transaction.atomic
def import_apply(*, actor, course: Course, parsed: ParsedRoster) -> dict:
    """Make every row a student of the course (in its section); staff rows are left as they are."""
    if parsed.problems:
        raise RosterRefused(_("Fix the file's problems first; nothing was imported."))
    plan = import_plan(course=course, parsed=parsed)
    for name in plan.sections:
        Section.objects.create(course=course, name=name)
    sections = {s.name: s for s in course.sections.all()}
    links = {}
    for row in parsed.rows:
        if row.username in plan.conflicts:
            continue
        user, created = _account(username=row.username, name=row.name, email=row.email)
        Membership.objects.update_or_create(course=course, user=user, defaults={"role": Role.STUDENT})
        if row.section:
            StudentSection.objects.update_or_create(course=course, student=user,
                                                    defaults={"section": sections[row.section]})
        if created:
            links[user.username] = welcome_link(user)
    audit_record(course=course, actor=actor, action="roster.import", subject=f"{len(parsed.rows)} rows",
                 after={"joined": len(plan.joining) - len(plan.conflicts), "new_accounts": len(plan.new_accounts),
                        "sections_created": plan.sections, "skipped_staff": plan.conflicts})
    return {"plan": plan, "links": links}


@transaction.atomic
def section_create(*, actor, course: Course, name: str) -> Section:
    name = name.strip()[:60]
    if not name:
        raise RosterRefused(_("A section needs a name."))
    if course.sections.filter(name=name).exists():
        raise RosterRefused(_("There is a section %(name)s already.") % {"name": name})
    section = Section.objects.create(course=course, name=name)
    audit_record(course=course, actor=actor, action="section.create", subject=name)
    return section


@transaction.atomic
def section_set_tas(*, actor, section: Section, tas: list) -> None:
    """The section's TAs are exactly `tas` (TAs or instructors of its course)."""
    allowed = set(section.course.memberships.filter(role__in=[Role.TA, Role.INSTRUCTOR])
                  .values_list("user_id", flat=True))
    if any(u.pk not in allowed for u in tas):
        raise RosterRefused(_("Only the course's TAs and instructors can lead a section."))
    before = sorted(section.tas.values_list("username", flat=True))
    section.tas.set(tas)
    audit_record(course=section.course, actor=actor, action="section.tas", subject=section.name,
                 before={"tas": before}, after={"tas": sorted(u.username for u in tas)})


@transaction.atomic
def student_section_set(*, actor, course: Course, student, section: Section | None) -> None:
    if section is not None and section.course_id != course.pk:
        raise RosterRefused(_("That section is of another course."))
    if not Membership.objects.filter(course=course, user=student, role=Role.STUDENT).exists():
        raise RosterRefused(_("%(user)s is not a student of this course.") % {"user": student.username})
    before = StudentSection.objects.filter(course=course, student=student).select_related("section").first()
    if section is None:
        StudentSection.objects.filter(course=course, student=student).delete()
    else:
        StudentSection.objects.update_or_create(course=course, student=student, defaults={"section": section})
    audit_record(course=course, actor=actor, action="section.student", subject=student.username,
                 before={"section": before.section.name if before else None},
                 after={"section": section.name if section else None}, student=student)
