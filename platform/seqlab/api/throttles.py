"""API rate limits per user and per anonymous client, read from settings.SEQLAB_API_RATES on each
request (so a deployment or a test can change them) and counted in the shared cache."""
from __future__ import annotations

from django.conf import settings
from rest_framework.exceptions import Throttled
from rest_framework.permissions import BasePermission
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class _SettingsRate:
    def get_rate(self):
        return settings.SEQLAB_API_RATES.get(self.scope)


class UserThrottle(_SettingsRate, UserRateThrottle):
    scope = "user"


class AnonThrottle(_SettingsRate, AnonRateThrottle):
    scope = "anon"


class SubmitThrottle(_SettingsRate, UserRateThrottle):
    """Submissions per user, beside the offering's cool-down and the cap on queued work."""

    scope = "submit"

    def allow_request(self, request, view):
        if request.method != "POST":
            return True
        return super().allow_request(request, view)


class AnonymousRateLimit(BasePermission):
    """Throttle anonymous clients before they are told to authenticate.

    DRF checks permissions before throttles, so an API where every view needs a login would never
    count anonymous requests; as the first permission, this counts them.
    """

    def has_permission(self, request, view) -> bool:
        if request.user and request.user.is_authenticated:
            return True
        throttle = AnonThrottle()
        if not throttle.allow_request(request, view):
            raise Throttled(wait=throttle.wait())
        return True
