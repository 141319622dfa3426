"""What the compensation arithmetic reads: the policy's terms and a claim's inputs, and the check that turns inputs
as given (strings, numbers) into inputs the formulas can use, or says what to fix for every field at fault.

Pure: no database, no clock. Every number passes complaints.compensation.numbers' bounded parsers first.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

from complaints.compensation.choices import Case, MismatchKind
from complaints.compensation.numbers import HUNDRED, MAX_AMOUNT, count_parse, decimal_parse, fen
from complaints.errors import InvalidInput

# The longest delay a claim can state (ten years): more is a typing mistake.
MAX_DAYS_LATE = 3650


@dataclass(frozen=True)
class PolicyTerms:
    """The policy parameters the arithmetic needs (CompensationPolicy.terms())."""

    delay_fee_waiver_percent: Decimal = Decimal("100")
    loss_fee_refund_percent: Decimal = Decimal("100")
    insured_cap: bool = True
    uninsured_cap_multiple: Decimal | None = None
    damage_min_percent: Decimal = Decimal("100")


@dataclass(frozen=True)
class ClaimInputs:
    case: str
    declared_value: Decimal
    insured_value: Decimal
    shipping_fee: Decimal | None  # None: not recorded. Unknown is not ¥0.00: a claim that needs the fee waits for it
    proven_value: Decimal | None = None
    days_late: int = 0
    damaged_share: Decimal | None = None  # percent, 0-100: partial damage, or the missing share of a quantity
    mismatch_kind: str = ""
    value_destroyed: bool = False  # a delay that destroyed the item's value is paid as a loss
    # Or the share as items: so many of so many items damaged or missing (exact: 1 of 3 is a third, not 33.33%).
    items_affected: int | None = None
    items_total: int | None = None

    @property
    def share(self) -> Fraction | None:
        """The damaged (or missing) share of the value, exact: from the item counts, else the percentage."""
        if self.items_total:
            return Fraction(self.items_affected or 0, self.items_total)
        if self.damaged_share is not None:
            return Fraction(self.damaged_share) / 100
        return None

    @property
    def uses_share(self) -> bool:
        """Partial damage and a wrong quantity are paid by the share of the value damaged or missing."""
        return self.case == Case.DAMAGE or (
            self.case == Case.CONTENTS_MISMATCH and self.mismatch_kind == MismatchKind.WRONG_QUANTITY
        )


def _number(value: Any, name: str, errors: dict[str, list[str]]) -> Decimal | None:
    try:
        return decimal_parse(value, name)
    except InvalidInput as error:
        errors.setdefault(name, []).extend(error.fields.get(name, [error.message]))
        return None


def _count(value: Any, name: str, errors: dict[str, list[str]]) -> int | None:
    try:
        return count_parse(value, name)
    except InvalidInput as error:
        errors.setdefault(name, []).extend(error.fields.get(name, [error.message]))
        return None


def _days_late(value: Any, errors: dict[str, list[str]]) -> int:
    days = _count(value, "days_late", errors)
    if "days_late" in errors:
        return -1
    if days is not None and days > MAX_DAYS_LATE:
        errors.setdefault("days_late", []).append(
            _("A delay of more than %(max)d days is a typing mistake: check the number.") % {"max": MAX_DAYS_LATE}
        )
    return days or 0


def _share_errors(inputs: ClaimInputs, share: Decimal | None, affected: int | None, total: int | None, errors) -> None:
    """The share is given one way, as a percentage or as item counts, for the cases paid by a share only."""
    items_given = affected is not None or total is not None
    if share is not None and not (0 <= share <= HUNDRED):
        errors.setdefault("damaged_share", []).append(_("The damaged share is a percentage from 0 to 100."))
    elif share is not None and share != fen(share):
        errors.setdefault("damaged_share", []).append(_("Give the damaged share with at most two decimals."))
    if total is not None and total < 1:
        errors.setdefault("items_total", []).append(_("A parcel has at least 1 item."))
    if affected is not None and total is not None and total >= 1 and affected > total:
        errors.setdefault("items_affected", []).append(
            _("%(affected)d of %(total)d: more items cannot be affected than the parcel held.")
            % {"affected": affected, "total": total}
        )
    if not inputs.uses_share:
        if share is not None and inputs.case in Case.values:
            errors.setdefault("damaged_share", []).append(
                _("A damaged share applies to damage and wrong-quantity claims only.")
            )
        if items_given and inputs.case in Case.values:
            errors.setdefault("items_affected", []).append(
                _("Item counts apply to damage and wrong-quantity claims only.")
            )
        return
    if items_given and share is not None:
        errors.setdefault("damaged_share", []).append(
            _("Give the share either as a percentage or as item counts, not both.")
        )
    elif items_given and (affected is None or total is None):
        missing = "items_total" if total is None else "items_affected"
        errors.setdefault(missing, []).append(
            _("Give both the number of items damaged or missing and the number of items in the parcel.")
        )
    elif items_given and affected == 0:
        errors.setdefault("items_affected", []).append(
            _("No item damaged or missing means there is nothing to compensate.")
        )
    elif not items_given and share is None and "damaged_share" not in errors:
        errors["damaged_share"] = [
            _("Give the damaged (or missing) share of the value, in percent, or the items affected of the items sent.")
        ]
    elif share is not None and share == 0:
        errors.setdefault("damaged_share", []).append(
            _("A damaged share of 0% means nothing was damaged: there is nothing to compensate.")
        )


def validate_inputs(inputs: ClaimInputs) -> ClaimInputs:
    """The inputs with amounts as Decimal and counts as int, or InvalidInput saying what to fix for every field at
    fault."""
    errors: dict[str, list[str]] = {}
    if inputs.case not in Case.values:
        errors["case"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(Case.values)}]
    amounts = {}
    for name in ("declared_value", "insured_value", "shipping_fee", "proven_value"):
        number = _number(getattr(inputs, name), name, errors)
        if number is not None and not (0 <= number < MAX_AMOUNT):
            errors.setdefault(name, []).append(
                _("Amounts are from 0 to less than %(max)s CNY.") % {"max": f"{MAX_AMOUNT:,.0f}"}
            )
        elif number is not None and number != fen(number):
            errors.setdefault(name, []).append(_("Amounts are in yuan and fen: at most two decimals."))
        amounts[name] = number
    share = _number(inputs.damaged_share, "damaged_share", errors)
    affected = _count(inputs.items_affected, "items_affected", errors)
    total = _count(inputs.items_total, "items_total", errors)
    days_late = _days_late(inputs.days_late, errors)

    case = inputs.case
    if case == Case.DELAY and days_late == 0:
        errors.setdefault("days_late", []).append(_("A delay claim needs the number of days late (1 or more)."))
    if inputs.value_destroyed and case != Case.DELAY:
        errors.setdefault("value_destroyed", []).append(
            _("Only a delay can destroy the value; a lost or damaged parcel has its own case.")
        )
    if case == Case.CONTENTS_MISMATCH and inputs.mismatch_kind not in MismatchKind.values:
        errors.setdefault("mismatch_kind", []).append(
            _("Say whether the item or the quantity is wrong: %(choices)s.")
            % {"choices": ", ".join(MismatchKind.values)}
        )
    if case != Case.CONTENTS_MISMATCH and inputs.mismatch_kind:
        errors.setdefault("mismatch_kind", []).append(_("Only a contents-mismatch claim has a mismatch kind."))
    _share_errors(inputs, share, affected, total, errors)
    if errors:
        raise InvalidInput(_("The compensation cannot be computed from these inputs."), fields=errors)
    return ClaimInputs(
        case=case,
        declared_value=amounts["declared_value"] or Decimal("0"),
        insured_value=amounts["insured_value"] or Decimal("0"),
        shipping_fee=amounts["shipping_fee"],
        proven_value=amounts["proven_value"],
        days_late=days_late,
        damaged_share=share,
        mismatch_kind=inputs.mismatch_kind or "",
        value_destroyed=bool(inputs.value_destroyed),
        items_affected=affected,
        items_total=total,
    )
