"""What people type into compensation's steps (amounts, reasons, notes), checked before anything is locked or
written: a refusal says what to fix, per field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from complaints.compensation.numbers import MAX_AMOUNT, decimal_parse, fen
from complaints.errors import InvalidInput

TEXT_MAX_LENGTH = 2000
PAYOUT_REFERENCE_MAX_LENGTH = 64


def amount_clean(value: Any, name: str, *, required: bool = False) -> Decimal | None:
    """An amount in CNY (0 to less than MAX_AMOUNT, to the fen), or None when not given. The number is bounded
    (numbers.decimal_parse) before it is compared or formatted."""
    number = decimal_parse(value, name)
    if number is None:
        if required:
            raise InvalidInput(_("Give the amount."), fields={name: [_("This field is required.")]})
        return None
    if number < 0:
        raise InvalidInput(_("An amount cannot be negative."), fields={name: [_("Enter 0 or more.")]})
    if number >= MAX_AMOUNT:
        raise InvalidInput(
            _("%(amount)s is not a plausible compensation for a parcel (the bound is %(max)s CNY): check the amount.")
            % {"amount": f"{number:,.2f}", "max": f"{MAX_AMOUNT:,.0f}"},
            fields={name: [_("Enter less than %(max)s.") % {"max": f"{MAX_AMOUNT:,.0f}"}]},
        )
    if number != fen(number):
        raise InvalidInput(
            _("Amounts are in yuan and fen: at most two decimals."), fields={name: [_("Use at most two decimals.")]}
        )
    return number


def text_clean(value: str | None, name: str) -> str:
    value = (value or "").strip()
    if len(value) > TEXT_MAX_LENGTH:
        raise InvalidInput(
            _("The %(field)s is too long.") % {"field": _(name)},
            fields={name: [_("Keep it under %(max)d characters.") % {"max": TEXT_MAX_LENGTH}]},
        )
    return value
