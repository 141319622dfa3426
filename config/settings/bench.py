"""The benchmark server of `manage.py bench_api`: the production settings, plus a URLconf that adds a bare DRF
endpoint beside the real ones (complaints/devtools/urls_bench.py). Never deployed; needs the production environment
variables, which bench_api sets for the server it starts."""

from .production import *

INSTALLED_APPS = [*INSTALLED_APPS, "complaints.devtools"]
REDRESS_DEVTOOLS = True
ROOT_URLCONF = "complaints.devtools.urls_bench"
