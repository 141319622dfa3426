"""Settings for a developer's machine and `make run`."""

from .base import *
from .base import derived_fernet_key, env

# The demo data and the benchmark commands.
INSTALLED_APPS = [*INSTALLED_APPS, "complaints.devtools"]
REDRESS_DEVTOOLS = True

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="local-development-only-not-secret")
# Webhook secrets are encrypted at rest with a key derived from SECRET_KEY unless REDRESS_SECRETS_KEY is set.
REDRESS_SECRETS_KEY = env.list("REDRESS_SECRETS_KEY", default=[derived_fernet_key(SECRET_KEY)])
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
# On a developer's machine the webhook receiver is usually on localhost.
REDRESS_WEBHOOK_ALLOW_PRIVATE_HOSTS = env.bool("REDRESS_WEBHOOK_ALLOW_PRIVATE_HOSTS", default=True)
