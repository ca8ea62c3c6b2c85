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
    "seqlab.blobs",
    "seqlab.accounts",
    "seqlab.courses",
    "seqlab.submissions",
    "seqlab.gradebook",
    "seqlab.insight",
    "seqlab.api",
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
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

# ---------------------------------------------------------------- Celery (see config/celery.py)
REDIS_URL = env_str("REDIS_URL")
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
        "schedule": float(env_int("SEQLAB_SWEEP_EVERY", 60)),
        "options": {"queue": "cpu"},
    },
}

# ---------------------------------------------------------------- grading
SEQLAB_ASSIGNMENTS_DIR = Path(env_str("SEQLAB_ASSIGNMENTS_DIR", str(REPO_ROOT / "assignments")))
SEQLAB_CACHE_DIR = Path(env_str("SEQLAB_CACHE_DIR", str(VAR_DIR / "assignment-cache")))
SEQLAB_ENGINE = env_str("SEQLAB_ENGINE", "graders.engine.Engine")
SEQLAB_MAX_UPLOAD_BYTES = env_int("SEQLAB_MAX_UPLOAD_BYTES", 2 * 1024 * 1024)
SEQLAB_GRADE_RETRIES = env_int("SEQLAB_GRADE_RETRIES", 5)
# A queued/running submission older than its wall limit plus this is presumed lost.
SEQLAB_STUCK_AFTER_SECONDS = env_int("SEQLAB_STUCK_AFTER_SECONDS", 300)
DATA_UPLOAD_MAX_MEMORY_SIZE = SEQLAB_MAX_UPLOAD_BYTES + 64 * 1024
