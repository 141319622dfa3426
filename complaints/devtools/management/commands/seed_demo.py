"""`manage.py seed_demo`: demo carriers, users and ~300 complaints with histories. Safe to run again: what exists is
left alone (see complaints/demo.py for how)."""

import time

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints.devtools.demo import LOGIN_URL, seed_demo
from complaints.devtools.guard import DevtoolCommand


class Command(DevtoolCommand):
    help = gettext_lazy(
        "Create demo carriers, users and about 300 complaints from the last six weeks. Running it again creates "
        "nothing new and changes nothing."
    )

    def handle(self, *args, **options):
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
        self.stdout.write(_("Log in at %(url)s") % {"url": LOGIN_URL})
        self.stdout.write(_("Done in %(seconds).1f s.") % {"seconds": elapsed})
