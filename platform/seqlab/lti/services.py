"""Writes for LTI: who a launch is, which course and offering it opens, roster sync, grade passback.

Everything here trusts only what django-lti has validated (the id_token's signature,
issuer, audience, nonce and deployment); claims are still bounded before they reach a row.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from seqlab.core.audit import audit_record
from seqlab.courses.models import Course, Membership, Offering, Role
from seqlab.lti.models import CourseLink, OfferingLink
from seqlab.lti.roles import seqlab_role

CUSTOM_ASSIGNMENT = "seqlab_assignment"     # custom parameter of a deep-linked item: the assignment slug
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


class LaunchRefused(Exception):
    """The launch is valid LTI but SeqLab cannot open anything for it; the message says why."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class LaunchOutcome:
    user: object
    course: Course | None
    role: str
    offering: Offering | None
    link_account: object = None      # set when an instructor may link this LMS course to a course of theirs
    link_confirmed: bool = False     # the LMS identity already is that account: no password asked


def _clip(value: object, n: int) -> str:
    return str(value or "")[:n]


def user_for(lti_user) -> object:
    """The SeqLab account of an LMS user: made on first launch, its name and e-mail kept current.

    A claim the launch leaves out never blanks what SeqLab has (a name the roster import gave);
    an account with a SeqLab password keeps its own e-mail (it is where its password resets go)."""
    User = get_user_model()
    user = lti_user.auth_user
    first, last = _clip(lti_user.given_name, 150), _clip(lti_user.family_name, 150)
    if not (first or last) and lti_user.name:
        first = _clip(lti_user.name, 150)
    if user is None:
        digest = hashlib.sha256(f"{lti_user.registration_id}:{lti_user.sub}".encode()).hexdigest()[:20]
        user, _created = User.objects.get_or_create(username=f"lti-{digest}")
        if user.has_usable_password():
            user.set_unusable_password()       # LMS accounts log in through the LMS only
        lti_user.auth_user = user
        lti_user.save(update_fields=["auth_user"])
    if first or last:
        user.first_name, user.last_name = first, last
    if lti_user.email and (not user.has_usable_password() or not user.email):
        user.email = _clip(lti_user.email, 254)
    user.save(update_fields=["first_name", "last_name", "email", "password"])
    return user


def student_match(*, lti_user, course: Course, role: str | None) -> object | None:
    """Tie an LMS user to the one imported student of `course` with the launch's verified e-mail.

    Only a student with no LMS identity yet, who is staff nowhere, is ever matched: an e-mail an
    LMS sends must not open a TA's, an instructor's or an admin's account. The match is recorded
    on the LMS user (its `sub` now names that account), so later launches, roster syncs and grade
    passback all reach it. Returns the matched account, or None (a new account is made as before)."""
    from lti_tool.models import LtiUser
    email = (lti_user.email or "").strip()
    if lti_user.auth_user_id is not None or role != Role.STUDENT or not email:
        return None
    User = get_user_model()
    ids = list(User.objects.filter(memberships__course=course, memberships__role=Role.STUDENT,
                                   email__iexact=email).values_list("pk", flat=True)[:2])
    if len(ids) != 1:
        return None
    user = User.objects.select_for_update().get(pk=ids[0])      # two launches racing for one student
    if (user.is_staff or user.is_superuser or LtiUser.objects.filter(auth_user=user).exists()
            or Membership.objects.filter(user=user).exclude(role=Role.STUDENT).exists()):
        return None
    lti_user.auth_user = user
    lti_user.save(update_fields=["auth_user"])
    audit_record(course=course, actor=user, action="lti.account_match", subject=user.username, student=user,
                 after={"issuer": lti_user.registration.issuer[:200], "sub": lti_user.sub[:255]})
    return user


def _instructs(user) -> bool:
    return Membership.objects.filter(user=user, role=Role.INSTRUCTOR).exists()


def link_account(*, lti_user) -> tuple[object, bool] | None:
    """The SeqLab instructor an LMS instructor may link a new LMS course for, and whether they proved it.

    Either the account this LMS user already is (proved), or the one SeqLab instructor whose e-mail
    the launch carries, who must still confirm with their SeqLab password: an e-mail an LMS sends
    never opens a staff account by itself."""
    from lti_tool.models import LtiUser
    if lti_user.auth_user_id is not None:
        return (lti_user.auth_user, True) if _instructs(lti_user.auth_user) else None
    email = (lti_user.email or "").strip()
    if not email:
        return None
    found = list(get_user_model().objects.filter(email__iexact=email, memberships__role=Role.INSTRUCTOR)
                 .distinct()[:2])
    if len(found) != 1 or LtiUser.objects.filter(auth_user=found[0], registration=lti_user.registration).exists():
        return None
    return found[0], False


