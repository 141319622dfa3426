"""Settings for the test suite: the same database engine as configured (PostgreSQL in CI), fast hashing."""

from .base import *
from .base import DATABASES, derived_fernet_key, env

INSTALLED_APPS = [*INSTALLED_APPS, "complaints.devtools"]
REDRESS_DEVTOOLS = True

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="test-only-not-secret")
# Webhook secrets are encrypted at rest with a key derived from SECRET_KEY unless REDRESS_SECRETS_KEY is set.
REDRESS_SECRETS_KEY = env.list("REDRESS_SECRETS_KEY", default=[derived_fernet_key(SECRET_KEY)])
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Tests that store files pick the filesystem or the S3-compatible server (tests/fixtures/evidence_storage.py).
    "evidence": EVIDENCE_STORAGE,
}
# Tests always start in Chinese, as the agents do; tests that check English switch explicitly.
LANGUAGE_CODE = "zh-hans"
# Tests run the dispatcher themselves (or through a real worker in the Celery test), never as a side effect.
REDRESS_NUDGE_DISPATCHER = False
# WhiteNoise warns when STATIC_ROOT is missing; tests never collect static files, so point it at an empty folder.
from .base import VAR_DIR  # noqa: E402

STATIC_ROOT = VAR_DIR / "static-test"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# The webhook tests run their receiver on 127.0.0.1; the address guard is tested with this off.
REDRESS_WEBHOOK_ALLOW_PRIVATE_HOSTS = env.bool("REDRESS_WEBHOOK_ALLOW_PRIVATE_HOSTS", default=True)
# Report figures are read from the test database itself (every test reads what it wrote). The router's tests
# (tests/config/test_reports_database.py) switch REDRESS_REPORTS_DATABASE to "reports_replica", a test mirror of the
# default database (a replica that is an exact copy), or to "reports", a second database of its own when
# REPORTS_DATABASE_URL is set (CI sets it).
REDRESS_REPORTS_DATABASE = "default"
if "reports" in DATABASES:
    # Its test database gets its tables from the models, not the migrations: a replica never runs migrations (it
    # receives the primary's schema), and the data migrations address the default database.
    DATABASES["reports"]["TEST"] = {"MIGRATE": False}
DATABASES["reports_replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
