"""Compensation in the weekly report: claims approved or paid, by the week of their decision, by case and carrier;
chargebacks by the week they were recorded."""

import time_machine

from complaints.compensation import services
from reports.metrics import week_compute
from reports.weeks import IsoWeek
from tests.reports.builders import local, receive

W47 = IsoWeek(2026, 47)


def propose(complaint, actor, at, case, amount, **inputs):
    with time_machine.travel(at, tick=False):
        return services.claim_propose(
            complaint=complaint,
            actor=actor,
            case=case,
            proposed_amount=amount,
            reason="按协商金额赔付",
            at=at,
            **inputs,
        )


def test_compensation_counts_claims_decided_in_the_week_and_chargebacks_recorded_in_it(db, zto, sf, supervisor):
    # Given: a ZTO delay claim of 12.00 approved in W47 and paid in W47 (charged back to ZTO),
    a = receive(local(11, 9, 10), carrier=zto)
    claim_a = propose(a, supervisor, local(11, 16, 9), "delay", "12.00", days_late=2)
    with time_machine.travel(local(11, 16, 10), tick=False):
        services.claim_approve(claim=claim_a, actor=supervisor, at=local(11, 16, 10))
        services.claim_pay(claim=claim_a, actor=supervisor, payout_reference="PAY-A", at=local(11, 17, 10))
    # an SF loss claim of 300.00 approved in W47 with 200.00 charged to SF, not yet paid,
    b = receive(local(11, 10, 10), carrier=sf)
    claim_b = propose(b, supervisor, local(11, 18, 9), "loss", "300.00", proven_value="300.00")
    with time_machine.travel(local(11, 18, 10), tick=False):
        services.claim_approve(claim=claim_b, actor=supervisor, carrier_liable_amount="200.00", at=local(11, 18, 10))
    # a ZTO damage claim of 80.00 approved in W46 and paid in W47 (counted in W46; its chargeback in W47),
    c = receive(local(11, 9, 11), carrier=zto)
    claim_c = propose(c, supervisor, local(11, 13, 9), "damage", "80.00", proven_value="80.00", damaged_share="100")
    with time_machine.travel(local(11, 13, 10), tick=False):
        services.claim_approve(claim=claim_c, actor=supervisor, at=local(11, 13, 10))
        services.claim_pay(claim=claim_c, actor=supervisor, payout_reference="PAY-C", at=local(11, 19, 10))
    # and a ZTO loss claim rejected in W47, and one only proposed (neither counted)
    d = receive(local(11, 9, 12), carrier=zto)
    claim_d = propose(d, supervisor, local(11, 19, 9), "loss", "50.00", proven_value="50.00")
    with time_machine.travel(local(11, 19, 10), tick=False):
        services.claim_reject(claim=claim_d, actor=supervisor, reason="无法证明价值", at=local(11, 19, 10))
    propose(receive(local(11, 9, 13), carrier=zto), supervisor, local(11, 20, 9), "delay", "10.00", days_late=1)

    # When W47 is computed
    data = week_compute(week=W47, now=local(11, 23, 8))

    # Then two claims (12.00 + 300.00) were decided in W47, one (80.00) in W46; chargebacks 12.00 + 80.00 in W47
    h = data["headline"]
    assert h["compensation_count"] == {"value": 2, "previous": 1, "change": 1}
    assert h["compensation_total"] == {"value": "312.00", "previous": "80.00", "change": "232.00"}
    assert h["chargeback_total"] == {"value": "92.00", "previous": "0.00", "change": "92.00"}
    assert [(r["key"], r["count"], r["total"]) for r in data["compensation_by_case"]] == [
        ("delay", 1, "12.00"),
        ("loss", 1, "300.00"),
    ]
    rows = {r["key"]: r for r in data["by_carrier"]}
    assert (rows["ZTO"]["compensation_count"], rows["ZTO"]["compensation_total"], rows["ZTO"]["chargeback_total"]) == (
        1,
        "12.00",
        "92.00",
    )
    assert (rows["SF"]["compensation_count"], rows["SF"]["compensation_total"], rows["SF"]["chargeback_total"]) == (
        1,
        "300.00",
        "0.00",
    )
