"""API rate limits per user and per anonymous client, read from settings.SEQLAB_API_RATES on each
request (so a deployment or a test can change them) and counted in the shared cache."""
from __future__ import annotations

from django.conf import settings
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
