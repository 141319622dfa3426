"""The compensation policy: versions are never edited in place, one is active, contradictory parameters are refused
(by the service with a message per field, and by the database as a last line)."""

from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction

from complaints.compensation import services
from complaints.compensation.models import CompensationClaim, CompensationPolicy
from complaints.errors import InvalidInput, NotAllowed
from tests.complaints.compensation.factories import active_policy, make_claim, new_policy_version
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db


def test_the_default_policy_is_the_published_standard():
    policy = active_policy()

    assert policy.version == 1
    assert policy.delay_fee_waiver_percent == D("100")
    assert policy.loss_fee_refund_percent == D("100")
    assert policy.insured_cap is True
    assert policy.uninsured_cap_multiple is None
    assert policy.damage_min_percent == D("100")
    assert policy.agent_approval_limit == D("500.00")


def test_saving_a_change_creates_the_next_version_and_leaves_the_old_one_as_it_was(agent, supervisor):
    # Given a claim computed under v1
    claim = make_claim(actor=agent)
    v1 = active_policy()

    # When a supervisor changes the uninsured cap on the active version and saves it
    v1.uninsured_cap_multiple = D("3")
    v2 = services.compensation_policy_save(policy=v1, actor=supervisor, note="Cap uninsured parcels at 3× the fee.")

    # Then v2 is new and active, v1 is unchanged and inactive, and the claim still points at v1
    assert v2.pk != v1.pk and v2.version == 2 and v2.is_active
    assert v2.uninsured_cap_multiple == D("3") and v2.created_by == supervisor
    stored_v1 = CompensationPolicy.objects.get(version=1)
    assert stored_v1.uninsured_cap_multiple is None and not stored_v1.is_active
    assert CompensationClaim.objects.get(pk=claim.pk).policy == stored_v1
    assert list(CompensationPolicy.objects.filter(is_active=True)) == [v2]


def test_saving_the_same_parameters_again_creates_nothing(supervisor):
    policy = active_policy()

    same = services.compensation_policy_save(policy=policy, actor=supervisor)

    assert same.pk == policy.pk
    assert CompensationPolicy.objects.count() == 1


def test_only_supervisors_change_the_policy(agent):
    policy = active_policy()
    policy.agent_approval_limit = D("5000")

    with pytest.raises(NotAllowed):
        services.compensation_policy_save(policy=policy, actor=agent)
    assert CompensationPolicy.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"delay_fee_waiver_percent": D("-10")}, "delay_fee_waiver_percent", id="negative-share"),
        pytest.param({"delay_fee_waiver_percent": D("120")}, "delay_fee_waiver_percent", id="share-above-100"),
        pytest.param({"loss_fee_refund_percent": D("100.5")}, "loss_fee_refund_percent", id="refund-above-100"),
        pytest.param({"uninsured_cap_multiple": D("0.5")}, "uninsured_cap_multiple", id="cap-below-1"),
        pytest.param({"uninsured_cap_multiple": D("-3")}, "uninsured_cap_multiple", id="cap-negative"),
        pytest.param({"damage_min_percent": D("0")}, "damage_min_percent", id="damage-zero"),
        pytest.param({"damage_min_percent": D("150")}, "damage_min_percent", id="damage-above-100"),
        pytest.param({"agent_approval_limit": D("0")}, "agent_approval_limit", id="limit-zero"),
        pytest.param({"agent_approval_limit": D("-500")}, "agent_approval_limit", id="limit-negative"),
        pytest.param({"agent_approval_limit": D("500.001")}, "agent_approval_limit", id="limit-below-the-fen"),
        pytest.param({"agent_approval_limit": None}, "agent_approval_limit", id="limit-missing"),
    ],
)
def test_contradictory_parameters_are_refused_and_nothing_is_written(supervisor, changes, field):
    policy = active_policy()
    for name, value in changes.items():
        setattr(policy, name, value)

    with pytest.raises(InvalidInput) as refused:
        services.compensation_policy_save(policy=policy, actor=supervisor)

    assert field in refused.value.fields and refused.value.fields[field][0]
    assert CompensationPolicy.objects.count() == 1
    assert active_policy().version == 1


@pytest.mark.parametrize(
    "values",
    [
        pytest.param({"delay_fee_waiver_percent": D("101")}, id="share"),
        pytest.param({"uninsured_cap_multiple": D("0.5")}, id="cap"),
        pytest.param({"damage_min_percent": D("0")}, id="damage"),
        pytest.param({"agent_approval_limit": D("0")}, id="limit"),
    ],
)
def test_the_database_refuses_contradictory_parameters_too(values):
    with pytest.raises(IntegrityError), transaction.atomic():
        CompensationPolicy.objects.create(version=99, is_active=False, **values)


def test_the_database_keeps_one_active_version():
    with pytest.raises(IntegrityError), transaction.atomic():
        CompensationPolicy.objects.create(version=2, is_active=True)


def test_claims_keep_the_version_they_were_computed_under(agent):
    # Given a delay claim under v1 (100% of the fee waived)
    first = make_claim(actor=agent, complaint=make_complaint(shipping_fee=D("20.00")))

    # When supervisors waive only half the fee from now on
    new_policy_version(delay_fee_waiver_percent=D("50"))
    second = make_claim(actor=agent, complaint=make_complaint(shipping_fee=D("20.00")))

    # Then each claim was computed, and still shows, under its own version
    assert (first.policy.version, first.computed_amount) == (1, D("20.00"))
    assert (second.policy.version, second.computed_amount) == (2, D("10.00"))
    assert "Shipping fee ¥20.00 × 50% = ¥10.00." in second.explanation["en"]
