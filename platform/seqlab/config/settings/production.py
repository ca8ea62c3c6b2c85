"""Production: everything from the environment; refuses to start half-configured or guessable.

`manage.py check --deploy` is clean with these settings (tests/web/test_deployment.py).
"""
from django.core.exceptions import ImproperlyConfigured

from seqlab.config.env import env_bool, env_int
from seqlab.config.settings.base import *  # noqa: F401,F403
from seqlab.config.settings.base import CELERY_BROKER_URL, DATABASES, SECRET_KEY

DEBUG = False
# Keys anyone could know: the development default, Django's template prefix, common placeholders.
KNOWN_SECRET_KEYS = {"dev-only-not-secret", "changeme", "change-me", "secret", "django-secret-key"}
MIN_SECRET_KEY_CHARS = 50


def secret_key_problem(key: str) -> str | None:
    """Why `key` cannot sign sessions and tokens in production; None if it can."""
    if key.strip().lower() in KNOWN_SECRET_KEYS or key.startswith("django-insecure"):
        return "DJANGO_SECRET_KEY is a known default; generate one (python -c 'import secrets; print(secrets.token_urlsafe(64))')"
    if len(key) < MIN_SECRET_KEY_CHARS or len(set(key)) < 5:
        return f"DJANGO_SECRET_KEY must be at least {MIN_SECRET_KEY_CHARS} random characters"
    return None


if secret_key_problem(SECRET_KEY):
    raise ImproperlyConfigured(secret_key_problem(SECRET_KEY))
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    raise ImproperlyConfigured("set DATABASE_URL (postgresql://...) in production")
if CELERY_BROKER_URL.startswith("filesystem"):
    raise ImproperlyConfigured("set REDIS_URL (or CELERY_BROKER_URL) in production")

# Trust X-Forwarded-Proto only when a proxy that sets it (and strips clients' own) is in front;
# docker-compose.yml exposes gunicorn directly, where any client could claim https.
if env_bool("SEQLAB_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SEQLAB_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SEQLAB_HSTS_SECONDS", 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SEQLAB_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SEQLAB_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = env_bool("SEQLAB_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
}
