"""Reads for accounts: a user's API tokens (never their keys: only hashes are kept)."""
from django.db.models import QuerySet

from seqlab.accounts.models import ApiToken


def token_list_for_user(*, user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)
