"""Replaying a complaint's timeline against its SLA policy: the due times always match the history."""

from __future__ import annotations

from django.db import transaction

from complaints.choices import (
    OPEN_STATUSES,
)
from complaints.models import ClockAlert, Complaint, ComplaintEvent, SlaPolicy
from complaints.sla.clocks import (
    compute_clocks,
    next_alert,
    policy_for,
)


def active_policies() -> list[SlaPolicy]:
    return list(
        SlaPolicy.objects.filter(is_active=True)
        .select_related("calendar")
        .prefetch_related("calendar__closures")
        .order_by("position", "id")
    )


def complaint_refresh_clocks(*, complaint: Complaint, policies: list[SlaPolicy] | None = None) -> Complaint:
    """Recompute the complaint's due times from its history and store them (no version bump: nothing a person
    changed). Called inside every action's transaction and when policies change."""
    policies = active_policies() if policies is None else policies
    policy = policy_for(complaint, policies)
    events = list(ComplaintEvent.objects.filter(complaint=complaint).only("kind", "created_at", "data", "actor_role"))
    clocks = compute_clocks(complaint=complaint, events=events, policy=policy)
    recorded = set(ClockAlert.objects.filter(complaint=complaint).values_list("clock", "kind", "due_at"))
    values = clocks.field_values()
    values["next_alert_at"] = next_alert(policy=policy, due=clocks.due, recorded=recorded)
    values["sla_policy"] = policy
    for name, value in values.items():
        setattr(complaint, name, value)
    Complaint.objects.filter(pk=complaint.pk).update(**values)
    return complaint


def complaints_refresh_all_clocks(*, batch_size: int = 500) -> int:
    """Recompute every open complaint (after a policy change). Returns how many were recomputed."""
    policies = active_policies()
    count = 0
    ids = list(Complaint.objects.filter(status__in=OPEN_STATUSES).values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        with transaction.atomic():
            for complaint in Complaint.objects.filter(pk__in=ids[start : start + batch_size]):
                complaint_refresh_clocks(complaint=complaint, policies=policies)
                count += 1
    return count
