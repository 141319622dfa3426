"""Compensation actions: the policy's versions, and a claim's proposal, decision and payout.

Every claim action locks the complaint first and then the claim (always in that order, so two actions never wait
on each other), returns quietly when its result already holds, writes the claim and exactly one ComplaintEvent
(through complaints.services.complaint_record_event) and tells the complainant through the outbox. Bad input is
refused with a ServiceError that says what to fix, and nothing is written.

Approval rules (DOMAIN.md): an agent approves or rejects up to the agents' limit of the active policy; above it a
supervisor does. Above the limit the proposer never approves their own claim (another supervisor must). Within the
limit an agent may approve a claim they proposed: that is what the limit is for (a small delay refund settled on
the phone), and every step is on the timeline with who took it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role, is_supervisor, user_role
from complaints.choices import EventKind, MessageKind, Status, Visibility
from complaints.compensation.calculator import ClaimInputs, Computation, compute, fen, money, validate_inputs
from complaints.compensation.choices import Case, ClaimState
from complaints.compensation.models import MAX_AMOUNT, Chargeback, CompensationClaim, CompensationPolicy
from complaints.errors import IllegalTransition, InvalidInput, NotAllowed
from complaints.events import complaint_record_event
from complaints.followups.messages import complainant_message
from complaints.followups.outbox import messages_enqueue
from complaints.guards import complaint_lock
from complaints.guards import instance_sync as _sync
from complaints.models import Complaint

TEXT_MAX_LENGTH = 2000
PAYOUT_REFERENCE_MAX_LENGTH = 64

# The policy's parameters, as a supervisor edits them. Everything else about a version is bookkeeping.
POLICY_FIELDS = (
    "delay_fee_waiver_percent",
    "loss_fee_refund_percent",
    "insured_cap",
    "uninsured_cap_multiple",
    "damage_min_percent",
    "agent_approval_limit",
)


# --- The policy -----------------------------------------------------------------------------------------------------


def compensation_policy_active() -> CompensationPolicy:
    policy = CompensationPolicy.objects.filter(is_active=True).first()
    if policy is None:
        raise InvalidInput(_("No compensation policy is active: a supervisor must save one first."))
    return policy


def policy_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def number(name: str) -> Decimal | None:
        value = values.get(name)
        if value is None or value == "":
            return None
        try:
            value = Decimal(str(value))
        except InvalidOperation:
            errors[name] = [_("Enter a number.")]
            return None
        if not value.is_finite():
            errors[name] = [_("Enter a number.")]
            return None
        return value

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


# --- Proposing ------------------------------------------------------------------------------------------------------


def _amount(value: Any, name: str, *, required: bool = False) -> Decimal | None:
    if value is None or value == "":
        if required:
            raise InvalidInput(_("Give the amount."), fields={name: [_("This field is required.")]})
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        number = None
    if number is None or not number.is_finite():
        raise InvalidInput(_("%(value)s is not an amount.") % {"value": value}, fields={name: [_("Enter a number.")]})
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


def _text(value: str | None, name: str) -> str:
    value = (value or "").strip()
    if len(value) > TEXT_MAX_LENGTH:
        raise InvalidInput(
            _("The %(field)s is too long.") % {"field": _(name)},
            fields={name: [_("Keep it under %(max)d characters.") % {"max": TEXT_MAX_LENGTH}]},
        )
    return value


def _default_carrier_share(complaint: Complaint, amount: Decimal) -> Decimal:
    """The carrier is liable for the whole amount unless the complaint found it was not (or there is no carrier)."""
    if complaint.carrier_id is None or complaint.carrier_liable is False:
        return Decimal("0.00")
    return amount


def _carrier_share(complaint: Complaint, value: Any, amount: Decimal) -> Decimal:
    share = _amount(value, "carrier_liable_amount")
    if share is None:
        return _default_carrier_share(complaint, amount)
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


def _check_proposer(complaint: Complaint, actor: User | None) -> None:
    role = user_role(actor)
    if role == Role.CARRIER:
        if actor.carrier_id != complaint.carrier_id:
            raise NotAllowed(_("A carrier can propose compensation only on complaints about its own parcels."))
        return
    if role == Role.SYSTEM or not actor.is_active or not actor.is_staff:
        raise NotAllowed(_("Only agents, supervisors and the complaint's carrier can propose compensation."))


def _inputs(
    complaint: Complaint,
    *,
    case: str,
    proven_value: Any,
    days_late: Any,
    damaged_share: Any,
    mismatch_kind: str,
    value_destroyed: bool,
) -> ClaimInputs:
    return ClaimInputs(
        case=case,
        declared_value=complaint.declared_value,
        insured_value=complaint.insured_value,
        shipping_fee=complaint.shipping_fee,
        proven_value=proven_value,
        days_late=days_late,
        damaged_share=damaged_share,
        mismatch_kind=mismatch_kind or "",
        value_destroyed=bool(value_destroyed),
    )


def claim_compute(
    *,
    complaint: Complaint,
    case: str,
    policy: CompensationPolicy | None = None,
    proven_value: Any = None,
    days_late: Any = 0,
    damaged_share: Any = None,
    mismatch_kind: str = "",
    value_destroyed: bool = False,
) -> Computation:
    """What the policy pays for this case on this complaint, with the explanation (nothing is written)."""
    policy = policy or compensation_policy_active()
    return compute(
        _inputs(
            complaint,
            case=case,
            proven_value=proven_value,
            days_late=days_late,
            damaged_share=damaged_share,
            mismatch_kind=mismatch_kind,
            value_destroyed=value_destroyed,
        ),
        policy.terms(),
    )


def claim_propose(
    *,
    complaint: Complaint,
    actor: User,
    case: str,
    proposed_amount: Any = None,
    reason: str = "",
    proven_value: Any = None,
    days_late: Any = 0,
    damaged_share: Any = None,
    mismatch_kind: str = "",
    value_destroyed: bool = False,
    carrier_liable_amount: Any = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> CompensationClaim:
    """Propose compensation: the amount is computed under the active policy; a different proposed amount needs a
    reason. One live claim per complaint and case; proposing the same claim again returns it."""
    _check_proposer(complaint, actor)
    reason = _text(reason, "reason")
    proposed = _amount(proposed_amount, "proposed_amount")
    at = at or timezone.now()
    with transaction.atomic():
        fresh = complaint_lock(complaint=complaint, expected_version=expected_version)
        _check_proposer(fresh, actor)  # the carrier may have changed since the caller loaded the complaint
        if fresh.status == Status.CLOSED:
            raise IllegalTransition(
                _("Complaint %(ref)s is closed: reopen it before proposing compensation.") % {"ref": fresh.reference}
            )
        policy = compensation_policy_active()
        validated = validate_inputs(
            _inputs(
                fresh,
                case=case,
                proven_value=proven_value,
                days_late=days_late,
                damaged_share=damaged_share,
                mismatch_kind=mismatch_kind,
                value_destroyed=value_destroyed,
            )
        )
        computation = compute(validated, policy.terms())
        amount = computation.amount if proposed is None else proposed
        if amount != computation.amount and not reason:
            raise InvalidInput(
                _("The proposed amount (%(proposed)s) differs from the computed one (%(computed)s): say why.")
                % {"proposed": money(amount), "computed": money(computation.amount)},
                fields={"reason": [_("Give the reason for the different amount.")]},
            )
        share = _carrier_share(fresh, carrier_liable_amount, amount)
        existing = (
            CompensationClaim.objects.select_for_update()
            .filter(complaint=fresh, case=case, state__in=(ClaimState.PROPOSED, ClaimState.APPROVED, ClaimState.PAID))
            .first()
        )
        if existing is not None:
            if (
                existing.state == ClaimState.PROPOSED
                and existing.proposed_amount == amount
                and existing.inputs() == validated
                and existing.proposed_by_id == actor.pk
            ):
                return existing  # the same proposal again (a retry): nothing new
            raise IllegalTransition(
                _(
                    "Complaint %(ref)s already has a %(case)s claim (%(state)s, %(amount)s). Decide that one first; "
                    "a rejected claim can be proposed again."
                )
                % {
                    "ref": fresh.reference,
                    "case": Case(case).label,
                    "state": ClaimState(existing.state).label,
                    "amount": money(existing.amount),
                },
                code="claim_exists",
            )
        claim = CompensationClaim.objects.create(
            complaint=fresh,
            case=case,
            state=ClaimState.PROPOSED,
            declared_value=fresh.declared_value,
            insured_value=fresh.insured_value,
            shipping_fee=fresh.shipping_fee,
            proven_value=validated.proven_value,
            days_late=validated.days_late,
            damaged_share=validated.damaged_share,
            mismatch_kind=validated.mismatch_kind,
            value_destroyed=validated.value_destroyed,
            computed_amount=computation.amount,
            proposed_amount=amount,
            carrier_liable_amount=share,
            explanation=computation.as_json(),
            reason=reason,
            policy=policy,
            proposed_by=actor,
            proposed_at=at,
        )
        complaint_record_event(
            complaint=fresh,
            kind=EventKind.COMPENSATION_PROPOSED,
            actor=actor,
            visibility=Visibility.INTERNAL,
            at=at,
            message="\n".join(computation.explanation(fresh.language)) + (f"\n{reason}" if reason else ""),
            data=_event_data(claim),
        )
    return claim


# --- Deciding -------------------------------------------------------------------------------------------------------


def _lock_claim(claim: CompensationClaim) -> tuple[Complaint, CompensationClaim]:
    """Lock the claim's complaint, then the claim: the order every claim action uses."""
    complaint = complaint_lock(complaint=claim.complaint)
    fresh = CompensationClaim.objects.select_for_update(of=("self",)).select_related("policy").get(pk=claim.pk)
    return complaint, fresh


