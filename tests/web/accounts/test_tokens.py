"""API tokens are stored hashed, shown once, expire and can be revoked; the client's header works."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from seqlab.accounts.models import ApiToken
from seqlab.accounts.services import token_create, token_revoke, token_rotate
from seqlab.accounts.tokens import key_digest

pytestmark = pytest.mark.django_db


def _api(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_token_is_stored_only_as_its_sha256(student):
    token = token_create(user=student)
    stored = ApiToken.objects.get()
    assert stored.digest == key_digest(token.key) and token.key not in (stored.digest, stored.prefix)
    assert not hasattr(stored, "key")


def test_the_clients_token_header_works(student, offering):
    assert _api(token_rotate(user=student).key).get("/api/assignments/").status_code == 200


def test_an_expired_token_stops_working(student, offering):
    token = token_create(user=student, days=30)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _api(token.key).get("/api/assignments/").status_code == 401


def test_tokens_expire_by_default(student, settings):
    token = token_create(user=student)
    assert settings.SEQLAB_API_TOKEN_DAYS > 0
    assert token.expires_at - timezone.now() <= timedelta(days=settings.SEQLAB_API_TOKEN_DAYS)


def test_a_revoked_token_stops_working_at_once(student, offering):
    token = token_create(user=student)
    assert token_revoke(user=student, token_id=token.pk)
    assert _api(token.key).get("/api/assignments/").status_code == 401


def test_no_one_revokes_another_users_token(student, other_student, offering):
    token = token_create(user=student)
    assert not token_revoke(user=other_student, token_id=token.pk)
    assert _api(token.key).get("/api/assignments/").status_code == 200


def test_token_page_shows_the_key_once(client, student):
    client.force_login(student)
    created = client.post(reverse("accounts:token")).content.decode()
    key = created.split('data-testid="new-token">')[1].split("<")[0]
    assert len(key) == 64 and ApiToken.objects.get().digest == key_digest(key)
    assert key not in client.get(reverse("accounts:token")).content.decode()


def test_token_page_revokes(client, student, offering):
    client.force_login(student)
    token = token_create(user=student)
    client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert _api(token.key).get("/api/assignments/").status_code == 401


@pytest.mark.parametrize("header", ["Token ", "Token \x00", "Token " + "a" * 5000, "Token é", "Token a b"])
def test_malformed_token_headers_are_401(offering, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get("/api/assignments/").status_code == 401
