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
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext as _

from complaints.compensation.choices import Case, MismatchKind
from complaints.compensation.claim_inputs import ClaimInputs, PolicyTerms, validate_inputs
from complaints.compensation.numbers import HUNDRED, fen, fen_exact, money
from complaints.errors import InvalidInput

LANGUAGES = ("zh-hans", "en")


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


def _number(value: Decimal) -> str:
    """37.50 -> 37.5, 100.00 -> 100: percentages and multiples as people say them."""
    text = f"{value.normalize():f}"
    return text


def _days(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


def _line(en: str, zh: str, amount: Decimal | None = None, **params) -> Line:
    return Line(text={"en": en % params, "zh-hans": zh % params}, amount=amount)


# --- the formulas ---------------------------------------------------------------------------------------------------


def _paid_as_loss(inputs: ClaimInputs) -> bool:
    if inputs.case == Case.DELAY:
        return inputs.value_destroyed
    if inputs.case == Case.LOSS or inputs.mismatch_kind == MismatchKind.WRONG_ITEM:
        return True
    return inputs.uses_share and inputs.share == 1


def _why_the_fee_is_needed(inputs: ClaimInputs, terms: PolicyTerms) -> str | None:
    """Why this claim's formula reads the shipping fee, or None when it does not."""
    if inputs.case == Case.DELAY and not inputs.value_destroyed:
        return _("a delay is compensated by waiving the shipping fee")
    if _paid_as_loss(inputs):
        return _("a loss is paid with the shipping fee refunded on top of the value")
    if inputs.insured_value == 0 and terms.uninsured_cap_multiple is not None:
        return _("the cap for uninsured parcels is a multiple of the shipping fee")
    return None


def compute(inputs: ClaimInputs, terms: PolicyTerms) -> Computation:
    """The amount due for a claim under the policy's terms, with its explanation. Raises InvalidInput for inputs
    that contradict each other or the case, and for a claim that needs the shipping fee when it is not recorded."""
    inputs = validate_inputs(inputs)
    why = _why_the_fee_is_needed(inputs, terms) if inputs.shipping_fee is None else None
    if why:
        raise InvalidInput(
            _(
                "The parcel's shipping fee is not recorded, and %(why)s: record the fee on the complaint, then "
                "compute the claim (an unknown fee is not ¥0.00)."
            )
            % {"why": why},
            fields={"shipping_fee": [_("Unknown: record the shipping fee on the complaint first.")]},
            code="shipping_fee_unknown",
        )
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
    if inputs.share == 1:
        return _loss(inputs, terms, _total_share_lead(inputs))
    return _partial_damage(inputs, terms)


def _total_share_lead(inputs: ClaimInputs) -> Line:
    damage = inputs.case == Case.DAMAGE
    if inputs.items_total:
        if damage:
            return _line(
                "All %(n)d items were damaged: total damage is paid as a loss.",
                "%(n)d件内件全部损毁：按快件丢失赔偿。",
                n=inputs.items_total,
            )
        return _line(
            "All %(n)d items are missing: paid as total damage, that is as a loss.",
            "%(n)d件内件全部短少：按完全损毁赔偿，即按快件丢失赔偿。",
            n=inputs.items_total,
        )
    if damage:
        return _line(
            "The parcel was damaged completely (100%%): total damage is paid as a loss.",
            "快件完全损毁（100%%）：按快件丢失赔偿。",
        )
    return _line(
        "The whole quantity is missing (100%%): paid as total damage, that is as a loss.",
        "内件数量全部不符（100%%）：按完全损毁赔偿，即按快件丢失赔偿。",
    )


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


def _share_text(inputs: ClaimInputs) -> str:
    """The share as a factor in a line: 33.33% or 1/3."""
    if inputs.items_total:
        return f"{inputs.items_affected}/{inputs.items_total}"
    return f"{_number(inputs.damaged_share)}%"


def _share_lines(inputs: ClaimInputs, value: Decimal, damaged: Decimal) -> tuple[Line, Line]:
    """The lead and the damaged (or missing) value, for a percentage or item counts."""
    items = bool(inputs.items_total)
    params = {"v": money(value), "f": _share_text(inputs), "d": money(damaged)}
    if inputs.case == Case.DAMAGE and items:
        lead = _line(
            "The parcel was partly damaged (%(k)d of %(n)d items): the damaged share of the value is paid.",
            "快件部分损毁（%(n)d件中损毁%(k)d件）：按损失价值所占比例赔偿。",
            k=inputs.items_affected,
            n=inputs.items_total,
        )
    elif inputs.case == Case.DAMAGE:
        lead = _line(
            "The parcel was partly damaged (%(s)s%% of its value): the damaged share of the value is paid.",
            "快件部分损毁（损失价值占%(s)s%%）：按损失价值所占比例赔偿。",
            s=_number(inputs.damaged_share),
        )
    elif items:
        lead = _line(
            "The quantity is short (%(k)d of %(n)d items missing): paid as partial damage.",
            "内件数量不符（%(n)d件中短少%(k)d件）：按部分损毁赔偿。",
            k=inputs.items_affected,
            n=inputs.items_total,
        )
    else:
        lead = _line(
            "The quantity is short (%(s)s%% of the value is missing): paid as partial damage.",
            "内件数量不符（短少部分占价值的%(s)s%%）：按部分损毁赔偿。",
            s=_number(inputs.damaged_share),
        )
    if inputs.case == Case.DAMAGE:
        share_line = _line(
            "Damaged value: %(v)s × %(f)s = %(d)s.", "损失价值：%(v)s × %(f)s = %(d)s。", damaged, **params
        )
    else:
        share_line = _line(
            "Value of what is missing: %(v)s × %(f)s = %(d)s.",
            "短少部分价值：%(v)s × %(f)s = %(d)s。",
            damaged,
            **params,
        )
    return lead, share_line


def _partial_damage(inputs: ClaimInputs, terms: PolicyTerms) -> Computation:
    """The share of the value (exact: a third is a third), rounded to the fen once, then the policy's share of it,
    capped at the same share of the insured value or of N × the fee."""
    value, value_line = _value_line(inputs)
    share = inputs.share
    damaged = fen_exact(Fraction(value) * share)
    due = fen(damaged * terms.damage_min_percent / HUNDRED)
    lead, share_line = _share_lines(inputs, value, damaged)
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
        cap = fen_exact(Fraction(inputs.insured_value) * share)
        lines.append(
            _line(
                "Insured parcel: at most the same share of the insured value, %(i)s × %(f)s = %(c)s.",
                "保价快件：最高按保价金额的相同比例赔偿，%(i)s × %(f)s = %(c)s。",
                cap,
                i=money(inputs.insured_value),
                f=_share_text(inputs),
                c=money(cap),
            )
        )
    elif inputs.insured_value == 0 and terms.uninsured_cap_multiple is not None:
        cap = fen_exact(Fraction(inputs.shipping_fee) * Fraction(terms.uninsured_cap_multiple) * share)
        lines.append(
            _line(
                "Uninsured parcel: at most the same share of %(n)s × the shipping fee, "
                "%(fee)s × %(n)s × %(f)s = %(c)s.",
                "未保价快件：最高按运费%(n)s倍的相同比例赔偿，%(fee)s × %(n)s × %(f)s = %(c)s。",
                cap,
                n=_number(terms.uninsured_cap_multiple),
                fee=money(inputs.shipping_fee),
                f=_share_text(inputs),
                c=money(cap),
            )
        )
    amount = due if cap is None else min(due, cap)
    if cap is not None:
        lines.append(_cap_line(due, cap, amount))
    lines.append(_total(amount))
    return Computation(amount=amount, basis="partial_damage", lines=tuple(lines))
