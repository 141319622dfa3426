"""The carrier's share of a claim and the chargeback that charges it back when the claim is paid.

The share is decided when the claim is paid, from the complaint as it stands then: a complaint resolved "carrier not
liable" after the claim was proposed or approved charges the carrier nothing, whatever share the claim carried. A
share set by hand (by the proposer or the approver) is kept unless the carrier was found not liable; otherwise the
carrier is charged the whole amount. The payout's event says which rule decided and what the share had been.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from complaints.compensation.models import Chargeback, CompensationClaim
from complaints.compensation.numbers import money
from complaints.compensation.services.inputs import amount_clean
from complaints.errors import InvalidInput
from complaints.models import Complaint

ZERO = Decimal("0.00")

# Why the carrier is charged what it is charged, as the payout's event records it.
NO_CARRIER = "no_carrier"
CARRIER_NOT_LIABLE = "carrier_not_liable"
SET_BY_HAND = "set_by_hand"
CARRIER_LIABLE = "carrier_liable"
LIABILITY_NOT_DECIDED = "liability_not_decided"


def carrier_share_default(complaint: Complaint, amount: Decimal) -> Decimal:
    """The carrier is liable for the whole amount unless the complaint found it was not (or there is no carrier)."""
    if complaint.carrier_id is None or complaint.carrier_liable is False:
        return ZERO
    return amount


def carrier_share_clean(complaint: Complaint, value: Any, amount: Decimal) -> tuple[Decimal, bool]:
    """The share someone set (0 to the amount; only with a carrier not found blameless) and True, or the default
    and False when they set none."""
    share = amount_clean(value, "carrier_liable_amount")
    if share is None:
        return carrier_share_default(complaint, amount), False
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
    if share > 0 and complaint.carrier_liable is False:
        raise InvalidInput(
            _(
                "Complaint %(ref)s was resolved with the carrier not liable: nothing is charged back to it. If that "
                "finding changed, reopen the complaint and resolve it again."
            )
            % {"ref": complaint.reference},
            fields={"carrier_liable_amount": [_("Enter 0: the carrier was found not liable.")]},
        )
    return share, True


def carrier_share_at_payment(complaint: Complaint, claim: CompensationClaim) -> tuple[Decimal, str]:
    """The share charged back when the claim is paid, and why (one of the basis codes above)."""
    if complaint.carrier_id is None:
        return ZERO, NO_CARRIER
    if complaint.carrier_liable is False:
        return ZERO, CARRIER_NOT_LIABLE
    if claim.carrier_share_set:
        return claim.carrier_liable_amount, SET_BY_HAND
    return claim.amount, CARRIER_LIABLE if complaint.carrier_liable else LIABILITY_NOT_DECIDED


def carrier_share_note(*, complaint: Complaint, share: Decimal, basis: str, before: Decimal) -> str:
    """One sentence for the payout's event: what the carrier is charged back and why."""
    carrier = complaint.carrier.code if complaint.carrier_id else ""
    params = {"carrier": carrier, "amount": money(share), "before": money(before)}
    if basis == NO_CARRIER:
        return _("Nothing is charged back: the complaint has no carrier.")
    if basis == CARRIER_NOT_LIABLE:
        note = _("Nothing is charged back to %(carrier)s: the complaint was resolved with the carrier not liable.")
        if before > 0:
            note += " " + _("Its share had been %(before)s when the claim was decided.")
        return note % params
    if basis == SET_BY_HAND:
        return _("%(amount)s is charged back to %(carrier)s: the share set on the claim.") % params
    if basis == CARRIER_LIABLE:
        return _("%(amount)s is charged back to %(carrier)s: the complaint found the carrier liable.") % params
    return (
        _("%(amount)s is charged back to %(carrier)s: the whole amount, as the complaint has not found it not liable.")
        % params
    )


def chargeback_record(
    *, complaint: Complaint, claim: CompensationClaim, share: Decimal, at: datetime
) -> Chargeback | None:
    """Charge the carrier back its share of a claim being paid (none for a share of 0)."""
    if share > 0 and complaint.carrier_id is not None:
        return Chargeback.objects.create(claim=claim, carrier_id=complaint.carrier_id, amount=share, recorded_at=at)
    return None
