"""vcdesk settings: everything configurable comes from environment variables (see README)."""

from pathlib import Path

import dj_database_url

from vcdesk.env import env_bool, env_int, env_list, env_str, secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VCDESK_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("VCDESK_DEBUG", False)
SECRET_KEY = secret_key(VAR_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("VCDESK_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "vcdesk.core",
    "vcdesk.calendars",
    "vcdesk.customers",
    "vcdesk.accounts",
    "vcdesk.assets",
    "vcdesk.contracts",
    "vcdesk.service",
    "vcdesk.spares",
    "vcdesk.rma",
    "vcdesk.surveys",
    "vcdesk.feedback",
    "vcdesk.portal",
    "vcdesk.assurance",
    "vcdesk.inspections",
    "vcdesk.notify",
    "vcdesk.dashboard",
    "vcdesk.demo",
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
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "vcdesk.urls"
WSGI_APPLICATION = "vcdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "vcdesk" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# Database: SQLite (WAL) by default, PostgreSQL when DATABASE_URL says so.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'vcdesk.sqlite3'}"),
        conn_max_age=env_int("VCDESK_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # Connections are kept (CONN_MAX_AGE) as on PostgreSQL: opening the file again costs every
    # request the connection, the PRAGMAs, the schema and a cold page cache. In WAL mode and
    # autocommit an idle kept connection holds no lock.
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web processes read while the worker writes; IMMEDIATE takes the
        # write lock at BEGIN so concurrent writers queue instead of failing mid-transaction.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-vcdesk.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["vcdesk.accounts.auth.RoleModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Chinese first, English available; stored in UTC, shown in Asia/Shanghai.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "vcdesk" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "vcdesk" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The tasks `manage.py run_scheduler` enqueues every round (each is an idempotent sweep).
# An app that sweeps adds its task's dotted path here.
VCDESK_PERIODIC_TASKS = [
    "vcdesk.service.tasks.sweep_clocks",
    "vcdesk.notify.tasks.notifications_redrive",
    "vcdesk.surveys.tasks.sweep_survey_milestones",
    "vcdesk.feedback.tasks.sweep_overdue_issues",
    "vcdesk.inspections.tasks.sweep_inspections",
]
NINJA_PAGINATION_PER_PAGE = env_int("VCDESK_API_PAGE_SIZE", 50)
NINJA_PAGINATION_MAX_LIMIT = env_int("VCDESK_API_MAX_LIMIT", 500)

# Outgoing e-mail: written to var/mail/ unless an SMTP server is configured.
EMAIL_BACKEND = env_str(
    "VCDESK_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("VCDESK_EMAIL_HOST", "")
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env_str("VCDESK_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("VCDESK_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("VCDESK_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("VCDESK_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("VCDESK_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("VCDESK_FROM_EMAIL", "vcdesk@localhost")
# The integrator, as printed on forms.
VCDESK_COMPANY_NAME = env_str("VCDESK_COMPANY_NAME", "vcdesk 售后服务中心")
# The integrator's hotline as printed on forms (公司内部: 电话, 传真, E-mail).
VCDESK_COMPANY_PHONE = env_str("VCDESK_COMPANY_PHONE", "")
VCDESK_COMPANY_FAX = env_str("VCDESK_COMPANY_FAX", "")
VCDESK_COMPANY_EMAIL = env_str("VCDESK_COMPANY_EMAIL", "")
# Links in notifications point here.
VCDESK_BASE_URL = env_str("VCDESK_BASE_URL", "http://127.0.0.1:8000")
# A clock warns once this share of its span has passed.
VCDESK_CLOCK_WARNING_SHARE = float(env_str("VCDESK_CLOCK_WARNING_SHARE", "0.8"))
# A meeting with more participating sites than this gets two senior engineers (R6.2).
VCDESK_ASSURANCE_SECOND_ENGINEER_SITES = env_int("VCDESK_ASSURANCE_SECOND_ENGINEER_SITES", 5)
# An engineer is reminded of an inspection this many days before it is due (R5.1).
VCDESK_INSPECTION_REMIND_DAYS = env_int("VCDESK_INSPECTION_REMIND_DAYS", 7)
# Largest photo or file attached to a checklist item.
VCDESK_INSPECTION_UPLOAD_MAX_MB = env_int("VCDESK_INSPECTION_UPLOAD_MAX_MB", 10)

# Page sizes: lists are always paginated.
VCDESK_PAGE_SIZE = env_int("VCDESK_PAGE_SIZE", 50)
VCDESK_API_TOKEN_DAYS = env_int("VCDESK_API_TOKEN_DAYS", 30)
VCDESK_DEMO_PASSWORD = env_str("VCDESK_DEMO_PASSWORD", "vcdesk-demo")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("VCDESK_LOG_LEVEL", "WARNING")},
}
