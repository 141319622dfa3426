"""Helpers for compensation tests: claims are made through the services, as in production."""

from decimal import Decimal

from complaints.compensation import services
from complaints.compensation.models import CompensationPolicy
from tests.factories import SupervisorFactory, make_complaint


def active_policy() -> CompensationPolicy:
    return CompensationPolicy.objects.get(is_active=True)


def new_policy_version(**changes) -> CompensationPolicy:
    """The active policy with `changes`, saved as the next version by a supervisor."""
    policy = active_policy()
    for name, value in changes.items():
        setattr(policy, name, value)
    return services.compensation_policy_save(policy=policy, actor=SupervisorFactory(username="policy_owner"))


def make_claim(*, actor, complaint=None, case="delay", **kwargs):
    complaint = complaint or make_complaint(declared_value=Decimal("200.00"), shipping_fee=Decimal("12.00"))
    if case == "delay":
        kwargs.setdefault("days_late", 2)
    return services.claim_propose(complaint=complaint, actor=actor, case=case, **kwargs)