LINK_CODE_SECONDS = 1800
LINK_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"      # no 0/O or 1/I to misread
CUSTOM_LINK_CODE = "seqlab_link_code"                         # custom parameter the instructor adds in the LMS


def _code_key(code: str) -> str:
    normal = re.sub(r"[^A-Z0-9]", "", str(code).upper())[:40]
    return "lti-link-code:" + hashlib.sha256(normal.encode()).hexdigest()


def link_code_create(*, actor, course: Course) -> str:
    """A one-time code (30 minutes) that links the first LMS course launched with it to `course`."""
    if not Membership.objects.filter(course=course, user=actor, role=Role.INSTRUCTOR).exists():
        raise LaunchRefused(_("Only an instructor of the SeqLab course can link it."))
    code = "".join(secrets.choice(LINK_CODE_ALPHABET) for _i in range(12))
    cache.set(_code_key(code), {"course": course.pk, "account": actor.pk}, timeout=LINK_CODE_SECONDS)
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def link_code_use(*, lti_launch, code: str) -> CourseLink:
    """Link the launch's LMS course with a code its SeqLab instructor made; the code is spent either way."""
    key = _code_key(code)
    found = cache.get(key)
    if not found or not cache.delete(key):        # delete() is false for the second of two racing launches
        raise LaunchRefused(_("This SeqLab link code is not valid (codes work once, for 30 minutes): make a new one "
                              "on the course's LMS page in SeqLab."), status=400)
    course = Course.objects.filter(pk=found["course"]).first()
    account = get_user_model().objects.filter(pk=found["account"]).first()
    if course is None or account is None:
        raise LaunchRefused(_("This SeqLab link code is not valid (codes work once, for 30 minutes): make a new one "
                              "on the course's LMS page in SeqLab."), status=400)
    return course_link(lti_launch=lti_launch, account=account, course=course)


def linkable_courses(*, account):
    """The courses `account` instructs that no LMS course is linked to yet."""
    return (Course.objects.filter(memberships__user=account, memberships__role=Role.INSTRUCTOR,
                                  lti_links__isnull=True).order_by("-term", "slug"))


@transaction.atomic
def course_link(*, lti_launch, account, course: Course) -> CourseLink:
    """Link the launch's LMS course to `course`, and the launching LMS user to `account`.

    The caller has made sure `account` is who is at the keyboard (an LMS identity already tied to it,
    or its password). Both sides are checked again here: an instructor role in the LMS context, an
    instructor membership in the SeqLab course, neither side linked yet."""
    if seqlab_role(lti_launch.roles_claim or []) != Role.INSTRUCTOR:
        raise LaunchRefused(_("Only an instructor or administrator of the LMS course can link it."))
    if not Membership.objects.filter(course=course, user=account, role=Role.INSTRUCTOR).exists():
        raise LaunchRefused(_("Only an instructor of the SeqLab course can link it."))
    lti_user, context = lti_launch.user, lti_launch.context
    Course.objects.select_for_update().filter(pk=course.pk).first()     # one link per course, also when racing
    if CourseLink.objects.filter(context=context).exists():
        raise LaunchRefused(_("This LMS course is already linked to a SeqLab course."), status=409)
    if CourseLink.objects.filter(course=course).exists():
        raise LaunchRefused(_("This SeqLab course is already linked to another LMS course."), status=409)
    if lti_user.auth_user_id not in (None, account.pk):
        raise LaunchRefused(_("This LMS account belongs to another SeqLab account."))
    if lti_user.auth_user_id is None:
        lti_user.auth_user = account
        lti_user.save(update_fields=["auth_user"])
    link = CourseLink.objects.create(context=context, course=course)
    audit_record(course=course, actor=account, action="lti.course_link", subject=_clip(context.title, 200),
                 after={"issuer": context.deployment.registration.issuer[:200],
                        "context": context.id_on_platform[:255], "sub": lti_user.sub[:255]})
    return link


