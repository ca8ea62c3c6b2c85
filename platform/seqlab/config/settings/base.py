"""Settings shared by every environment; each value a deployment may change comes from the env."""
from __future__ import annotations

from pathlib import Path

from seqlab.config.env import database_from_url, env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parents[2]          # platform/seqlab
REPO_ROOT = PACKAGE_DIR.parents[1]                           # the checkout
VAR_DIR = Path(env_str("SEQLAB_VAR_DIR", str(REPO_ROOT / "var")))

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-not-secret")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_htmx",
    "axes",
    "seqlab.core",
    "seqlab.blobs",
    "seqlab.accounts",
    "seqlab.courses",
    "seqlab.submissions",
    "seqlab.gradebook",
    "seqlab.insight",
    "seqlab.api",
    "lti_tool",
    "seqlab.lti",
    "seqlab.regrades",
    "seqlab.roster",
    "seqlab.grading",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "seqlab.grading.middleware.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",           # last: it answers locked-out logins
]

ROOT_URLCONF = "seqlab.config.urls"
WSGI_APPLICATION = "seqlab.config.wsgi.application"

TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [PACKAGE_DIR / "templates"],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.template.context_processors.i18n",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]

_database_url = env_str("DATABASE_URL")
DATABASES = {"default": database_from_url(_database_url) if _database_url else {
    "ENGINE": "django.db.backends.sqlite3",
    "NAME": VAR_DIR / "seqlab.sqlite3",
    # The web process and the local worker write at once; wait instead of failing.
    "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL;"},
}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",      # counts failed logins and refuses locked-out ones
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling (django-axes, docs/security.md): after AXES_FAILURE_LIMIT wrong passwords for one
# username from one address, that pair is locked out for AXES_COOLOFF_TIME hours (even with the
# right password); a successful login resets the count.
AXES_FAILURE_LIMIT = env_int("SEQLAB_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("SEQLAB_LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "courses:home"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", "한국어"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("SEQLAB_TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "seqlab.accounts.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["seqlab.api.throttles.AnonymousRateLimit",
                                   "rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "seqlab.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["seqlab.api.throttles.UserThrottle"],
    "EXCEPTION_HANDLER": "seqlab.api.errors.exception_handler",
}
# API tokens expire this many days after they are made (0 = never); the token page can revoke them.
SEQLAB_API_TOKEN_DAYS = env_int("SEQLAB_API_TOKEN_DAYS", 180)
# Requests per client (docs/security.md): every API call, and submissions through the API.
SEQLAB_API_RATES = {
    "user": env_str("SEQLAB_API_RATE_USER", "240/min"),
    "anon": env_str("SEQLAB_API_RATE_ANON", "30/min"),
    "submit": env_str("SEQLAB_API_RATE_SUBMIT", "60/hour"),
}


# ---------------------------------------------------------------- Celery (see config/celery.py)
REDIS_URL = env_str("REDIS_URL")
# Throttle and lockout counters, LTI launch state (nonce, launch data between two requests) and
# highlighted code must be shared by every web process: Redis when there is one.
CACHES = {"default": {"BACKEND": "seqlab.core.rediscache.RedisCache", "LOCATION": REDIS_URL}
          if REDIS_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The pages students reload (course, assignment, attempt, the status call) are kept per session
# until something they show changes (seqlab/core/pagecache.py), and never longer than this. Off
# without Redis: a cache of one process would not see the grading workers' writes.
SEQLAB_PAGE_CACHE_SECONDS = env_int("SEQLAB_PAGE_CACHE_SECONDS", 30 if REDIS_URL else 0)
# Every page reads the session: from Redis when there is one (written through to the database, so
# a Redis restart logs no one out), saving a query per request.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"data_folder_in": str(BROKER_DIR), "data_folder_out": str(BROKER_DIR),
     "control_folder": str(VAR_DIR / "broker-control")}
    if CELERY_BROKER_URL.startswith("filesystem")
    # Redis re-delivers an unacknowledged task after this long; longer than any grading run.
    else {"visibility_timeout": env_int("SEQLAB_VISIBILITY_TIMEOUT", 1800)}
)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1          # one submission at a time per warm engine
CELERY_TASK_IGNORE_RESULT = True                 # results live in the Django database
CELERY_TASK_DEFAULT_QUEUE = "cpu"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_ENABLE_REMOTE_CONTROL = not CELERY_BROKER_URL.startswith("filesystem")
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-submissions": {
        "task": "seqlab.submissions.tasks.sweep_stuck_submissions",
        "schedule": float(env_int("SEQLAB_SWEEP_EVERY", 5)),
        # its own queue and worker process, never behind grading; a missed tick is dropped
        "options": {"queue": "maintenance", "expires": float(env_int("SEQLAB_SWEEP_EVERY", 5))},
    },
    "lti-grade-passback": {
        "task": "seqlab.lti.tasks.passback_sweep",
        "schedule": float(env_int("SEQLAB_LTI_PASSBACK_EVERY", 60)),
        "options": {"queue": "cpu"},
    },
}

