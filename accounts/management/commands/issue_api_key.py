"""python manage.py issue_api_key CARRIER_CODE [--name NAME] [--by USERNAME]: a new partner API key, printed once.
The audit trail records who issued it (--by, a staff user), or the system when not given."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Carrier, User
from accounts.services import api_key_issue


class Command(BaseCommand):
    help = "Issue a partner API key for a carrier. The key is printed once; only its hash is stored."

    def add_arguments(self, parser):
        parser.add_argument("carrier_code", help="The carrier's code, e.g. ZTO.")
        parser.add_argument("--name", default="", help="What the key is for, e.g. ERP.")
        parser.add_argument("--by", default="", help="Your admin username, for the audit trail.")

    def handle(self, *args, carrier_code: str, name: str, by: str, **options):
        actor = None
        if by:
            actor = User.objects.filter(username=by.strip(), is_staff=True, is_active=True).first()
            if actor is None:
                raise CommandError(f"No active staff user {by!r}: give your admin username with --by.")
        try:
            carrier = Carrier.objects.get(code=carrier_code.strip().upper())
        except Carrier.DoesNotExist:
            codes = ", ".join(Carrier.objects.values_list("code", flat=True)) or "none"
            raise CommandError(f"No carrier with code {carrier_code!r}. Known carriers: {codes}.") from None
        key, raw = api_key_issue(carrier=carrier, name=name, actor=actor)
        self.stderr.write(
            f"API key {key.prefix}… for {carrier.code} ({key.name or 'no name'}). "
            "Store it now: it cannot be shown again."
        )
        self.stdout.write(raw)
