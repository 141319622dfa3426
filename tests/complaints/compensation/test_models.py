"""The database's last line under the services: amounts in range, shares in 0-100, paid ⇔ one payout, a payout
reference used once, one live claim per complaint and case."""

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction

from complaints.compensation.models import CompensationClaim
from tests.complaints.compensation.factories import active_policy

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)


def _row(complaint, user, **overrides):
    fields = {
        "complaint": complaint,
        "case": "loss",
        "state": "proposed",
        "declared_value": D("100"),
        "insured_value": D("0"),
        "shipping_fee": D("10"),
        "computed_amount": D("110"),
        "proposed_amount": D("110"),
        "carrier_liable_amount": D("0"),
        "policy": active_policy(),
        "proposed_by": user,
        "proposed_at": AT,
    }
    fields.update(overrides)
    return CompensationClaim(**fields)


@pytest.fixture
def complaint(db):
    from tests.factories import make_complaint

    return make_complaint()


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"proposed_amount": D("-1"), "reason": "x"}, id="negative-amount"),
        pytest.param({"computed_amount": D("1000000"), "proposed_amount": D("1000000")}, id="absurd-amount"),
        pytest.param({"damaged_share": D("100.01")}, id="share-above-100"),
        pytest.param({"damaged_share": D("-0.01")}, id="share-negative"),
        pytest.param({"proposed_amount": D("120"), "reason": ""}, id="different-amount-without-reason"),
        pytest.param({"carrier_liable_amount": D("111")}, id="carrier-share-above-amount"),
        pytest.param({"state": "paid", "approved_amount": D("110"), "decided_at": AT}, id="paid-without-payout"),
        pytest.param({"payout_reference": "PAY-1", "paid_at": AT}, id="payout-on-unpaid-claim"),
        pytest.param({"state": "approved"}, id="approved-without-decision"),
        pytest.param({"case": "contents_mismatch"}, id="mismatch-without-kind"),
        pytest.param({"mismatch_kind": "wrong_item"}, id="kind-on-a-loss"),
        pytest.param({"state": "lost"}, id="unknown-state"),
    ],
)
def test_the_database_refuses_impossible_claims(complaint, agent, overrides):
    if "decided_at" in overrides:  # a full decision, so that only the payout is at fault
        overrides = {**overrides, "decided_by": agent, "decision_policy": active_policy()}
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(complaint, agent, **overrides).save()


def test_one_live_claim_per_complaint_and_case_and_one_use_per_payout_reference(complaint, agent):
    _row(complaint, agent).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(complaint, agent).save()
    # a rejected one does not count
    _row(complaint, agent, state="rejected", decided_at=AT, decided_by=agent).save()

    paid = {
        "state": "paid",
        "approved_amount": D("110"),
        "decided_at": AT,
        "decided_by": agent,
        "decision_policy": active_policy(),
        "paid_at": AT,
        "payout_reference": "PAY-1",
    }
    _row(complaint, agent, case="delay", **paid).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(complaint, agent, case="damage", **paid).save()