def _check_decider(
    claim: CompensationClaim, actor: User | None, policy: CompensationPolicy, *, approving: bool
) -> None:
    role = user_role(actor)
    if role not in (Role.AGENT, Role.SUPERVISOR) or not actor.is_active or not actor.is_staff:
        raise NotAllowed(_("Only agents and supervisors decide compensation."))
    limit = policy.agent_approval_limit
    if claim.proposed_amount <= limit:
        return
    if role != Role.SUPERVISOR:
        raise NotAllowed(
            _("%(amount)s is above the agents' limit of %(limit)s: a supervisor decides this claim.")
            % {"amount": money(claim.proposed_amount), "limit": money(limit)},
            code="above_limit",
        )
    if approving and claim.proposed_by_id == actor.pk:
        raise NotAllowed(
            _(
                "You proposed this claim, and %(amount)s is above the agents' limit of %(limit)s: another supervisor "
                "must approve it."
            )
            % {"amount": money(claim.proposed_amount), "limit": money(limit)},
            code="own_claim_above_limit",
        )


def claim_approve(
    *,
    claim: CompensationClaim,
    actor: User,
    carrier_liable_amount: Any = None,
    note: str = "",
    at: datetime | None = None,
) -> CompensationClaim:
    """Approve the proposed amount (under the active policy's limit), and tell the complainant."""
    note = _text(note, "note")
    at = at or timezone.now()
    with transaction.atomic():
        complaint, fresh = _lock_claim(claim)
        if fresh.state in (ClaimState.APPROVED, ClaimState.PAID):
            return _sync(claim, fresh)
        if fresh.state != ClaimState.PROPOSED:
            raise IllegalTransition(_("This claim was rejected; it cannot be approved. Propose it again instead."))
        policy = compensation_policy_active()
        _check_decider(fresh, actor, policy, approving=True)
        share = (
            fresh.carrier_liable_amount
            if carrier_liable_amount in (None, "")
            else _carrier_share(complaint, carrier_liable_amount, fresh.proposed_amount)
        )
        fresh.state = ClaimState.APPROVED
        fresh.approved_amount = fresh.proposed_amount
        fresh.carrier_liable_amount = share
        fresh.decision_policy = policy
        fresh.decided_by = actor
        fresh.decided_at = at
        fresh.decision_note = note
        fresh.save(
            update_fields=[
                "state",
                "approved_amount",
                "carrier_liable_amount",
                "decision_policy",
                "decided_by",
                "decided_at",
                "decision_note",
            ]
        )
        complaint_record_event(
            complaint=complaint,
            kind=EventKind.COMPENSATION_APPROVED,
            actor=actor,
            visibility=Visibility.PUBLIC,
            at=at,
            message=note,
            data=_event_data(fresh),
        )
        _notify(complaint, fresh, decision="approved", now=at)
    return _sync(claim, fresh)


