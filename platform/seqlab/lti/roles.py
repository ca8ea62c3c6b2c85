"""LTI role URIs -> a SeqLab course role (the highest one a launch or roster entry carries)."""
from __future__ import annotations

from typing import Iterable

from seqlab.courses.models import Role

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
# Order matters: the first match wins. A TA's launch often carries #Instructor too, so the TA
# sub-role is tried before it; an instructor who is also a learner stays instructor.
RULES = (
    (f"{MEMBERSHIP}#Administrator", Role.INSTRUCTOR),
    (f"{MEMBERSHIP}/Instructor#TeachingAssistant", Role.TA),
    (f"{MEMBERSHIP}#Instructor", Role.INSTRUCTOR),
    (f"{MEMBERSHIP}#ContentDeveloper", Role.INSTRUCTOR),
    (f"{MEMBERSHIP}#Mentor", Role.TA),
    (f"{MEMBERSHIP}#Learner", Role.STUDENT),
)


def normalise(role: str) -> str:
    """Short context roles ("Learner") are the membership vocabulary's ("...membership#Learner")."""
    role = str(role).strip()
    return f"{MEMBERSHIP}#{role}" if role.isalnum() else role


def seqlab_role(roles: Iterable[str]) -> str | None:
    """The course role these LTI roles give, or None (e.g. only institution roles: no access)."""
    given = {normalise(r) for r in roles if isinstance(r, str)}
    for uri, role in RULES:
        if uri in given:
            return role
    return None
