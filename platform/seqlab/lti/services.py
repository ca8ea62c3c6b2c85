"""Writes for LTI: who a launch is, which course and offering it opens, roster sync, grade passback.

Everything here trusts only what django-lti has validated (the id_token's signature,
issuer, audience, nonce and deployment); claims are still bounded before they reach a row.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

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
    course: Course
    role: str
    offering: Offering | None


def _clip(value: object, n: int) -> str:
    return str(value or "")[:n]


def user_for(lti_user) -> object:
    """The SeqLab account of an LMS user: made on first launch, its name and e-mail kept current."""
    User = get_user_model()
    user = lti_user.auth_user
    first, last = _clip(lti_user.given_name, 150), _clip(lti_user.family_name, 150)
    if not (first or last) and lti_user.name:
        first = _clip(lti_user.name, 150)
    if user is None:
        digest = hashlib.sha256(f"{lti_user.registration_id}:{lti_user.sub}".encode()).hexdigest()[:20]
        user, _ = User.objects.get_or_create(username=f"lti-{digest}")
        if user.has_usable_password():
            user.set_unusable_password()       # LMS accounts log in through the LMS only
        lti_user.auth_user = user
        lti_user.save(update_fields=["auth_user"])
    user.first_name, user.last_name, user.email = first, last, _clip(lti_user.email, 254)
    user.save(update_fields=["first_name", "last_name", "email", "password"])
    return user


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
        raise LaunchRefused("This LMS course is not set up in SeqLab yet: your instructor opens it once first.")
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
        raise LaunchRefused("This LMS launch was already used: open the item from the LMS again.", status=400)


@transaction.atomic
def launch_handle(lti_launch) -> LaunchOutcome:
    """Turn a validated resource launch into a SeqLab user, course role and offering."""
    nonce_use(lti_launch)
    role = seqlab_role(lti_launch.roles_claim or [])
    if role is None:
        raise LaunchRefused("Your LMS role gives no access to this course in SeqLab.")
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
