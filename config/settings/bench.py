"""The benchmark server of `manage.py bench_api`: the production settings, plus a URLconf that adds a bare DRF
endpoint beside the real ones (config/urls_bench.py). Never deployed; needs the production environment variables,
which bench_api sets for the server it starts."""

from .production import *  # noqa: F401,F403

ROOT_URLCONF = "config.urls_bench"
