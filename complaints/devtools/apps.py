from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevtoolsConfig(AppConfig):
    """The demo data and the benchmarks. Installed by the local, test and bench settings only, never in production."""

    name = "complaints.devtools"
    label = "devtools"
    verbose_name = _("Developer tools")
