"""The compensation standard as arithmetic: from a parcel's values, the case and the policy's terms, the amount and
a line-by-line explanation in Chinese and English that an agent can read to the complainant.

Pure: no database, no clock, no active language. Exact Decimal; every line is rounded to the fen (0.01) half up, and
the total is computed from the rounded lines, so what is read out always adds up.

The rules (GB/T 27917.3 and the published commitments, docs/domain.md "Compensation"):
- delay: the shipping fee is waived (the insurance fee is not); a delay that destroyed the value is paid as a loss;
- loss: actual value plus the shipping fee; insured parcels capped at the insured value plus the fee; uninsured
  parcels optionally capped at N × the fee (off by default);
- damage: total damage is paid as a loss; partial damage as the damaged share of the value, at not less than the
  policy's share (100%), capped at the same share of the insured value (or of N × the fee);
- contents mismatch: a wrong item is total damage, a wrong quantity partial damage (the share that is missing).

The explanation is written per language here rather than through gettext: it is read out word for word, like the
message templates under complaints/messages/<language>/, and both versions are stored on the claim.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from complaints.compensation.choices import Case, MismatchKind
from complaints.errors import InvalidInput

FEN = Decimal("0.01")
HUNDRED = Decimal("100")
LANGUAGES = ("zh-hans", "en")
# Mirrors models.MAX_AMOUNT (kept here so the calculator imports no models).
MAX_AMOUNT = Decimal("1000000.00")


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
    shipping_fee: Decimal
    proven_value: Decimal | None = None
    days_late: int = 0
    damaged_share: Decimal | None = None  # percent, 0-100: partial damage, or the missing share of a quantity
    mismatch_kind: str = ""
    value_destroyed: bool = False  # a delay that destroyed the item's value is paid as a loss


@dataclass(frozen=True)
class Line:
    text: dict[str, str]  # language -> sentence
    amount: Decimal | None = None


@dataclass(frozen=True)
class Computation:
    amount: Decimal
    basis: str  # "delay", "loss" or "partial_damage": the formula that was applied
    lines: tuple[Line, ...] = field(default_factory=tuple)

    def explanation(self, language: str) -> list[str]:
        language = language if language in LANGUAGES else "en"
        return [line.text[language] for line in self.lines]

    def as_json(self) -> dict[str, list[str]]:
        return {language: self.explanation(language) for language in LANGUAGES}


# --- formatting -----------------------------------------------------------------------------------------------------


def fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def money(value: Decimal) -> str:
    return f"¥{fen(value):,.2f}"


def _number(value: Decimal) -> str:
    """37.50 -> 37.5, 100.00 -> 100: percentages and multiples as people say them."""
    text = f"{value.normalize():f}"
    return text


def _days(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


def _line(en: str, zh: str, amount: Decimal | None = None, **params) -> Line:
    return Line(text={"en": en % params, "zh-hans": zh % params}, amount=amount)


# --- validation -----------------------------------------------------------------------------------------------------


def _decimal(value, name: str, errors: dict[str, list[str]]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (ArithmeticError, ValueError, TypeError):
        errors.setdefault(name, []).append(_("Enter a number."))
        return None
    if not number.is_finite():
        errors.setdefault(name, []).append(_("Enter a number."))
        return None
    return number


def validate_inputs(inputs: ClaimInputs) -> ClaimInputs:
    """The inputs with amounts as Decimal, or InvalidInput saying what to fix for every field at fault."""
    errors: dict[str, list[str]] = {}
    if inputs.case not in Case.values:
        errors["case"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(Case.values)}]
    amounts = {}
    for name in ("declared_value", "insured_value", "shipping_fee", "proven_value"):
        number = _decimal(getattr(inputs, name), name, errors)
        if number is not None and not (0 <= number < MAX_AMOUNT):
            errors.setdefault(name, []).append(
                _("Amounts are from 0 to less than %(max)s CNY.") % {"max": f"{MAX_AMOUNT:,.0f}"}
            )
        elif number is not None and number != fen(number):
            errors.setdefault(name, []).append(_("Amounts are in yuan and fen: at most two decimals."))
        amounts[name] = number
    share = _decimal(inputs.damaged_share, "damaged_share", errors)
    if share is not None and not (0 <= share <= HUNDRED):
        errors.setdefault("damaged_share", []).append(_("The damaged share is a percentage from 0 to 100."))
    elif share is not None and share != fen(share):
        errors.setdefault("damaged_share", []).append(_("Give the damaged share with at most two decimals."))
    try:
        days_late = int(inputs.days_late or 0)
    except (TypeError, ValueError):
        days_late = -1
    if days_late < 0:
        errors.setdefault("days_late", []).append(_("The number of days late is a whole number, 0 or more."))

    case = inputs.case
    uses_share = case == Case.DAMAGE or (
        case == Case.CONTENTS_MISMATCH and inputs.mismatch_kind == MismatchKind.WRONG_QUANTITY
    )
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
    if uses_share and share is None and "damaged_share" not in errors:
        errors["damaged_share"] = [_("Give the damaged (or missing) share of the value, in percent.")]
    elif uses_share and share is not None and share == 0:
        errors.setdefault("damaged_share", []).append(
            _("A damaged share of 0% means nothing was damaged: there is nothing to compensate.")
        )
    elif not uses_share and share is not None and case in Case.values:
        errors.setdefault("damaged_share", []).append(
            _("A damaged share applies to damage and wrong-quantity claims only.")
        )
    if errors:
        raise InvalidInput(_("The compensation cannot be computed from these inputs."), fields=errors)
    return ClaimInputs(
        case=case,
        declared_value=amounts["declared_value"] or Decimal("0"),
        insured_value=amounts["insured_value"] or Decimal("0"),
        shipping_fee=amounts["shipping_fee"] or Decimal("0"),
        proven_value=amounts["proven_value"],
        days_late=days_late,
        damaged_share=share,
        mismatch_kind=inputs.mismatch_kind or "",
        value_destroyed=bool(inputs.value_destroyed),
    )


# --- the formulas ---------------------------------------------------------------------------------------------------


def compute(inputs: ClaimInputs, terms: PolicyTerms) -> Computation:
    """The amount due for a claim under the policy's terms, with its explanation. Raises InvalidInput for inputs
    that contradict each other or the case."""
    inputs = validate_inputs(inputs)
    case = inputs.case
    if case == Case.DELAY and not inputs.value_destroyed:
        return _delay(inputs, terms)
    if case == Case.DELAY:
        lead = _line(
            "The delay of %(days)s destroyed the item's value: it is paid as a loss.",
            "快件延误%(n)s天，致使内件价值丧失：按快件丢失赔偿。",
            days=_days(inputs.days_late),
            n=inputs.days_late,
        )
        return _loss(inputs, terms, lead)
    if case == Case.LOSS:
        return _loss(
            inputs,
            terms,
            _line(
                "The parcel was lost: its actual value plus the shipping fee is paid.",
                "快件丢失：赔偿实际价值并退还运费。",
            ),
        )
    if case == Case.CONTENTS_MISMATCH and inputs.mismatch_kind == MismatchKind.WRONG_ITEM:
        return _loss(
            inputs,
            terms,
            _line(
                "The contents are not the item shipped: paid as total damage, that is as a loss.",
                "内件品名不符：按完全损毁赔偿，即按快件丢失赔偿。",
            ),
        )
    share = inputs.damaged_share
    if share == HUNDRED:
        if case == Case.DAMAGE:
            lead = _line(
                "The parcel was damaged completely (100%%): total damage is paid as a loss.",
                "快件完全损毁（100%%）：按快件丢失赔偿。",
            )
        else:
            lead = _line(
                "The whole quantity is missing (100%%): paid as total damage, that is as a loss.",
                "内件数量全部不符（100%%）：按完全损毁赔偿，即按快件丢失赔偿。",
            )
        return _loss(inputs, terms, lead)
    return _partial_damage(inputs, terms)


def _value_line(inputs: ClaimInputs) -> tuple[Decimal, Line]:
    if inputs.proven_value is not None:
        value = inputs.proven_value
        return value, _line(
            "Actual value: %(v)s (as proven by the complainant's invoice or receipt).",
            "实际价值：%(v)s（以申请人提供的价值凭证为准）。",
            value,
            v=money(value),
        )
    value = inputs.declared_value
    return value, _line(
        "Actual value: %(v)s (the value declared when shipping; no proof of value was given).",
        "实际价值：%(v)s（按寄件时声明的价值，未提供价值凭证）。",
        value,
        v=money(value),
    )


def _total(amount: Decimal) -> Line:
    return _line("Compensation: %(a)s.", "赔偿金额：%(a)s。", amount, a=money(amount))


def _delay(inputs: ClaimInputs, terms: PolicyTerms) -> Computation:
    fee, share = inputs.shipping_fee, terms.delay_fee_waiver_percent
    amount = fen(fee * share / HUNDRED)
    lines = (
        _line(
            "The parcel was %(days)s late: the shipping fee is waived (the insurance fee is not), per GB/T 27917.3.",
            "快件延误%(n)s天：依据GB/T 27917.3，免除本次服务费用（不含保价等附加费用）。",
            days=_days(inputs.days_late),
            n=inputs.days_late,
        ),
        _line(
            "Shipping fee %(f)s × %(p)s%% = %(a)s.",
            "运费 %(f)s × %(p)s%% = %(a)s。",
            amount,
            f=money(fee),
            p=_number(share),
            a=money(amount),
        ),
        _total(amount),
    )
    return Computation(amount=amount, basis="delay", lines=lines)


def _loss(inputs: ClaimInputs, terms: PolicyTerms, lead: Line) -> Computation:
    value, value_line = _value_line(inputs)
    fee = inputs.shipping_fee
    refund = fen(fee * terms.loss_fee_refund_percent / HUNDRED)
    gross = fen(value) + refund
    lines = [
        lead,
        value_line,
        _line(
            "Shipping fee refunded: %(f)s × %(p)s%% = %(r)s.",
            "退还运费：%(f)s × %(p)s%% = %(r)s。",
            refund,
            f=money(fee),
            p=_number(terms.loss_fee_refund_percent),
            r=money(refund),
        ),
        _line(
            "Value plus fee: %(v)s + %(r)s = %(g)s.",
            "价值加运费：%(v)s + %(r)s = %(g)s。",
            gross,
            v=money(value),
            r=money(refund),
            g=money(gross),
        ),
    ]
    cap = None
    if inputs.insured_value > 0 and terms.insured_cap:
        cap = fen(inputs.insured_value) + refund
        lines.append(
            _line(
                "Insured parcel: at most the insured value plus the fee, %(i)s + %(r)s = %(c)s.",
                "保价快件：最高赔偿保价金额加运费，%(i)s + %(r)s = %(c)s。",
                cap,
                i=money(inputs.insured_value),
                r=money(refund),
                c=money(cap),
            )
        )
    elif inputs.insured_value == 0 and terms.uninsured_cap_multiple is not None:
        cap = fen(fee * terms.uninsured_cap_multiple)
        lines.append(
            _line(
                "Uninsured parcel: at most %(n)s × the shipping fee, %(f)s × %(n)s = %(c)s.",
                "未保价快件：最高赔偿运费的%(n)s倍，%(f)s × %(n)s = %(c)s。",
                cap,
                n=_number(terms.uninsured_cap_multiple),
                f=money(fee),
                c=money(cap),
            )
        )
    amount = gross if cap is None else min(gross, cap)
    if cap is not None:
        lines.append(_cap_line(gross, cap, amount))
    lines.append(_total(amount))
    return Computation(amount=amount, basis="loss", lines=tuple(lines))


def _cap_line(due: Decimal, cap: Decimal, amount: Decimal) -> Line:
    if due <= cap:
        return _line(
            "%(d)s is within the cap of %(c)s.", "%(d)s 未超过上限 %(c)s。", amount, d=money(due), c=money(cap)
        )
    return _line(
        "%(d)s is above the cap of %(c)s: %(c)s is paid.",
        "%(d)s 超过上限 %(c)s：按上限 %(c)s 赔偿。",
        amount,
        d=money(due),
        c=money(cap),
    )


def _partial_damage(inputs: ClaimInputs, terms: PolicyTerms) -> Computation:
    value, value_line = _value_line(inputs)
    share = inputs.damaged_share
    damaged = fen(value * share / HUNDRED)
    due = fen(damaged * terms.damage_min_percent / HUNDRED)
    if inputs.case == Case.DAMAGE:
        lead = _line(
            "The parcel was partly damaged (%(s)s%% of its value): the damaged share of the value is paid.",
            "快件部分损毁（损失价值占%(s)s%%）：按损失价值所占比例赔偿。",
            s=_number(share),
        )
        share_line = _line(
            "Damaged value: %(v)s × %(s)s%% = %(d)s.",
            "损失价值：%(v)s × %(s)s%% = %(d)s。",
            damaged,
            v=money(value),
            s=_number(share),
            d=money(damaged),
        )
    else:
        lead = _line(
            "The quantity is short (%(s)s%% of the value is missing): paid as partial damage.",
            "内件数量不符（短少部分占价值的%(s)s%%）：按部分损毁赔偿。",
            s=_number(share),
        )
        share_line = _line(
            "Value of what is missing: %(v)s × %(s)s%% = %(d)s.",
            "短少部分价值：%(v)s × %(s)s%% = %(d)s。",
            damaged,
            v=money(value),
            s=_number(share),
            d=money(damaged),
        )
    lines = [
        lead,
        value_line,
        share_line,
        _line(
            "Paid at %(p)s%% of that value: %(d)s × %(p)s%% = %(a)s.",
            "按该价值的%(p)s%%赔偿：%(d)s × %(p)s%% = %(a)s。",
            due,
            p=_number(terms.damage_min_percent),
            d=money(damaged),
            a=money(due),
        ),
    ]
    cap = None
    if inputs.insured_value > 0 and terms.insured_cap:
        cap = fen(inputs.insured_value * share / HUNDRED)
        lines.append(
            _line(
                "Insured parcel: at most the same share of the insured value, %(i)s × %(s)s%% = %(c)s.",
                "保价快件：最高按保价金额的相同比例赔偿，%(i)s × %(s)s%% = %(c)s。",
                cap,
                i=money(inputs.insured_value),
                s=_number(share),
                c=money(cap),
            )
        )
    elif inputs.insured_value == 0 and terms.uninsured_cap_multiple is not None:
        cap = fen(inputs.shipping_fee * terms.uninsured_cap_multiple * share / HUNDRED)
        lines.append(
            _line(
                "Uninsured parcel: at most the same share of %(n)s × the shipping fee, "
                "%(f)s × %(n)s × %(s)s%% = %(c)s.",
                "未保价快件：最高按运费%(n)s倍的相同比例赔偿，%(f)s × %(n)s × %(s)s%% = %(c)s。",
                cap,
                n=_number(terms.uninsured_cap_multiple),
                f=money(inputs.shipping_fee),
                s=_number(share),
                c=money(cap),
            )
        )
    amount = due if cap is None else min(due, cap)
    if cap is not None:
        lines.append(_cap_line(due, cap, amount))
    lines.append(_total(amount))
    return Computation(amount=amount, basis="partial_damage", lines=tuple(lines))
