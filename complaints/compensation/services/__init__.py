"""Compensation actions: the policy's versions, and a claim's proposal, decision and payout. The admin and the API
call these (`from complaints.compensation import services; services.claim_propose(...)`).

Every claim action locks the complaint first and then the claim (always in that order, so two actions never wait
on each other), checks the claim's state map (choices.CLAIM_TRANSITIONS), returns quietly when its result already
holds, writes the claim and exactly one ComplaintEvent (through complaints.events.complaint_record_event) and tells
the complainant through the outbox. Bad input is refused with a ServiceError that says what to fix, and nothing is
written.

- policy.py: the policy's versions (compensation_policy_active, compensation_policy_save, policy_errors)
- claims.py: computing, proposing, approving and rejecting a claim
- payouts.py: recording the payout
- shares.py: the carrier's share and its chargeback
- steps.py: what every claim step shares (lock order, state map, event data, the complainant's message)
- inputs.py: amounts and texts as people type them
"""

from complaints.compensation.services.claims import claim_approve, claim_compute, claim_propose, claim_reject
from complaints.compensation.services.inputs import PAYOUT_REFERENCE_MAX_LENGTH, TEXT_MAX_LENGTH
from complaints.compensation.services.payouts import claim_pay
from complaints.compensation.services.policy import (
    POLICY_FIELDS,
    compensation_policy_active,
    compensation_policy_save,
    policy_errors,
)

__all__ = [
    "PAYOUT_REFERENCE_MAX_LENGTH",
    "POLICY_FIELDS",
    "TEXT_MAX_LENGTH",
    "claim_approve",
    "claim_compute",
    "claim_pay",
    "claim_propose",
    "claim_reject",
    "compensation_policy_active",
    "compensation_policy_save",
    "policy_errors",
]