def claim_reject(
    *, claim: CompensationClaim, actor: User, reason: str, at: datetime | None = None
) -> CompensationClaim:
    """Refuse the claim, saying why (the complainant is told)."""
    reason = _text(reason, "reason")
    if not reason:
        raise InvalidInput(
            _("Say why the claim is rejected: the complainant is told."),
            fields={"reason": [_("This field is required.")]},
        )
    at = at or timezone.now()
    with transaction.atomic():
        complaint, fresh = _lock_claim(claim)
        if fresh.state == ClaimState.REJECTED:
            return _sync(claim, fresh)
        if fresh.state != ClaimState.PROPOSED:
            raise IllegalTransition(
                _("This claim is already %(state)s; it can no longer be rejected.")
                % {"state": ClaimState(fresh.state).label}
            )
        policy = compensation_policy_active()
        _check_decider(fresh, actor, policy, approving=False)
        fresh.state = ClaimState.REJECTED
        fresh.decision_policy = policy
        fresh.decided_by = actor
        fresh.decided_at = at
        fresh.decision_note = reason
        fresh.save(update_fields=["state", "decision_policy", "decided_by", "decided_at", "decision_note"])
        complaint_record_event(
            complaint=complaint,
            kind=EventKind.COMPENSATION_REJECTED,
            actor=actor,
            visibility=Visibility.PUBLIC,
            at=at,
            message=reason,
            data=_event_data(fresh),
        )
        _notify(complaint, fresh, decision="rejected", now=at)
    return _sync(claim, fresh)


# --- Paying ---------------------------------------------------------------------------------------------------------


