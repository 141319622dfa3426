"""A claim's proposal and decision: computed under the active policy, proposed (at another amount only with a
reason), then approved or rejected by someone allowed to at that amount.

Approval rules (docs/domain.md): an agent approves or rejects up to the agents' limit of the active policy; above it a
supervisor does. Above the limit the proposer never approves their own claim (another supervisor must). Within the
limit an agent may approve a claim they proposed: that is what the limit is for (a small delay refund settled on
the phone), and every step is on the timeline with who took it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role, user_role
from complaints.choices import EventKind, Status, Visibility
from complaints.compensation.calculator import ClaimInputs, Computation, compute, validate_inputs
from complaints.compensation.choices import LIVE_STATES, Case, ClaimState
from complaints.compensation.models import CompensationClaim, CompensationPolicy
from complaints.compensation.numbers import money
from complaints.compensation.services.inputs import amount_clean, text_clean
from complaints.compensation.services.policy import compensation_policy_active
from complaints.compensation.services.shares import carrier_share_clean, carrier_share_default
from complaints.compensation.services.steps import claim_check_transition, claim_event_data, claim_lock, claim_notify
from complaints.errors import IllegalTransition, InvalidInput, NotAllowed
from complaints.events import complaint_record_event
from complaints.evidence.models import Evidence
from complaints.guards import complaint_lock, instance_sync
from complaints.models import Complaint

# --- Proposing ------------------------------------------------------------------------------------------------------


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
    items_affected: Any,
    items_total: Any,
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
        items_affected=items_affected,
        items_total=items_total,
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
    items_affected: Any = None,
    items_total: Any = None,
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
            items_affected=items_affected,
            items_total=items_total,
        ),
        policy.terms(),
    )


def _cited_evidence(complaint: Complaint, evidence: Sequence[Evidence]) -> list[Evidence]:
    wanted = {item.pk for item in evidence}
    cited = list(Evidence.objects.filter(pk__in=wanted, complaint=complaint).visible())
    if len(cited) != len(wanted):
        raise InvalidInput(
            _("A claim can cite only files of its own complaint that are not hidden."),
            fields={"evidence": [_("Choose among the complaint's files.")]},
        )
    return cited


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
    items_affected: Any = None,
    items_total: Any = None,
    carrier_liable_amount: Any = None,
    evidence: Sequence[Evidence] = (),
    expected_version: int | None = None,
    at: datetime | None = None,
) -> CompensationClaim:
    """Propose compensation: the amount is computed under the active policy; a different proposed amount needs a
    reason. One live claim per complaint and case; proposing the same claim again returns it. `evidence`: the
    complaint's files the claim relies on (none an agent hid)."""
    _check_proposer(complaint, actor)
    reason = text_clean(reason, "reason")
    proposed = amount_clean(proposed_amount, "proposed_amount")
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
                items_affected=items_affected,
                items_total=items_total,
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
        share, share_set = carrier_share_clean(fresh, carrier_liable_amount, amount)
        existing = (
            CompensationClaim.objects.select_for_update()
            .filter(complaint=fresh, case=case, state__in=LIVE_STATES)
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
        cited = _cited_evidence(fresh, evidence)
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
            items_affected=validated.items_affected,
            items_total=validated.items_total,
            computed_amount=computation.amount,
            proposed_amount=amount,
            carrier_liable_amount=share,
            carrier_share_set=share_set,
            explanation=computation.as_json(),
            reason=reason,
            policy=policy,
            proposed_by=actor,
            proposed_at=at,
        )
        claim.evidence.set(cited)
        complaint_record_event(
            complaint=fresh,
            kind=EventKind.COMPENSATION_PROPOSED,
            actor=actor,
            visibility=Visibility.INTERNAL,
            at=at,
            message="\n".join(computation.explanation(fresh.language)) + (f"\n{reason}" if reason else ""),
            data=claim_event_data(claim),
        )
    return claim


# --- Deciding -------------------------------------------------------------------------------------------------------


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
    note = text_clean(note, "note")
    at = at or timezone.now()
    with transaction.atomic():
        complaint, fresh = claim_lock(claim)
        if fresh.state in (ClaimState.APPROVED, ClaimState.PAID):
            return instance_sync(claim, fresh)
        claim_check_transition(
            fresh,
            ClaimState.APPROVED,
            refusal=_("This claim was rejected; it cannot be approved. Propose it again instead."),
        )
        policy = compensation_policy_active()
        _check_decider(fresh, actor, policy, approving=True)
        if carrier_liable_amount not in (None, ""):
            share, share_set = carrier_share_clean(complaint, carrier_liable_amount, fresh.proposed_amount)
        elif fresh.carrier_share_set:
            share, share_set = fresh.carrier_liable_amount, True
        else:  # the default, from the complaint's finding as it stands now (the payout decides again)
            share, share_set = carrier_share_default(complaint, fresh.proposed_amount), False
        fresh.state = ClaimState.APPROVED
        fresh.approved_amount = fresh.proposed_amount
        fresh.carrier_liable_amount = share
        fresh.carrier_share_set = share_set
        fresh.decision_policy = policy
        fresh.decided_by = actor
        fresh.decided_at = at
        fresh.decision_note = note
        fresh.save(
            update_fields=[
                "state",
                "approved_amount",
                "carrier_liable_amount",
                "carrier_share_set",
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
            data=claim_event_data(fresh),
        )
        claim_notify(complaint, fresh, decision="approved", now=at)
    return instance_sync(claim, fresh)


def claim_reject(
    *, claim: CompensationClaim, actor: User, reason: str, at: datetime | None = None
) -> CompensationClaim:
    """Refuse the claim, saying why (the complainant is told)."""
    reason = text_clean(reason, "reason")
    if not reason:
        raise InvalidInput(
            _("Say why the claim is rejected: the complainant is told."),
            fields={"reason": [_("This field is required.")]},
        )
    at = at or timezone.now()
    with transaction.atomic():
        complaint, fresh = claim_lock(claim)
        if fresh.state == ClaimState.REJECTED:
            return instance_sync(claim, fresh)
        claim_check_transition(
            fresh,
            ClaimState.REJECTED,
            refusal=_("This claim is already %(state)s; it can no longer be rejected.")
            % {"state": ClaimState(fresh.state).label},
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
            data=claim_event_data(fresh),
        )
        claim_notify(complaint, fresh, decision="rejected", now=at)
    return instance_sync(claim, fresh)
