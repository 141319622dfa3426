"""The compensation policy's versions: the active one, the checks on a new one, and saving it as the next version.
A version that exists is never changed, so every claim keeps the rules it was computed and decided under."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import is_supervisor
from complaints.compensation.models import CompensationPolicy
from complaints.compensation.numbers import MAX_AMOUNT, decimal_parse, fen
from complaints.compensation.services.inputs import TEXT_MAX_LENGTH
from complaints.errors import InvalidInput, NotAllowed

# The policy's parameters, as a supervisor edits them. Everything else about a version is bookkeeping.
POLICY_FIELDS = (
    "delay_fee_waiver_percent",
    "loss_fee_refund_percent",
    "insured_cap",
    "uninsured_cap_multiple",
    "damage_min_percent",
    "agent_approval_limit",
)


def compensation_policy_active() -> CompensationPolicy:
    policy = CompensationPolicy.objects.filter(is_active=True).first()
    if policy is None:
        raise InvalidInput(_("No compensation policy is active: a supervisor must save one first."))
    return policy


def policy_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def number(name: str) -> Decimal | None:
        try:
            return decimal_parse(values.get(name), name)
        except InvalidInput as error:
            errors[name] = error.fields[name]
            return None

    for name, label in (
        ("delay_fee_waiver_percent", _("share of the fee waived for a delay")),
        ("loss_fee_refund_percent", _("share of the fee refunded for a loss")),
    ):
        value = number(name)
        if value is None and name not in errors:
            errors[name] = [_("Give the %(what)s, from 0 to 100%%.") % {"what": label}]
        elif value is not None and value < 0:
            errors[name] = [_("A share cannot be negative.")]
        elif value is not None and value > 100:
            errors[name] = [_("A share cannot be more than 100%: the fee itself is the most that can be refunded.")]
    multiple = number("uninsured_cap_multiple")
    if multiple is not None and multiple < 1:
        errors["uninsured_cap_multiple"] = [
            _(
                "A cap below 1 × the fee would pay less than the fee refund: use 1 or "
                "more (carriers use 3 to 7), or leave it empty for no cap."
            )
        ]
    elif multiple is not None and multiple > 100:
        errors["uninsured_cap_multiple"] = [_("A cap above 100 × the fee is no cap: leave it empty instead.")]
    damage = number("damage_min_percent")
    if damage is None and "damage_min_percent" not in errors:
        errors["damage_min_percent"] = [_("Give the share of the damaged value paid, above 0 and at most 100%.")]
    elif damage is not None and damage <= 0:
        errors["damage_min_percent"] = [_("Damage must be paid at a percentage above zero of the damaged value.")]
    elif damage is not None and damage > 100:
        errors["damage_min_percent"] = [_("The share of the damaged value paid cannot be more than 100%.")]
    limit = number("agent_approval_limit")
    if limit is None and "agent_approval_limit" not in errors:
        errors["agent_approval_limit"] = [_("Give the agents' approval limit in CNY.")]
    elif limit is not None and limit <= 0:
        errors["agent_approval_limit"] = [_("The limit must be more than zero, or agents could approve nothing.")]
    elif limit is not None and limit >= MAX_AMOUNT:
        errors["agent_approval_limit"] = [_("The limit must be less than %(max)s CNY.") % {"max": f"{MAX_AMOUNT:,.0f}"}]
    for name in (
        "delay_fee_waiver_percent",
        "loss_fee_refund_percent",
        "uninsured_cap_multiple",
        "damage_min_percent",
        "agent_approval_limit",
    ):
        value = number(name) if name not in errors else None
        if value is not None and value != fen(value):
            errors.setdefault(name, []).append(_("Use at most two decimals."))
    return errors


def compensation_policy_save(
    *, policy: CompensationPolicy, actor: User, note: str | None = None, at: datetime | None = None
) -> CompensationPolicy:
    """Make the parameters of `policy` (a new instance, or an existing version edited in memory) the next version
    and the active one. Existing versions are never changed. Saving the active parameters again changes nothing."""
    if not is_supervisor(actor):
        raise NotAllowed(_("Only supervisors can change the compensation policy."))
    values = {name: getattr(policy, name) for name in POLICY_FIELDS}
    errors = policy_errors(values)
    if errors:
        raise InvalidInput(
            _("The compensation policy was not saved: its parameters contradict each other or the standard."),
            fields=errors,
        )
    values = {
        name: (Decimal(str(v)) if name != "insured_cap" and v not in (None, "") else v or None)
        for name, v in values.items()
    }
    values["insured_cap"] = bool(policy.insured_cap)
    note = (policy.note if note is None else note or "").strip()[:TEXT_MAX_LENGTH]
    at = at or timezone.now()
    with transaction.atomic():
        # Lock the active version: two supervisors saving at once get consecutive versions, not a clash.
        current = CompensationPolicy.objects.select_for_update().filter(is_active=True).first()
        if current is not None and all(getattr(current, name) == value for name, value in values.items()):
            return current
        last = CompensationPolicy.objects.aggregate(last=Max("version"))["last"] or 0
        CompensationPolicy.objects.filter(is_active=True).update(is_active=False)
        return CompensationPolicy.objects.create(
            version=last + 1, is_active=True, note=note, created_by=actor, created_at=at, **values
        )
