"""Settings shared by every environment. Everything that differs between machines comes from the environment."""

import base64
import hashlib
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(BASE_DIR / ".env", overwrite=False)

# Where the embedded defaults keep their files: the SQLite database, the filesystem broker, beat's schedule.
VAR_DIR = Path(env.str("REDRESS_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# --- Core -----------------------------------------------------------------------------------------------------------
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "complaints",
    "complaints.compensation",
    "complaints.macros",
    "reports",
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
    # Errors under /api/ that DRF does not see (500s, bodies too large for Django) in the API's JSON error shape.
    "complaints.partners.api.exceptions.ApiErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

# --- Database -------------------------------------------------------------------------------------------------------
# SQLite by default so that `make run` needs no server; PostgreSQL when DATABASE_URL is set.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'redress.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for the lock instead of failing at once when web, worker and beat write together.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The weekly report's computation reads from a read replica when REPORTS_DATABASE_URL is set (reports/routers.py,
# docs/scaling.md); every write still goes to DATABASE_URL. Unset, the reports read the primary like everything else.
REPORTS_DATABASE_URL = env.str("REPORTS_DATABASE_URL", default="")
if REPORTS_DATABASE_URL:
    DATABASES["reports"] = env.db_url("REPORTS_DATABASE_URL")
    DATABASES["reports"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
# The alias the report computation reads from.
REDRESS_REPORTS_DATABASE = "reports" if REPORTS_DATABASE_URL else "default"
DATABASE_ROUTERS = ["reports.routers.ReportsRouter"]

# --- Auth -----------------------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "admin:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation -------------------------------------------------------------------------------------------
LANGUAGE_CODE = env.str("DJANGO_LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Carriers work every day: every clock counts calendar hours in this zone.
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Email ----------------------------------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="Redress <noreply@redress.local>")

# --- Celery ---------------------------------------------------------------------------------------------------------
# Redis when REDIS_URL is set. Otherwise kombu's filesystem transport: messages are files in a folder that web,
# worker and beat share, so `make run` needs no broker server.
REDIS_URL = env.str("REDIS_URL", default="")
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Longer than any task's hard time limit, so a running task is never delivered twice.
        "visibility_timeout": 3600,
        # A Redis that hangs (accepts connections, never answers) fails a command after this long instead of holding
        # it forever: enqueueing from a web request fails fast (and is left to beat). More than kombu's 1 s BRPOP
        # timeout, so the worker's waiting for tasks never times out.
        "socket_connect_timeout": 2,
        "socket_timeout": 2,
    }
    # One retry (a connection Redis closed under us is opened again), not celery's three: with the timeouts above a
    # publish to a hung Redis fails within a few seconds.
    CELERY_TASK_PUBLISH_RETRY_POLICY = {
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.2,
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    for _folder in ("queue", "processed", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A Redis outage never stops the worker (config/broker_outage.py; README, "Outages and supervision"): it retries the
# broker for as long as it takes (celery's default gives up after 100 attempts, about 45 minutes, and exits).
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A task running when Redis drops is left to finish (cancelling it could stop the dispatcher between sending an SMS
# and marking it sent); its message is delivered again after the reconnection, and the tasks are idempotent.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# Queues by workload (docs/scaling.md), so that a slow SMS gateway, a slow webhook receiver or a long report never
# delays the minute's clock sweep. Tasks are routed by their stable names; everything else (the planners, the clocks'
# refresh after a policy change, the purge) goes to the default queue. A worker started without -Q consumes every
# queue below (`make run`'s one worker); docker-compose.yml runs one worker service per queue, each scalable.
CELERY_TASK_DEFAULT_QUEUE = "celery"
REDRESS_QUEUES = ("celery", "clocks", "outbox", "webhooks", "reports")
CELERY_TASK_QUEUES = [Queue(name, Exchange(name), routing_key=name) for name in REDRESS_QUEUES]
CELERY_TASK_ROUTES = {
    "redress.sweep_clocks": {"queue": "clocks"},
    "redress.dispatch_outbox": {"queue": "outbox"},
    "redress.dispatch_webhooks": {"queue": "webhooks"},
    "redress.weekly_report_send": {"queue": "reports"},
    "redress.surge_check": {"queue": "reports"},
    "redress.report_rollup": {"queue": "reports"},
}
# One beat sends the schedule (config/beat.py): it holds a lock in Redis (a file lock with the filesystem broker) and
# renews it on every tick; a second beat stands by and takes over within REDRESS_BEAT_LOCK_SECONDS of the first one
# dying (at once when the first one stops cleanly).
CELERY_BEAT_SCHEDULER = "config.beat:LockedScheduler"
REDRESS_BEAT_LOCK_SECONDS = env.int("REDRESS_BEAT_LOCK_SECONDS", default=30)

# --- Redress --------------------------------------------------------------------------------------------------------
# A declared value at or above this (CNY) marks a complaint high-risk.
REDRESS_HIGH_VALUE_THRESHOLD = env.str("REDRESS_HIGH_VALUE_THRESHOLD", default="5000.00")
# A complaint about the same waybill or from the same phone within this many days is a repeat.
REDRESS_REPEAT_WINDOW_DAYS = env.int("REDRESS_REPEAT_WINDOW_DAYS", default=30)
# Password that seed_demo gives the demo users (only ever used for demo data).
REDRESS_DEMO_PASSWORD = env.str("REDRESS_DEMO_PASSWORD", default="redress-demo-2026")
# The demo data and benchmark commands (complaints.devtools) run only where this is on: local, test and bench settings.
REDRESS_DEVTOOLS = False

# --- DRF ------------------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # The partner API (complaints.partners.api): carriers' keys, JSON only, one error shape, a rate per carrier.
    "DEFAULT_AUTHENTICATION_CLASSES": ["complaints.partners.api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["complaints.partners.api.authentication.IsCarrier"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["complaints.partners.api.throttling.CarrierRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"carrier": env.str("REDRESS_API_RATE", default="600/minute")},
    "EXCEPTION_HANDLER": "complaints.partners.api.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Redress partner API",
    "VERSION": "1.0.0",
    "DESCRIPTION": "Carriers read, answer and forward the complaints about their parcels. See docs/api.md.",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two choice sets are called "kind" (an event's and an evidence file's): each gets its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "EventKindEnum": "complaints.choices.EventKind",
        "EvidenceKindEnum": "complaints.evidence.choices.EvidenceKind",
    },
}
# A usable API key is kept this many seconds in the cache (accounts/keycache.py): most requests then make no query for
# it. Revoking drops it at once; a carrier or user deactivated meanwhile is refused within this time. 0: no cache.
REDRESS_API_KEY_CACHE_SECONDS = env.int("REDRESS_API_KEY_CACHE_SECONDS", default=10)
# Largest request body the partner API accepts (bytes); larger gets 413.
REDRESS_API_MAX_BODY_BYTES = env.int("REDRESS_API_MAX_BODY_BYTES", default=64 * 1024)
# Idempotency keys are kept at least 24 h; the sweep deletes them after this many hours.
REDRESS_IDEMPOTENCY_KEEP_HOURS = env.int("REDRESS_IDEMPOTENCY_KEEP_HOURS", default=48)

# --- Cache ----------------------------------------------------------------------------------------------------------
# Rate limits and the dispatcher nudges live here: Redis when REDIS_URL is set (shared by every web process), else this
# process's memory. Nothing in it is needed to serve a request: when Redis is down or hangs, a request waits at most
# this long for it (instead of redis-py's 5 s, or forever for a hung server), then goes on without it
# (complaints/partners/api/throttling.py counts in the process; nudges are left to beat).
REDRESS_CACHE_TIMEOUT_SECONDS = env.float("REDRESS_CACHE_TIMEOUT_SECONDS", default=0.25)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "redress",
            "OPTIONS": {
                "socket_connect_timeout": REDRESS_CACHE_TIMEOUT_SECONDS,
                "socket_timeout": REDRESS_CACHE_TIMEOUT_SECONDS,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- Follow-ups -----------------------------------------------------------------------------------------------------
# Links in messages to complainants point here.
REDRESS_PUBLIC_BASE_URL = env.str("REDRESS_PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
REDRESS_STATUS_LINK_DAYS = env.int("REDRESS_STATUS_LINK_DAYS", default=60)
REDRESS_SURVEY_LINK_DAYS = env.int("REDRESS_SURVEY_LINK_DAYS", default=14)
# The revisit: a satisfaction survey this many days after resolution, one reminder this many days later.
REDRESS_SURVEY_AFTER_DAYS = env.int("REDRESS_SURVEY_AFTER_DAYS", default=3)
REDRESS_SURVEY_REMINDER_AFTER_DAYS = env.int("REDRESS_SURVEY_REMINDER_AFTER_DAYS", default=3)
# No SMS in these local hours (the complainant's time zone); they wait for the morning.
REDRESS_QUIET_HOURS_START = env.int("REDRESS_QUIET_HOURS_START", default=21)
REDRESS_QUIET_HOURS_END = env.int("REDRESS_QUIET_HOURS_END", default=9)
REDRESS_COMPLAINANT_TIME_ZONE = env.str("REDRESS_COMPLAINANT_TIME_ZONE", default=TIME_ZONE)
# Who hears about warnings and breaches when nobody owns the complaint, per escalation level.
REDRESS_ESCALATION_RECIPIENTS = {
    0: env.str("REDRESS_AGENTS_EMAIL", default="agents@redress.local"),
    1: env.str("REDRESS_SUPERVISORS_EMAIL", default="supervisors@redress.local"),
    2: env.str("REDRESS_COMPLAINT_CENTRE_EMAIL", default="complaint-centre@redress.local"),
}
# SMS: "complaints.followups.sms.FileBackend" (default, writes to REDRESS_SMS_FILE_DIR),
# "complaints.followups.sms.ConsoleBackend", or "complaints.followups.sms.HttpGatewayBackend" with
# REDRESS_SMS_GATEWAY_URL and REDRESS_SMS_GATEWAY_TOKEN.
REDRESS_SMS_BACKEND = env.str("REDRESS_SMS_BACKEND", default="complaints.followups.sms.FileBackend")
REDRESS_SMS_FILE_DIR = env.str("REDRESS_SMS_FILE_DIR", default=str(VAR_DIR / "sms"))
REDRESS_SMS_GATEWAY_URL = env.str("REDRESS_SMS_GATEWAY_URL", default="")
REDRESS_SMS_GATEWAY_TOKEN = env.str("REDRESS_SMS_GATEWAY_TOKEN", default="")
# Inbound SMS (the gateway's uplink callback, POST /callbacks/sms/<aliyun|generic>/; docs/channels.md): the gateway
# signs the raw body with this secret (X-Redress-Signature: sha256=<hex HMAC-SHA256>), or, if it cannot sign
# (Aliyun's push), calls the URL with ?token=<REDRESS_SMS_INBOUND_TOKEN>. Both empty: every callback is refused.
REDRESS_SMS_INBOUND_SECRET = env.str("REDRESS_SMS_INBOUND_SECRET", default="")
REDRESS_SMS_INBOUND_TOKEN = env.str("REDRESS_SMS_INBOUND_TOKEN", default="")
# Inbound email (docs/channels.md, "Inbound email"). Emails to complainants carry Reply-To:
# reply+<signed token>@REDRESS_INBOUND_EMAIL_DOMAIN when it is set (empty: no Reply-To, and no token to read).
REDRESS_INBOUND_EMAIL_DOMAIN = env.str("REDRESS_INBOUND_EMAIL_DOMAIN", default="")
# Replies come in through a provider's inbound webhook (POST /callbacks/email/<provider>/, through django-anymail):
# "mailgun" (a route forwarding to that URL, each POST signed with the webhook signing key), or empty (off: the URL
# answers 403).
REDRESS_INBOUND_EMAIL_PROVIDER = env.str("REDRESS_INBOUND_EMAIL_PROVIDER", default="")
REDRESS_INBOUND_EMAIL_MAILGUN_SIGNING_KEY = env.str("REDRESS_INBOUND_EMAIL_MAILGUN_SIGNING_KEY", default="")
# Optional: HTTP basic auth too ("user:password", put in the URL given to Mailgun: https://user:password@host/…).
# Mailgun's signature covers its timestamp and token, not the body, so a captured signature could be replayed with
# another body; a secret in the URL, over HTTPS, closes that. django-anymail checks it before the signature.
REDRESS_INBOUND_EMAIL_WEBHOOK_SECRET = env.str("REDRESS_INBOUND_EMAIL_WEBHOOK_SECRET", default="")
ANYMAIL = {"WEBHOOK_SECRET": REDRESS_INBOUND_EMAIL_WEBHOOK_SECRET} if REDRESS_INBOUND_EMAIL_WEBHOOK_SECRET else {}
# ...and/or from a mailbox polled over IMAP by beat every minute (REDRESS_IMAP_HOST empty: not polled).
REDRESS_IMAP_HOST = env.str("REDRESS_IMAP_HOST", default="")
REDRESS_IMAP_SSL = env.bool("REDRESS_IMAP_SSL", default=True)
REDRESS_IMAP_PORT = env.int("REDRESS_IMAP_PORT", default=993 if REDRESS_IMAP_SSL else 143)
REDRESS_IMAP_USER = env.str("REDRESS_IMAP_USER", default="")
REDRESS_IMAP_PASSWORD = env.str("REDRESS_IMAP_PASSWORD", default="")
REDRESS_IMAP_MAILBOX = env.str("REDRESS_IMAP_MAILBOX", default="INBOX")
# Processed mails are marked \Seen; with a folder name here they are moved there instead.
REDRESS_IMAP_MOVE_TO = env.str("REDRESS_IMAP_MOVE_TO", default="")
# Every IMAP command waits at most this long; one run takes at most this many mails (the next run takes the rest).
REDRESS_IMAP_TIMEOUT_SECONDS = env.float("REDRESS_IMAP_TIMEOUT_SECONDS", default=30)
REDRESS_IMAP_MAX_PER_RUN = env.int("REDRESS_IMAP_MAX_PER_RUN", default=100)
# A larger inbound email (webhook body or IMAP message) is refused unread: 5 files of 10 MB, encoded, and the text.
REDRESS_INBOUND_EMAIL_MAX_BYTES = env.int("REDRESS_INBOUND_EMAIL_MAX_BYTES", default=75 * 1024 * 1024)
# The dispatcher tries a message this many times, waiting longer each time, then marks it failed and alerts staff.
REDRESS_MESSAGE_MAX_ATTEMPTS = env.int("REDRESS_MESSAGE_MAX_ATTEMPTS", default=5)
REDRESS_MESSAGE_RETRY_BASE_SECONDS = env.int("REDRESS_MESSAGE_RETRY_BASE_SECONDS", default=60)
# One dispatcher run stops claiming messages after this many seconds (each send may wait 10 s more), well inside the
# task's soft time limit (CELERY_TASK_SOFT_TIME_LIMIT); the next run takes the rest.
REDRESS_OUTBOX_TIME_BUDGET_SECONDS = env.float("REDRESS_OUTBOX_TIME_BUDGET_SECONDS", default=120)
# A message still "sending" after this long belongs to a worker that died mid-send: it is given back to the queue
# (one send takes seconds; only the message being sent is ever "sending").
REDRESS_MESSAGE_STUCK_AFTER_SECONDS = env.float("REDRESS_MESSAGE_STUCK_AFTER_SECONDS", default=300)
# An SMTP server that does not answer fails the attempt after this many seconds instead of holding the dispatcher.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# Enqueue the dispatcher right after a message is saved (otherwise beat's minute sweep sends it).
REDRESS_NUDGE_DISPATCHER = env.bool("REDRESS_NUDGE_DISPATCHER", default=True)

CELERY_BEAT_SCHEDULE = {
    "clocks-sweep": {"task": "redress.sweep_clocks", "schedule": 60.0},
    "progress-updates": {"task": "redress.plan_progress_updates", "schedule": 60.0},
    "revisits": {"task": "redress.plan_revisits", "schedule": 60.0},
    "dispatch-outbox": {"task": "redress.dispatch_outbox", "schedule": 60.0},
    "dispatch-webhooks": {"task": "redress.dispatch_webhooks", "schedule": 60.0},
    "purge-idempotency-keys": {"task": "redress.purge_idempotency_keys", "schedule": 3600.0},
}
if REDRESS_IMAP_HOST:
    CELERY_BEAT_SCHEDULE["poll-imap"] = {"task": "redress.poll_imap", "schedule": 60.0}

# Webhooks to carriers: each POST waits this long for an answer; a failed delivery is retried after 1 min, 2, 4…
# (capped), for this many hours after the event, then marked failed (an agent can replay it in the admin).
REDRESS_WEBHOOK_TIMEOUT_SECONDS = env.int("REDRESS_WEBHOOK_TIMEOUT_SECONDS", default=10)
REDRESS_WEBHOOK_RETRY_BASE_SECONDS = env.int("REDRESS_WEBHOOK_RETRY_BASE_SECONDS", default=60)
REDRESS_WEBHOOK_RETRY_MAX_SECONDS = env.int("REDRESS_WEBHOOK_RETRY_MAX_SECONDS", default=3600)
REDRESS_WEBHOOK_RETRY_HOURS = env.int("REDRESS_WEBHOOK_RETRY_HOURS", default=24)
# A carrier's webhook URL must reach the internet: private, loopback and link-local addresses (this network, cloud
# metadata) are refused unless this is on (a developer's machine, tests with a local receiver).
REDRESS_WEBHOOK_ALLOW_PRIVATE_HOSTS = env.bool("REDRESS_WEBHOOK_ALLOW_PRIVATE_HOSTS", default=False)
# After "Rotate the signing secret" in the admin, deliveries are signed with the new and the old secret this long.
REDRESS_WEBHOOK_SECRET_OVERLAP_HOURS = env.int("REDRESS_WEBHOOK_SECRET_OVERLAP_HOURS", default=24)


def derived_fernet_key(text: str) -> str:
    """A Fernet key derived from a passphrase: local and test settings derive theirs from SECRET_KEY."""
    return base64.urlsafe_b64encode(hashlib.sha256(f"redress-secrets:{text}".encode()).digest()).decode()


# Fernet keys (comma-separated) encrypting the secrets stored in the database (webhook signing secrets): the first
# encrypts, all decrypt. Required in production (see README); generate one with
# python3 -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())'
REDRESS_SECRETS_KEY = env.list("REDRESS_SECRETS_KEY", default=[])

# --- Evidence files (complaints/evidence, docs/channels.md) ---------------------------------------------------------
# Files attached to complaints have their own storage, STORAGES["evidence"], and are never served from a public URL.
# The local filesystem under REDRESS_VAR_DIR by default (`make run` needs nothing); an S3-compatible bucket (through
# django-storages) when REDRESS_EVIDENCE_S3_BUCKET is set. Keys left empty fall back to boto3's own credential chain.
REDRESS_EVIDENCE_DIR = Path(env.str("REDRESS_EVIDENCE_DIR", default=str(VAR_DIR / "evidence")))
REDRESS_EVIDENCE_S3_BUCKET = env.str("REDRESS_EVIDENCE_S3_BUCKET", default="")
if REDRESS_EVIDENCE_S3_BUCKET:
    _s3 = {
        "endpoint_url": env.str("REDRESS_EVIDENCE_S3_ENDPOINT_URL", default=""),
        "region_name": env.str("REDRESS_EVIDENCE_S3_REGION", default=""),
        "access_key": env.str("REDRESS_EVIDENCE_S3_ACCESS_KEY_ID", default=""),
        "secret_key": env.str("REDRESS_EVIDENCE_S3_SECRET_ACCESS_KEY", default=""),
    }
    EVIDENCE_STORAGE = {
        "BACKEND": "complaints.evidence.storage.EvidenceS3Storage",
        "OPTIONS": {
            "bucket_name": REDRESS_EVIDENCE_S3_BUCKET,
            "location": env.str("REDRESS_EVIDENCE_S3_PREFIX", default="evidence"),
            # No ACL header: objects are private by default, and buckets with ACLs disabled (AWS's default since 2023,
            # "bucket owner enforced") refuse any canned ACL but bucket-owner-full-control.
            "default_acl": None,
            # Every object gets a new random name, so nothing is overwritten and no existence check is needed.
            "file_overwrite": True,
            **{name: value for name, value in _s3.items() if value},
            # A custom endpoint (MinIO, moto, a cloud's S3-compatible service) is addressed by path.
            **({"addressing_style": "path"} if _s3["endpoint_url"] else {}),
        },
    }
else:
    EVIDENCE_STORAGE = {
        "BACKEND": "complaints.evidence.storage.EvidenceFileSystemStorage",
        "OPTIONS": {"location": str(REDRESS_EVIDENCE_DIR)},
    }
STORAGES["evidence"] = EVIDENCE_STORAGE
# Limits: a file's size, the files of one complaint and of one message, a picture's pixels (decoded at most; bigger
# is a decompression bomb and refused) and its longest side as stored (bigger is scaled down).
REDRESS_EVIDENCE_MAX_FILE_BYTES = env.int("REDRESS_EVIDENCE_MAX_FILE_BYTES", default=10 * 1024 * 1024)
REDRESS_EVIDENCE_MAX_FILES_PER_COMPLAINT = env.int("REDRESS_EVIDENCE_MAX_FILES_PER_COMPLAINT", default=20)
REDRESS_EVIDENCE_MAX_FILES_PER_MESSAGE = env.int("REDRESS_EVIDENCE_MAX_FILES_PER_MESSAGE", default=5)
REDRESS_EVIDENCE_MAX_PIXELS = env.int("REDRESS_EVIDENCE_MAX_PIXELS", default=64_000_000)
REDRESS_EVIDENCE_MAX_SIDE = env.int("REDRESS_EVIDENCE_MAX_SIDE", default=4096)

# The weekly report: built and emailed to supervisors on Monday at 08:00 local time (CELERY_TIMEZONE = TIME_ZONE);
# the later hourly runs that Monday are a catch-up if beat was down at 08:00 (the email goes once per week).
# The surge check runs hourly; an alert goes once per carrier, category and day.
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE["weekly-report-email"] = {
    "task": "redress.weekly_report_send",
    "schedule": crontab(minute=0, hour="8-23", day_of_week="mon"),
}
CELERY_BEAT_SCHEDULE["surge-check"] = {"task": "redress.surge_check", "schedule": crontab(minute=10)}
# The report's daily roll-up counts each day once it is over (and again after a change reaches it).
CELERY_BEAT_SCHEDULE["report-rollup"] = {"task": "redress.report_rollup", "schedule": 300.0}
