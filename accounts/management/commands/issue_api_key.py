"""python manage.py issue_api_key CARRIER_CODE [--name NAME]: a new partner API key, printed once."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Carrier
from accounts.services import api_key_issue


class Command(BaseCommand):
    help = "Issue a partner API key for a carrier. The key is printed once; only its hash is stored."

    def add_arguments(self, parser):
        parser.add_argument("carrier_code", help="The carrier's code, e.g. ZTO.")
        parser.add_argument("--name", default="", help="What the key is for, e.g. ERP.")

    def handle(self, *args, carrier_code: str, name: str, **options):
        try:
            carrier = Carrier.objects.get(code=carrier_code.strip().upper())
        except Carrier.DoesNotExist:
            codes = ", ".join(Carrier.objects.values_list("code", flat=True)) or "none"
            raise CommandError(f"No carrier with code {carrier_code!r}. Known carriers: {codes}.") from None
        key, raw = api_key_issue(carrier=carrier, name=name)
        self.stderr.write(
            f"API key {key.prefix}… for {carrier.code} ({key.name or 'no name'}). "
            "Store it now: it cannot be shown again."
        )
        self.stdout.write(raw)
