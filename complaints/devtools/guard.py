"""The demo creates users with a published password and the benchmarks load millions of rows: never by accident on a
production database."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


def refuse_outside_development(*, command: str, forced: bool = False) -> None:
    """Raise CommandError unless the settings enable the developer tools (local, test and bench settings do), or the
    operator passed the explicit flag."""
    if forced or getattr(settings, "REDRESS_DEVTOOLS", False):
        return
    raise CommandError(
        _(
            "%(command)s is a developer tool and these settings are not a developer's (REDRESS_DEVTOOLS is off). "
            "Use config.settings.local, or pass --i-know-this-is-not-production."
        )
        % {"command": command}
    )


class DevtoolCommand(BaseCommand):
    """A management command that refuses to run outside development unless forced."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument(
            "--i-know-this-is-not-production",
            action="store_true",
            dest="force_devtools",
            help=_("Run even though REDRESS_DEVTOOLS is off."),
        )
        return parser

    def execute(self, *args, **options):
        refuse_outside_development(command=self.__module__.rsplit(".", 1)[-1], forced=options.get("force_devtools"))
        return super().execute(*args, **options)