def _new_course_slug(context) -> str:
    base = slugify(context.label or context.title or "lms-course")[:40] or "lms-course"
    slug, n = base, 1
    while Course.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def course_for(context, *, role: str | None) -> Course:
    """The course an LMS context is; an instructor's first launch makes it."""
    link = CourseLink.objects.select_related("course").filter(context=context).first()
    if link is not None:
        return link.course
    if role != Role.INSTRUCTOR:
        raise LaunchRefused(_("This LMS course is not set up in SeqLab yet: your instructor opens it once first."))
    title = _clip(context.title or context.label or context.id_on_platform, 200)
    course = Course.objects.create(slug=_new_course_slug(context), title_ko=title, title_en=title,
                                   term=_clip(timezone.localdate().strftime("%Y"), 40))
    CourseLink.objects.create(context=context, course=course)
    return course


def membership_set(*, course: Course, user, role: str) -> None:
    """The LMS is the source of roles for its users: set this user's role in the course."""
    Membership.objects.update_or_create(course=course, user=user, defaults={"role": role})


def offering_for(*, course: Course, resource_link, custom: dict, ags: dict | None) -> Offering | None:
    """The offering an LMS item opens (linked by deep linking or by its custom parameter)."""
    link = OfferingLink.objects.select_related("offering").filter(resource_link=resource_link).first()
    if link is None:
        slug = _clip((custom or {}).get(CUSTOM_ASSIGNMENT), 50)
        offering = course.offerings.filter(assignment__slug=slug).first() if slug else None
        if offering is None:
            return None
        link = OfferingLink(resource_link=resource_link, offering=offering)
    if ags:
        link.lineitem_url = _clip(ags.get("lineitem"), 500) or link.lineitem_url
        link.ags_scopes = [s for s in ags.get("scope", []) if isinstance(s, str)][:10]
    link.save()
    return link.offering


NONCE_SECONDS = 3600              # longer than any id_token a platform issues lives


def nonce_use(lti_launch) -> None:
    """Each id_token is good for one launch: a second use of its nonce is a replay."""
    data = lti_launch.get_launch_data()
    nonce = str(data.get("nonce", ""))[:200]
    key = "lti-nonce:" + hashlib.sha256(f"{data.get('iss')}|{nonce}".encode()).hexdigest()
    if not nonce or not cache.add(key, 1, timeout=NONCE_SECONDS):
        raise LaunchRefused(_("This LMS launch was already used: open the item from the LMS again."), status=400)


@transaction.atomic
def launch_handle(lti_launch) -> LaunchOutcome:
    """Turn a validated resource launch into a SeqLab user, course role and offering.

    An instructor's launch from an LMS course not linked yet, by someone who instructs SeqLab
    courses, stops before anything is made: they choose to link one of their courses or make one."""
    nonce_use(lti_launch)
    role = seqlab_role(lti_launch.roles_claim or [])
    if role is None:
        raise LaunchRefused(_("Your LMS role gives no access to this course in SeqLab."))
    link = CourseLink.objects.select_related("course").filter(context=lti_launch.context).first()
    custom = lti_launch.get_claim("https://purl.imsglobal.org/spec/lti/claim/custom") or {}
    code = custom.get(CUSTOM_LINK_CODE) if isinstance(custom, dict) else None
    if link is None and code and role == Role.INSTRUCTOR:
        link = link_code_use(lti_launch=lti_launch, code=str(code))
        return launch_enter(lti_launch, role=role)
    if link is None and role == Role.INSTRUCTOR:
        found = link_account(lti_user=lti_launch.user)
        if found is not None:
            return LaunchOutcome(user=None, course=None, role=role, offering=None,
                                 link_account=found[0], link_confirmed=found[1])
    if link is not None:
        student_match(lti_user=lti_launch.user, course=link.course, role=role)
    return launch_enter(lti_launch, role=role)


def launch_enter(lti_launch, *, role: str) -> LaunchOutcome:
    """The account, course (made on an instructor's first launch), membership and offering of a launch."""
    user = user_for(lti_launch.user)
    course = course_for(lti_launch.context, role=role)
    membership_set(course=course, user=user, role=role)
    offering = None
    if lti_launch.is_resource_launch:
        offering = offering_for(course=course, resource_link=lti_launch.resource_link,
                                custom=lti_launch.get_claim("https://purl.imsglobal.org/spec/lti/claim/custom") or {},
                                ags=lti_launch.ags_claim)
    return LaunchOutcome(user=user, course=course, role=role, offering=offering)


def deep_link_title(offering: Offering, lang: str) -> str:
    return re.sub(r"\s+", " ", offering.assignment.title(lang))[:200]
