"""Settings for the test suite: the same database engine as configured (PostgreSQL in CI), fast hashing."""

from .base import *
from .base import derived_fernet_key, env

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
