"""`manage.py seed_demo`: demo carriers, users and ~300 complaints, their month lived through with the real sweep,
planners, dispatcher and Monday report (complaints/devtools/demo/month.py). Safe to run again: what exists is left
alone (see complaints/devtools/demo/__init__.py for how). Ends by saying where to log in: on the port in
REDRESS_PORT, the one scripts/run_local.sh serves on, unless --host/--port say otherwise, and how long it took."""

import os
import time

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints.devtools.demo import DEFAULT_HOST, DEFAULT_PORT, login_url, seed_demo
from complaints.devtools.guard import DevtoolCommand


def port(value: str) -> int:
    """A TCP port number; argparse names this function in its error ("invalid port value: 'x'")."""
    number = int(value)
    if not 1 <= number <= 65535:
        raise ValueError(value)
    return number


class Command(DevtoolCommand):
    help = gettext_lazy(
        "Create demo carriers, users and about 300 complaints from the last six weeks, living the weeks through with "
        "the clock sweep, the planners, the outbox dispatcher and the Monday report. Running it again creates nothing "
        "new and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--host",
            default=DEFAULT_HOST,
            help=gettext_lazy("Host of the development server, for the login address printed at the end."),
        )
        parser.add_argument(
            "--port",
            type=port,
            # A string default goes through `type` too, so a bad REDRESS_PORT is refused before anything is seeded.
            default=os.environ.get("REDRESS_PORT") or str(DEFAULT_PORT),
            help=gettext_lazy(
                "Port of the development server, for the login address printed at the end (default: REDRESS_PORT, "
                "else 8000)."
            ),
        )

    def handle(self, *args, **options):
        url = login_url(host=options["host"], port=options["port"])
        started = time.monotonic()
        result = seed_demo()
        elapsed = time.monotonic() - started

        self.stdout.write(
            _("Carriers: %(created)d created, %(existing)d already present.")
            % {"created": result.carriers_created, "existing": result.carriers_existing}
        )
        self.stdout.write(
            _("Users: %(created)d created, %(existing)d already present.")
            % {"created": result.users_created, "existing": result.users_existing}
        )
        self.stdout.write(
            _("Complaints: %(created)d created (%(events)d timeline events), %(existing)d already present.")
            % {
                "created": result.complaints_created,
                "events": result.events_created,
                "existing": result.complaints_existing,
            }
        )
        month = result.month
        if month is not None:
            self.stdout.write(
                _(
                    "The month, lived from %(start)s to now with beat's jobs in between: %(sent)d messages sent, "
                    "%(updates)d progress updates, %(breaches)d breaches, %(escalations)d escalations, %(sms)d "
                    "surveys answered by SMS, %(surges)d surge alerts, %(reports)d weekly reports emailed."
                )
                % {
                    "start": timezone.localtime(month.started_at).strftime("%Y-%m-%d"),
                    "sent": month.messages_sent,
                    "updates": month.progress_updates,
                    "breaches": month.breaches,
                    "escalations": month.escalations,
                    "sms": month.surveys_by_sms,
                    "surges": month.surges,
                    "reports": month.reports_emailed,
                }
            )
        elif result.complaints_existing:
            self.stdout.write(_("The demo month was played before: nothing was added to it."))
        self.stdout.write("")
        self.stdout.write(_("Demo users:"))
        width = max(len(line.username) for line in result.users)
        for line in result.users:
            if line.password_is_demo:
                password = _("password: %(password)s") % {"password": result.password}
            else:
                password = _("password: unchanged (this user existed before and has another password)")
            if line.is_staff:
                access = _("%(role)s: admin") % {"role": line.role.label}
            else:
                access = _("%(role)s %(carrier)s: partner API only, no admin access") % {
                    "role": line.role.label,
                    "carrier": line.carrier or "",
                }
            self.stdout.write(f"  {line.username.ljust(width)}  {password}  ({access})")
        for carrier_code, raw_key in result.api_keys:
            self.stdout.write("")
            self.stdout.write(
                _(
                    "Partner API key for %(carrier)s (shown only now; issue another with "
                    "`manage.py issue_api_key %(carrier)s`): %(key)s"
                )
                % {"carrier": carrier_code, "key": raw_key}
            )
        self.stdout.write("")
        self.stdout.write(_("Log in at %(url)s") % {"url": url})
        self.stdout.write(_("Done in %(seconds).1f s.") % {"seconds": elapsed})
