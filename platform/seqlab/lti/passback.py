"""Grades back to the LMS (Assignment and Grade Services) and rosters from it (NRPS).

A grade goes back once the student can see it: every check of the counted attempt that is
ever shown is shown (after-the-deadline and after-publishing checks wait for their moment;
hidden checks are never shown and count as the gradebook counts them), with
overrides and the late penalty applied, as the gradebook counts it. Each send is recorded
(`Passback`), so a sweep that runs often sends only what changed. An LMS that fails or hangs
is an infrastructure fault: bounded by a timeout, recorded, retried by the next sweep.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import requests
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector

from seqlab.courses.models import Membership, Offering, Role
from seqlab.gradebook.selectors import offering_grades, offering_max_points
from seqlab.lti.models import CourseLink, OfferingLink, Passback, PassbackStatus
from seqlab.lti.roles import seqlab_role
from seqlab.submissions.selectors import feedback_for

LMS_TIMEOUT_SECONDS = 10          # one request to the LMS; a hanging LMS must not hold a worker
MAX_ROSTER_PAGES = 50             # NRPS pages followed at most (a loop of "next" links ends here)
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


class _TimeoutSession(requests.Session):
    def request(self, *args, **kwargs):   # noqa: D401 - requests' own signature
        kwargs.setdefault("timeout", LMS_TIMEOUT_SECONDS)
        kwargs["allow_redirects"] = False
        return super().request(*args, **kwargs)


def _connector(registration) -> ServiceConnector:
    session = _TimeoutSession()
    session.headers["User-Agent"] = "SeqLab"
    return ServiceConnector(registration.to_registration(), requests_session=session)


@dataclass(frozen=True)
class GradeToSend:
    score: float
    max_score: float
    pending_manual: bool


def grade_to_send(*, offering: Offering, student, now: datetime | None = None,
                  cells: dict | None = None) -> GradeToSend | None:
    """The counted grade, if the student can already see all of it; else None (nothing to send yet).

    `cells` is offering_grades(offering) when the caller has it (one read for a whole class)."""
    cell = (cells if cells is not None else offering_grades(offering=offering)).get(student.id)
    if cell is None or cell.submission is None or cell.total is None:
        return None
    feedback = feedback_for(viewer=student, submission=cell.submission, now=now or timezone.now())
    # "hidden" checks are never shown, so they never hold a grade back; the others wait for their moment.
    if feedback is None or any(c.visibility != "hidden" for c in feedback.withheld):
        return None
    return GradeToSend(score=float(cell.total), max_score=float(offering_max_points(offering=offering)),
                       pending_manual=cell.pending > 0)


def _lti_user_sub(link: OfferingLink, student) -> str | None:
    registration = link.resource_link.context.deployment.registration
    lti_user = student.lti_users.filter(registration=registration).first()
    return lti_user.sub if lti_user else None


def _grade(sub: str, grade: GradeToSend) -> Grade:
    return (Grade().set_score_given(round(grade.score, 4)).set_score_maximum(round(grade.max_score, 4))
            .set_user_id(sub).set_timestamp(timezone.now().isoformat())
            .set_activity_progress("Completed")
            .set_grading_progress("PendingManual" if grade.pending_manual else "FullyGraded"))


def passback_one(*, link: OfferingLink, student, now: datetime | None = None, cells: dict | None = None) -> str:
    """Send one student's grade to one LMS column if it is visible and changed. Returns what happened."""
    grade = grade_to_send(offering=link.offering, student=student, now=now, cells=cells)
    sub = _lti_user_sub(link, student)
    if grade is None or sub is None or not link.lineitem_url or SCORE_SCOPE not in link.ags_scopes:
        return "nothing to send"
    record = Passback.objects.filter(link=link, student=student).first()
    if (record and record.status == PassbackStatus.SENT and record.score == grade.score
            and record.max_score == grade.max_score and record.pending_manual == grade.pending_manual):
        return "unchanged"
    registration = link.resource_link.context.deployment.registration
    ags = AssignmentsGradesService(_connector(registration), {"scope": link.ags_scopes, "lineitem": link.lineitem_url})
    try:
        ags.put_grade(_grade(sub, grade))
        status, error = PassbackStatus.SENT, ""
    except (LtiException, LtiServiceException, requests.RequestException, ValueError) as exc:
        status, error = PassbackStatus.FAILED, f"{type(exc).__name__}: {exc}"[:500]
    Passback.objects.update_or_create(
        link=link, student=student,
        defaults={"score": grade.score, "max_score": grade.max_score, "pending_manual": grade.pending_manual,
                  "status": status, "error": error, "sent_at": timezone.now(),
                  "attempts": (record.attempts if record else 0) + 1})
    return status


