"""What every step of a claim shares: the lock order, the state map, the event's data and the complainant's message."""

from __future__ import annotations

from datetime import datetime

from django.utils import translation

from complaints.choices import MessageKind
from complaints.compensation.choices import CLAIM_TRANSITIONS, Case
from complaints.compensation.models import CompensationClaim
from complaints.compensation.numbers import money
from complaints.errors import IllegalTransition
from complaints.followups.messages import complainant_message
from complaints.followups.outbox import messages_enqueue
from complaints.guards import complaint_lock
from complaints.models import Complaint


def claim_lock(claim: CompensationClaim) -> tuple[Complaint, CompensationClaim]:
    """Lock the claim's complaint, then the claim: the order every claim action uses, so two never wait on each
    other."""
    complaint = complaint_lock(complaint=claim.complaint)
    fresh = CompensationClaim.objects.select_for_update(of=("self",)).select_related("policy").get(pk=claim.pk)
    return complaint, fresh


def claim_check_transition(fresh: CompensationClaim, to_state: str, *, refusal: str) -> None:
    """Refuse a step the state map (choices.CLAIM_TRANSITIONS) does not allow from the claim's state, saying why."""
    if to_state not in CLAIM_TRANSITIONS[fresh.state]:
        raise IllegalTransition(refusal)


def claim_event_data(claim: CompensationClaim, **extra) -> dict:
    """The data of a claim's event: the amounts and the policy versions (and what a step adds)."""
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
        **extra,
    }


def claim_notify(complaint: Complaint, claim: CompensationClaim, *, decision: str, now: datetime) -> None:
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
