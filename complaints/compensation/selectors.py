"""Reads about compensation. The admin and the API ask these instead of building queries themselves."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from complaints.compensation.models import Chargeback, CompensationClaim, CompensationPolicy


def agent_approval_limit() -> Decimal | None:
    """The active policy's limit above which a supervisor decides (None when no policy is active)."""
    return CompensationPolicy.objects.filter(is_active=True).values_list("agent_approval_limit", flat=True).first()


def claims_for_complaint(*, complaint) -> QuerySet[CompensationClaim]:
    return (
        CompensationClaim.objects.filter(complaint=complaint)
        .select_related("policy", "proposed_by", "decided_by")
        .order_by("-proposed_at", "-id")
    )


def chargeback_totals(*, queryset: QuerySet[Chargeback] | None = None) -> list[dict]:
    """Per carrier: how many chargebacks and their total, largest first (of `queryset`, default all)."""
    queryset = Chargeback.objects.all() if queryset is None else queryset
    return list(
        queryset.order_by()
        .values("carrier_id", "carrier__code", "carrier__name_zh", "carrier__name_en")
        .annotate(count=Count("id"), total=Sum("amount"))
        .order_by("-total", "carrier__code")
    )
