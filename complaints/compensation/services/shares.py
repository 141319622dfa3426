"""The carrier's share of a claim and the chargeback that charges it back when the claim is paid."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from complaints.compensation.calculator import money
from complaints.compensation.models import Chargeback, CompensationClaim
from complaints.compensation.services.inputs import amount_clean
from complaints.errors import InvalidInput
from complaints.models import Complaint


def carrier_share_default(complaint: Complaint, amount: Decimal) -> Decimal:
    """The carrier is liable for the whole amount unless the complaint found it was not (or there is no carrier)."""
    if complaint.carrier_id is None or complaint.carrier_liable is False:
        return Decimal("0.00")
    return amount


def carrier_share_clean(complaint: Complaint, value: Any, amount: Decimal) -> Decimal:
    """The share someone set (0 to the amount; only with a carrier), or the default when they set none."""
    share = amount_clean(value, "carrier_liable_amount")
    if share is None:
        return carrier_share_default(complaint, amount)
    if share > amount:
        raise InvalidInput(
            _("The carrier's share (%(share)s) cannot be more than the amount (%(amount)s).")
            % {"share": money(share), "amount": money(amount)},
            fields={"carrier_liable_amount": [_("Enter at most %(amount)s.") % {"amount": amount}]},
        )
    if share > 0 and complaint.carrier_id is None:
        raise InvalidInput(
            _("Complaint %(ref)s has no carrier to charge back.") % {"ref": complaint.reference},
            fields={"carrier_liable_amount": [_("Set the complaint's carrier first, or enter 0.")]},
        )
    return share


def chargeback_record(*, complaint: Complaint, claim: CompensationClaim, at: datetime) -> Chargeback | None:
    """Charge the carrier back its share of a claim being paid (none for a share of 0)."""
    if claim.carrier_liable_amount > 0 and complaint.carrier_id is not None:
        return Chargeback.objects.create(
            claim=claim, carrier_id=complaint.carrier_id, amount=claim.carrier_liable_amount, recorded_at=at
        )
    return None