def passback_offering(*, offering: Offering, now: datetime | None = None) -> dict[str, int]:
    """Send every changed, visible grade of an offering to each LMS column linked to it."""
    counts: dict[str, int] = {}
    students = list(get_user_model().objects.filter(lti_users__isnull=False, memberships__course=offering.course,
                                                    memberships__role=Role.STUDENT).distinct())
    cells = offering_grades(offering=offering)          # once per offering, not once per student
    for link in OfferingLink.objects.filter(offering=offering).select_related(
            "resource_link__context__deployment__registration", "offering__course"):
        for student in students:
            outcome = passback_one(link=link, student=student, now=now, cells=cells)
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def passback_all(*, now: datetime | None = None) -> dict[str, int]:
    """The sweep: every offering with an LMS column."""
    total: dict[str, int] = {}
    for offering in Offering.objects.filter(lti_links__isnull=False).distinct():
        for k, v in passback_offering(offering=offering, now=now).items():
            total[k] = total.get(k, 0) + v
    return total


# ------------------------------------------------------------------------- roster (NRPS)

class RosterSyncFailed(Exception):
    """The LMS did not give a usable roster (unreachable, refused, or malformed)."""


def _members(link: CourseLink) -> list[dict]:
    context = link.context
    registration = context.deployment.registration
    nrps = NamesRolesProvisioningService(_connector(registration),
                                         {"context_memberships_url": context.memberships_url})
    members, url = [], None
    try:
        for _ in range(MAX_ROSTER_PAGES):
            page, url = nrps.get_members_page(url)
            if not isinstance(page, list):
                raise RosterSyncFailed("the roster is not a list of members")
            members.extend(m for m in page if isinstance(m, dict) and isinstance(m.get("user_id"), str))
            if not url:
                break
    except (LtiException, LtiServiceException, requests.RequestException, AttributeError, ValueError) as exc:
        raise RosterSyncFailed(f"{type(exc).__name__}: {exc}"[:300]) from None
    return members


def roster_sync(*, link: CourseLink) -> dict[str, int]:
    """Bring the course's members from the LMS: new members join, inactive ones leave."""
    from seqlab.lti.services import student_match, user_for
    from lti_tool.models import LtiUser
    if not link.context.memberships_url:
        return {"no roster service": 1}
    members = _members(link)
    registration = link.context.deployment.registration
    counts = {"joined": 0, "updated": 0, "left": 0, "ignored": 0}
    with transaction.atomic():
        for m in members:
            role = seqlab_role(m.get("roles") or [])
            lti_user, _ = LtiUser.objects.get_or_create(registration=registration, sub=m["user_id"][:255])
            for field, key, n in (("given_name", "given_name", 500), ("family_name", "family_name", 500),
                                  ("name", "name", 500), ("email", "email", 254)):
                if isinstance(m.get(key), str):
                    setattr(lti_user, field, m[key][:n])
            lti_user.save()
            active = m.get("status", "Active") == "Active"
            if active:      # an imported student, by e-mail; an inactive LMS member never claims one
                student_match(lti_user=lti_user, course=link.course, role=role)
            user = user_for(lti_user)
            existing = Membership.objects.filter(course=link.course, user=user).first()
            if not active or role is None:
                if existing:
                    existing.delete()
                    counts["left"] += 1
                else:
                    counts["ignored"] += 1
                continue
            Membership.objects.update_or_create(course=link.course, user=user, defaults={"role": role})
            counts["updated" if existing else "joined"] += 1
    return counts
