"""`Authorization: Token <key>` (the command-line client's header), checked against hashed keys."""
from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from seqlab.accounts.models import ApiToken
from seqlab.accounts.tokens import key_digest

LAST_USED_EVERY = timedelta(minutes=5)     # record use at most this often: one write, not one per call


class HashedTokenAuthentication(TokenAuthentication):
    keyword = "Token"
    model = ApiToken

    def authenticate_credentials(self, key):
        # The digest is unique: no ordering to compile or sort.
        found = (ApiToken.objects.select_related("user").filter(digest=key_digest(key)).order_by()[:1]
                 if key.isascii() and len(key) <= 200 else ())
        token = next(iter(found), None)
        now = timezone.now()
        if token is None or not token.is_active(now):
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if token.last_used_at is None or token.last_used_at < now - LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
