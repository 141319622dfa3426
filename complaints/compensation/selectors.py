"""Reads about compensation. The admin and the API ask these instead of building queries themselves."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from complaints.compensation.choices import CLAIM_TRANSITIONS, ClaimState
from complaints.compensation.models import Chargeback, CompensationClaim, CompensationPolicy

# Each step of a claim from the admin's point of view: the state it leads to and the permission it needs.
CLAIM_ACTIONS: dict[str, tuple[str, str]] = {
    "approve": (ClaimState.APPROVED, "compensation.decide_compensationclaim"),
    "reject": (ClaimState.REJECTED, "compensation.decide_compensationclaim"),
    "pay": (ClaimState.PAID, "compensation.pay_compensationclaim"),
}


def agent_approval_limit() -> Decimal | None:
    """The active policy's limit above which a supervisor decides (None when no policy is active)."""
    return CompensationPolicy.objects.filter(is_active=True).values_list("agent_approval_limit", flat=True).first()


def claim_actions_for(*, claim: CompensationClaim, user) -> list[str]:
    """The steps the claim's state allows (the state map, choices.CLAIM_TRANSITIONS) that the user's permissions
    cover, in the order of CLAIM_ACTIONS. Whether the amount is within the user's limit is the service's to say."""
    allowed = CLAIM_TRANSITIONS[claim.state]
    return [
        name for name, (target, permission) in CLAIM_ACTIONS.items() if target in allowed and user.has_perm(permission)
    ]


def chargeback_totals(*, queryset: QuerySet[Chargeback] | None = None) -> list[dict]:
    """Per carrier: how many chargebacks and their total, largest first (of `queryset`, default all)."""
    queryset = Chargeback.objects.all() if queryset is None else queryset
    return list(
        queryset.order_by()
        .values("carrier_id", "carrier__code", "carrier__name_zh", "carrier__name_en")
        .annotate(count=Count("id"), total=Sum("amount"))
        .order_by("-total", "carrier__code")
    )
