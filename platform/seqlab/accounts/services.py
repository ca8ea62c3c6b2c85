"""Writes for accounts: API tokens and the demo people."""
from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from rest_framework.authtoken.models import Token


@transaction.atomic
def token_rotate(*, user) -> Token:
    """Replace the user's API token (the old one stops working at once)."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def token_get(*, user) -> Token | None:
    return Token.objects.filter(user=user).first()


def user_with_password(*, username: str, first_name: str = "", password: str | None = None,
                       is_superuser: bool = False) -> tuple[object, str]:
    """Create or reset a user; returns it with the (new) password to print."""
    password = password or secrets.token_urlsafe(9)
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.first_name, user.is_staff, user.is_superuser = first_name, is_superuser, is_superuser
    user.set_password(password)
    user.save()
    return user, password
