"""pytest: DATABASE_URL selects PostgreSQL (CI), else SQLite; fast hashing."""
from seqlab.config.env import env_str
from seqlab.config.settings.base import *  # noqa: F401,F403
from seqlab.config.settings.base import REDIS_URL, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The real broker when CI provides one (REDIS_URL); an in-process one on a bare laptop.
CELERY_BROKER_URL = env_str("SEQLAB_TEST_BROKER_URL", REDIS_URL or "memory://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
SEQLAB_CACHE_DIR = VAR_DIR / "test-assignment-cache"
# Tests never run collectstatic: serve straight from the apps' static folders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Throttle counters stay inside the test process (a shared Redis would carry them between runs).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rolled-back test rows reuse ids, so throttle counters would leak from test to test: tests that
# are about throttling set their own rates (tests/web/test_fair_use.py).
SEQLAB_API_RATES = {"user": "100000/min", "anon": "100000/min", "submit": "100000/hour"}
# The page cache is on in tests (one process, so its cache sees every write): a page that a test
# changes and reads again must come back changed.
SEQLAB_PAGE_CACHE_SECONDS = 30
# Tests that start a grading worker (a process of its own) need the page cache shared with it, as
# in production: Redis when there is one (those tests need it anyway), this process's memory else.
if REDIS_URL:
    CACHES["pagecache"] = {"BACKEND": "seqlab.core.rediscache.RedisCache", "LOCATION": REDIS_URL,
                           "KEY_PREFIX": "seqlab-test"}
