"""The carrier's share is decided when the claim is paid, from the complaint as it stands then:
a complaint resolved "carrier not liable" after the claim was proposed or approved charges the carrier nothing, and
the payout's event says why."""

from decimal import Decimal as D

import pytest
from django.utils import translation

from complaints import services as complaint_services
from complaints.choices import EventKind
from complaints.compensation import services
from complaints.compensation.models import Chargeback, CompensationClaim
from complaints.errors import InvalidInput
from complaints.models import ComplaintEvent
from tests.complaints.compensation.factories import make_claim
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db


def _lost(zto, value="300.00", fee="15.00"):
    # A lost, uninsured parcel: value + fee = 300.00 + 15.00 = 315.00 under the default policy.
    return make_complaint(category="loss", carrier=zto, declared_value=D(value), shipping_fee=D(fee))


def _resolve(complaint, agent, *, liable):
    complaint_services.complaint_transition(complaint=complaint, actor=agent, to_status="acknowledged")
    complaint_services.complaint_transition(complaint=complaint, actor=agent, to_status="in_progress")
    complaint_services.complaint_resolve(
        complaint=complaint,
        actor=agent,
        summary="Compensation offered.",
        root_cause="Parcel mislaid at the depot." if liable else "The complainant gave a wrong address.",
        carrier_liable=liable,
    )


def _paid_event(complaint):
    return ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.COMPENSATION_PAID)


def test_a_claim_approved_before_the_carrier_was_found_not_liable_charges_it_nothing(agent, zto):
    # Given a claim of 315.00 proposed and approved while ZTO's liability was not decided: its share is all 315.00
    complaint = _lost(zto)
    claim = make_claim(actor=agent, complaint=complaint, case="loss")
    services.claim_approve(claim=claim, actor=agent)
    claim.refresh_from_db()
    assert claim.carrier_liable_amount == D("315.00")

    # When the complaint is resolved "carrier not liable", and then the claim is paid
    _resolve(complaint, agent, liable=False)
    with translation.override("en"):
        services.claim_pay(claim=claim, actor=agent, payout_reference="WX-NOTLIABLE-1")

    # Then ZTO is charged nothing, the claim shows a share of 0.00, and the payout's event says why
    assert not Chargeback.objects.exists()
    claim.refresh_from_db()
    assert claim.carrier_liable_amount == D("0.00")
    event = _paid_event(complaint)
    assert event.data["carrier_share_basis"] == "carrier_not_liable"
    assert (event.data["carrier_share_before"], event.data["chargeback_amount"]) == ("315.00", "0.00")
    assert "not liable" in event.message and "¥315.00" in event.message


def test_a_share_set_by_hand_gives_way_to_a_later_not_liable_finding(agent, zto):
    # Given a claim of 315.00 approved with ZTO's share set by hand to 100.00
    complaint = _lost(zto)
    claim = make_claim(actor=agent, complaint=complaint, case="loss")
    services.claim_approve(claim=claim, actor=agent, carrier_liable_amount="100.00")

    # When ZTO is found not liable before the payout
    _resolve(complaint, agent, liable=False)
    services.claim_pay(claim=claim, actor=agent, payout_reference="WX-NOTLIABLE-2")

    # Then nothing is charged back
    assert not Chargeback.objects.exists()
    event = _paid_event(complaint)
    assert (event.data["carrier_share_basis"], event.data["carrier_share_before"]) == ("carrier_not_liable", "100.00")


def test_a_claim_proposed_while_not_liable_charges_the_carrier_once_it_is_found_liable(agent, zto):
    # Given a claim proposed while the complaint said ZTO was not liable: its default share is 0.00
    complaint = _lost(zto)
    _resolve(complaint, agent, liable=False)
    claim = make_claim(actor=agent, complaint=complaint, case="loss")
    assert claim.carrier_liable_amount == D("0.00")
    services.claim_approve(claim=claim, actor=agent)

    # When the complaint is reopened and resolved again with ZTO liable, and the claim is paid
    complaint_services.complaint_reopen(complaint=complaint, actor=agent, reason="The depot found the parcel.")
    complaint_services.complaint_transition(complaint=complaint, actor=agent, to_status="in_progress")
    complaint_services.complaint_resolve(
        complaint=complaint, actor=agent, summary="Paid.", root_cause="Mislaid at the depot.", carrier_liable=True
    )
    services.claim_pay(claim=claim, actor=agent, payout_reference="WX-LIABLE-1")

    # Then ZTO is charged back the whole 315.00
    chargeback = Chargeback.objects.get(claim=claim)
    assert (chargeback.carrier, chargeback.amount) == (zto, D("315.00"))
    event = _paid_event(complaint)
    assert (event.data["carrier_share_basis"], event.data["chargeback_amount"]) == ("carrier_liable", "315.00")


@pytest.mark.parametrize(
    ("share", "basis", "charged"),
    [
        pytest.param(None, "liability_not_decided", D("315.00"), id="default-whole-amount"),
        pytest.param("120.50", "set_by_hand", D("120.50"), id="set-by-hand"),
        pytest.param("0", "set_by_hand", None, id="set-to-zero"),
    ],
)
def test_while_liability_is_undecided_the_share_on_the_claim_is_charged(agent, zto, share, basis, charged):
    complaint = _lost(zto)
    claim = make_claim(actor=agent, complaint=complaint, case="loss")
    services.claim_approve(claim=claim, actor=agent, carrier_liable_amount=share)

    services.claim_pay(claim=claim, actor=agent, payout_reference=f"WX-{basis}-{share}")

    assert Chargeback.objects.filter(claim=claim).values_list("amount", flat=True).first() == charged
    assert _paid_event(complaint).data["carrier_share_basis"] == basis


def test_a_share_above_zero_is_refused_for_a_carrier_found_not_liable(agent, zto):
    # Given a complaint resolved with ZTO not liable
    complaint = _lost(zto)
    _resolve(complaint, agent, liable=False)
    claim = make_claim(actor=agent, complaint=complaint, case="loss")

    # Then a share above 0 is refused, when proposing and when approving, naming the field
    with pytest.raises(InvalidInput) as refused:
        services.claim_approve(claim=claim, actor=agent, carrier_liable_amount="50.00")
    assert "carrier_liable_amount" in refused.value.fields
    with pytest.raises(InvalidInput):
        services.claim_propose(
            complaint=complaint, actor=agent, case="delay", days_late=1, carrier_liable_amount="15.00"
        )
    assert CompensationClaim.objects.get(pk=claim.pk).state == "proposed"
