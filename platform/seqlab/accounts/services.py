"""Writes for accounts: API tokens (hashed, shown once, expiring, revocable) and the demo people."""
from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from seqlab.accounts.models import ApiToken
from seqlab.accounts.tokens import key_digest, key_new


def token_create(*, user, days: int | None = None) -> ApiToken:
    """A new token; its key is on the returned object (`.key`) this once and stored only as a hash."""
    days = settings.SEQLAB_API_TOKEN_DAYS if days is None else days
    key = key_new()
    token = ApiToken.objects.create(user=user, digest=key_digest(key), prefix=key[:8],
                                    expires_at=timezone.now() + timedelta(days=days) if days else None)
    token.key = key
    return token


@transaction.atomic
def token_rotate(*, user, days: int | None = None) -> ApiToken:
    """Revoke the user's tokens and make a new one (`.key` holds its key, shown once)."""
    token_revoke_all(user=user)
    return token_create(user=user, days=days)


def token_revoke(*, user, token_id: int) -> bool:
    """Stop one of the user's tokens working at once; False if it was not theirs or not active."""
    return ApiToken.objects.filter(user=user, pk=token_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()) == 1


def token_revoke_all(*, user) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def user_with_password(*, username: str, first_name: str = "", password: str | None = None,
                       is_superuser: bool = False) -> tuple[object, str]:
    """Create or reset a user; returns it with the (new) password to print."""
    password = password or secrets.token_urlsafe(9)
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.first_name, user.is_staff, user.is_superuser = first_name, is_superuser, is_superuser
    user.set_password(password)
    user.save()
    return user, password