# ---------------------------------------------------------------- grading
SEQLAB_ASSIGNMENTS_DIR = Path(env_str("SEQLAB_ASSIGNMENTS_DIR", str(REPO_ROOT / "assignments")))
SEQLAB_CACHE_DIR = Path(env_str("SEQLAB_CACHE_DIR", str(VAR_DIR / "assignment-cache")))
SEQLAB_ENGINE = env_str("SEQLAB_ENGINE", "graders.engine.Engine")
# Close each sandbox and spawn the next one in a background thread (graders/engine.py).
SEQLAB_ENGINE_BACKGROUND = env_bool("SEQLAB_ENGINE_BACKGROUND", True)
SEQLAB_MAX_UPLOAD_BYTES = env_int("SEQLAB_MAX_UPLOAD_BYTES", 2 * 1024 * 1024)
SEQLAB_GRADE_RETRIES = env_int("SEQLAB_GRADE_RETRIES", 5)
# A queued/running submission older than its wall limit plus this is presumed lost.
SEQLAB_STUCK_AFTER_SECONDS = env_int("SEQLAB_STUCK_AFTER_SECONDS", 300)
DATA_UPLOAD_MAX_MEMORY_SIZE = SEQLAB_MAX_UPLOAD_BYTES + 64 * 1024
FILE_UPLOAD_HANDLERS = [
    "seqlab.core.upload_quota.QuotaUploadHandler",         # first: stops an upload past the limit
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_NUMBER_FILES = 16               # a multipart submit: the code, its extra files, a zip
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
# A quiz's or written part's answers.json (20 000 characters per written answer, a few questions).
SEQLAB_MAX_ANSWERS_BYTES = env_int("SEQLAB_MAX_ANSWERS_BYTES", 256 * 1024)
# A JSON API body: base64 of the largest upload plus room for names (base64 is 4/3 of the bytes).
SEQLAB_API_MAX_BODY_BYTES = env_int("SEQLAB_API_MAX_BODY_BYTES", SEQLAB_MAX_UPLOAD_BYTES * 4 // 3 + 64 * 1024)
SEQLAB_API_MAX_DEPTH = 8

# A TA may give more than an assignment's total only as an explicit, audited bonus, up to this fraction.
SEQLAB_MAX_BONUS_FRACTION = 0.2

# ---------------------------------------------------------------- fair use (docs/security.md)
# Submissions of one student for one offering that may wait in the queue or run at once.
SEQLAB_MAX_PENDING_PER_STUDENT = env_int("SEQLAB_MAX_PENDING_PER_STUDENT", 2)
# The cool-down a new offering gets unless its instructor sets another (0 = none).
SEQLAB_DEFAULT_COOLDOWN_SECONDS = env_int("SEQLAB_DEFAULT_COOLDOWN_SECONDS", 30)