def claim_pay(
    *, claim: CompensationClaim, actor: User, payout_reference: str, at: datetime | None = None
) -> CompensationClaim:
    """Record the payout of an approved claim, once: a second payout is refused, and a payout reference is never
    recorded twice. The carrier's share is charged back to it."""
    role = user_role(actor)
    if role not in (Role.AGENT, Role.SUPERVISOR) or not actor.is_active or not actor.is_staff:
        raise NotAllowed(_("Only agents and supervisors record payouts."))
    reference = (payout_reference or "").strip()
    if not reference:
        raise InvalidInput(
            _("Give the payout reference of the transfer."), fields={"payout_reference": [_("This field is required.")]}
        )
    if len(reference) > PAYOUT_REFERENCE_MAX_LENGTH or not reference.isprintable():
        raise InvalidInput(
            _("A payout reference is at most %(max)d printable characters.") % {"max": PAYOUT_REFERENCE_MAX_LENGTH},
            fields={"payout_reference": [_("Check the reference.")]},
        )
    at = at or timezone.now()
    with transaction.atomic():
        complaint, fresh = _lock_claim(claim)
        if fresh.state == ClaimState.PAID:
            if fresh.payout_reference == reference:
                return _sync(claim, fresh)  # the same payout recorded again (a retry): nothing new
            raise IllegalTransition(
                _("This claim was already paid on %(date)s (reference %(ref)s): it cannot be paid twice.")
                % {"date": timezone.localtime(fresh.paid_at).strftime("%Y-%m-%d %H:%M"), "ref": fresh.payout_reference},
                code="already_paid",
            )
        if fresh.state != ClaimState.APPROVED:
            raise IllegalTransition(
                _("Only an approved claim can be paid; this one is %(state)s.")
                % {"state": ClaimState(fresh.state).label}
            )
        duplicate = _duplicate_reference_error(reference)
        if CompensationClaim.objects.filter(payout_reference=reference).exists():
            raise duplicate
        fresh.state = ClaimState.PAID
        fresh.payout_reference = reference
        fresh.paid_at = at
        fresh.paid_by = actor
        try:
            with transaction.atomic():
                fresh.save(update_fields=["state", "payout_reference", "paid_at", "paid_by"])
        except IntegrityError as error:
            # Another payout took the same reference at the same moment (the unique index waited for it).
            raise duplicate from error
        if fresh.carrier_liable_amount > 0 and complaint.carrier_id is not None:
            Chargeback.objects.create(
                claim=fresh, carrier_id=complaint.carrier_id, amount=fresh.carrier_liable_amount, recorded_at=at
            )
        complaint_record_event(
            complaint=complaint,
            kind=EventKind.COMPENSATION_PAID,
            actor=actor,
            visibility=Visibility.PUBLIC,
            at=at,
            data=_event_data(fresh),
        )
        _notify(complaint, fresh, decision="paid", now=at)
    return _sync(claim, fresh)


def _duplicate_reference_error(reference: str) -> InvalidInput:
    return InvalidInput(
        _(
            "Payout reference %(ref)s is already recorded for another claim: a transfer pays one claim only. Check the "
            "reference."
        )
        % {"ref": reference},
        fields={"payout_reference": [_("This reference is already recorded.")]},
        code="duplicate_payout_reference",
    )


# --- Helpers --------------------------------------------------------------------------------------------------------


def _event_data(claim: CompensationClaim) -> dict:
    return {
        "claim": claim.pk,
        "case": claim.case,
        "state": claim.state,
        "computed_amount": str(claim.computed_amount),
        "proposed_amount": str(claim.proposed_amount),
        "approved_amount": str(claim.approved_amount) if claim.approved_amount is not None else None,
        "carrier_liable_amount": str(claim.carrier_liable_amount),
        "policy_version": claim.policy.version,
        **({"decision_policy_version": claim.decision_policy.version} if claim.decision_policy_id else {}),
        **({"payout_reference": claim.payout_reference} if claim.payout_reference else {}),
    }


def _notify(complaint: Complaint, claim: CompensationClaim, *, decision: str, now: datetime) -> None:
    """The complainant hears of the approval (amount and how it was computed), the rejection (why) and the payout
    (reference), in their language; one message per claim and step."""
    language = complaint.language
    with translation.override(language):
        case_label = str(Case(claim.case).label)
    context = {
        "decision": decision,
        "case": claim.case,
        "case_label": case_label,
        "amount": money(claim.amount),
        "lines": (claim.explanation or {}).get(language) or (claim.explanation or {}).get("en") or [],
        "reason": claim.decision_note,
        "payout_reference": claim.payout_reference,
    }
    messages_enqueue(
        [
            complainant_message(
                complaint=complaint,
                kind=MessageKind.COMPENSATION_DECISION,
                period=f"claim{claim.pk}:{decision}",
                context=context,
                now=now,
            )
        ]
    )
