"""Production: everything from the environment; refuses to start half-configured."""
from django.core.exceptions import ImproperlyConfigured

from seqlab.config.env import env_bool, env_int
from seqlab.config.settings.base import *  # noqa: F401,F403
from seqlab.config.settings.base import CELERY_BROKER_URL, DATABASES, SECRET_KEY

DEBUG = False
if SECRET_KEY == "dev-only-not-secret":
    raise ImproperlyConfigured("set DJANGO_SECRET_KEY")
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    raise ImproperlyConfigured("set DATABASE_URL (postgresql://...) in production")
if CELERY_BROKER_URL.startswith("filesystem"):
    raise ImproperlyConfigured("set REDIS_URL (or CELERY_BROKER_URL) in production")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SEQLAB_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SEQLAB_HSTS_SECONDS", 0)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
}
