"""Production settings: `check --deploy` is clean, the proxy header is trusted only when a setting
says a proxy is in front, and a guessable secret key refuses to start."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
STRONG = secrets.token_urlsafe(64)


def _production(code: str, **env) -> subprocess.CompletedProcess:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("SEQLAB_", "DJANGO_"))}
    full = {**inherited, "DJANGO_SETTINGS_MODULE": "seqlab.config.settings.production",
            "DATABASE_URL": "postgresql://seqlab@127.0.0.1:5432/seqlab", "REDIS_URL": "redis://127.0.0.1:6379/4",
            "DJANGO_SECRET_KEY": STRONG, "PYTHONPATH": f"{REPO / 'platform'}{os.pathsep}{REPO}", **env}
    return subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True, timeout=120, cwd=REPO)


def test_check_deploy_is_clean_with_production_settings():
    done = _production("import sys; from django.core.management import execute_from_command_line as run; "
                       "run(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])")
    assert done.returncode == 0, done.stdout + done.stderr


SHOW = "import django; django.setup(); from django.conf import settings as s; print(repr(s.SECURE_PROXY_SSL_HEADER))"


def test_forwarded_proto_is_not_trusted_by_default():
    done = _production(SHOW)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "None"


def test_forwarded_proto_is_trusted_when_a_proxy_is_declared():
    done = _production(SHOW, SEQLAB_BEHIND_PROXY="1")
    assert "HTTP_X_FORWARDED_PROTO" in done.stdout


@pytest.mark.parametrize("key", ["x", "dev-only-not-secret", "django-insecure-" + "a" * 60, "ab" * 30, "changeme",
                                 secrets.token_urlsafe(30)[:49]],
                         ids=["one-char", "dev-default", "django-insecure", "two-distinct-characters", "placeholder", "49-chars"])
def test_weak_secret_key_refuses_to_start(key):
    done = _production(SHOW, DJANGO_SECRET_KEY=key)
    assert done.returncode != 0 and "DJANGO_SECRET_KEY" in done.stderr
