"""Two payouts at the same moment, on PostgreSQL: a claim is paid once, and a payout reference is recorded once,
whatever the timing. SQLite serialises all writers, so it cannot show the race."""

from decimal import Decimal as D

import pytest

from complaints.choices import EventKind
from complaints.compensation import services
from complaints.compensation.choices import ClaimState
from complaints.compensation.models import Chargeback, CompensationClaim, CompensationPolicy
from complaints.errors import IllegalTransition, InvalidInput
from complaints.models import ComplaintEvent
from tests.complaints.compensation.factories import make_claim
from tests.concurrency import run_together
from tests.factories import AgentFactory, CarrierFactory, SupervisorFactory, make_complaint

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _approved_claim(agent):
    zto = CarrierFactory(code="ZTO")
    claim = make_claim(actor=agent, complaint=make_complaint(carrier=zto, category="loss"), case="loss")
    return services.claim_approve(claim=claim, actor=agent)


def _outcomes(results):
    return sorted(kind for kind, _value in results)


def test_two_payouts_of_the_same_claim_at_once_pay_it_once():
    # Given an approved claim, and two agents recording its payout at the same moment with different references
    wang, li = AgentFactory(username="agent_wang"), AgentFactory(username="agent_li")
    claim = _approved_claim(wang)

    results = run_together(
        lambda: services.claim_pay(
            claim=CompensationClaim.objects.get(pk=claim.pk), actor=wang, payout_reference="WX-A"
        ),
        lambda: services.claim_pay(claim=CompensationClaim.objects.get(pk=claim.pk), actor=li, payout_reference="WX-B"),
    )

    # Then one payout is recorded, the other refused as a second payout
    assert _outcomes(results) == ["error", "ok"]
    [error] = [value for kind, value in results if kind == "error"]
    assert isinstance(error, IllegalTransition) and error.code == "already_paid"
    stored = CompensationClaim.objects.get(pk=claim.pk)
    assert stored.state == ClaimState.PAID and stored.payout_reference in {"WX-A", "WX-B"}
    assert Chargeback.objects.filter(claim=claim).count() == 1
    assert ComplaintEvent.objects.filter(complaint=claim.complaint, kind=EventKind.COMPENSATION_PAID).count() == 1


def test_the_same_payout_reference_on_two_claims_at_once_is_recorded_once():
    # Given two approved claims on different complaints (no shared row lock)
    wang, li = AgentFactory(username="agent_wang"), AgentFactory(username="agent_li")
    first, second = _approved_claim(wang), _approved_claim(li)

    results = run_together(
        lambda: services.claim_pay(
            claim=CompensationClaim.objects.get(pk=first.pk), actor=wang, payout_reference="BANK-1"
        ),
        lambda: services.claim_pay(
            claim=CompensationClaim.objects.get(pk=second.pk), actor=li, payout_reference="BANK-1"
        ),
    )

    # Then exactly one claim is paid with it; the other is refused with a clear message and stays approved
    assert _outcomes(results) == ["error", "ok"]
    [error] = [value for kind, value in results if kind == "error"]
    assert isinstance(error, InvalidInput) and error.code == "duplicate_payout_reference"
    states = sorted(CompensationClaim.objects.filter(pk__in=[first.pk, second.pk]).values_list("state", flat=True))
    assert states == [ClaimState.APPROVED, ClaimState.PAID]
    assert CompensationClaim.objects.filter(payout_reference="BANK-1").count() == 1
    assert Chargeback.objects.count() == 1
    assert ComplaintEvent.objects.filter(kind=EventKind.COMPENSATION_PAID).count() == 1


def test_two_supervisors_saving_the_policy_at_once_get_consecutive_versions():
    chen, he = SupervisorFactory(username="supervisor_chen"), SupervisorFactory(username="supervisor_he")

    def save(actor, limit):
        policy = CompensationPolicy.objects.get(is_active=True)
        policy.agent_approval_limit = limit
        return services.compensation_policy_save(policy=policy, actor=actor)

    results = run_together(lambda: save(chen, D("800")), lambda: save(he, D("900")))

    assert _outcomes(results) == ["ok", "ok"]
    assert sorted(CompensationPolicy.objects.values_list("version", flat=True)) == [1, 2, 3]
    assert CompensationPolicy.objects.filter(is_active=True).count() == 1
