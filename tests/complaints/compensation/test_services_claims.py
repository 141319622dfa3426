"""Claims through the services: proposed with the computed amount beside the proposed one, decided within the
limits of each role, paid once, charged back to the carrier, every step an event and the complainant told."""

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest
import time_machine

from complaints.choices import EventKind, Language, MessageKind, Visibility
from complaints.compensation import services
from complaints.compensation.choices import ClaimState
from complaints.compensation.models import Chargeback, CompensationClaim
from complaints.errors import IllegalTransition, InvalidInput, NotAllowed
from complaints.models import Complaint, ComplaintEvent, OutboundMessage
from tests.complaints.compensation.factories import active_policy, make_claim, new_policy_version
from tests.factories import AgentFactory, CarrierUserFactory, SupervisorFactory, make_complaint

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai: no quiet hours


def _events(complaint, kind):
    return list(ComplaintEvent.objects.filter(complaint=complaint, kind=kind))


def _messages(complaint):
    return list(
        OutboundMessage.objects.filter(complaint=complaint, kind=MessageKind.COMPENSATION_DECISION).order_by("id")
    )


def _lost_parcel(value="300.00", insured="0.00", fee="15.00", **kw):
    return make_complaint(category="loss", declared_value=D(value), insured_value=D(insured), shipping_fee=D(fee), **kw)


# --- proposing ------------------------------------------------------------------------------------------------------


def test_an_agent_proposes_the_computed_amount_under_the_active_policy(agent):
    # Given a lost, uninsured parcel worth 300 with a fee of 15
    complaint = _lost_parcel()
    version_before = Complaint.objects.get(pk=complaint.pk).version

    # When the agent proposes compensation without naming an amount
    claim = services.claim_propose(complaint=complaint, actor=agent, case="loss")

    # Then the computed amount is proposed, under the active policy, with its inputs and explanation kept
    assert claim.state == ClaimState.PROPOSED
    assert claim.computed_amount == claim.proposed_amount == D("315.00")
    assert claim.approved_amount is None
    assert claim.policy == active_policy()
    assert (claim.declared_value, claim.insured_value, claim.shipping_fee) == (D("300"), D("0"), D("15"))
    assert claim.explanation["en"][-1] == "Compensation: ¥315.00."
    assert claim.explanation["zh-hans"][-1] == "赔偿金额：¥315.00。"
    # the carrier is liable for all of it by default
    assert claim.carrier_liable_amount == D("315.00")
    # and it is an internal event on the complaint's timeline, which counts as a change
    [event] = _events(complaint, EventKind.COMPENSATION_PROPOSED)
    assert (event.actor, event.visibility) == (agent, Visibility.INTERNAL)
    assert event.data["claim"] == claim.pk and event.data["proposed_amount"] == "315.00"
    assert Complaint.objects.get(pk=complaint.pk).version == version_before + 1
    # the complainant hears nothing until it is decided
    assert _messages(complaint) == []


def test_a_different_amount_needs_a_reason_and_keeps_the_computed_one_beside_it(agent):
    complaint = _lost_parcel()

    with pytest.raises(InvalidInput) as refused:
        services.claim_propose(complaint=complaint, actor=agent, case="loss", proposed_amount="350.00")
    assert "reason" in refused.value.fields
    assert not CompensationClaim.objects.exists()

    claim = services.claim_propose(
        complaint=complaint,
        actor=agent,
        case="loss",
        proposed_amount="350.00",
        reason="Goodwill: the parcel held a birthday present.",
    )
    assert (claim.computed_amount, claim.proposed_amount) == (D("315.00"), D("350.00"))
    assert claim.reason == "Goodwill: the parcel held a birthday present."


def test_proposing_the_same_claim_twice_returns_the_first(agent):
    complaint = _lost_parcel()
    first = services.claim_propose(complaint=complaint, actor=agent, case="loss")

    again = services.claim_propose(complaint=complaint, actor=agent, case="loss")

    assert again.pk == first.pk
    assert CompensationClaim.objects.count() == 1
    assert len(_events(complaint, EventKind.COMPENSATION_PROPOSED)) == 1


def test_a_second_live_claim_for_the_same_case_is_refused_but_another_case_is_not(agent, other_agent):
    complaint = _lost_parcel()
    services.claim_propose(complaint=complaint, actor=agent, case="loss")

    with pytest.raises(IllegalTransition) as refused:
        services.claim_propose(complaint=complaint, actor=other_agent, case="loss", proven_value="280.00")
    assert refused.value.code == "claim_exists"

    delay = services.claim_propose(complaint=complaint, actor=agent, case="delay", days_late=1)
    assert delay.proposed_amount == D("15.00")


def test_a_rejected_claim_can_be_proposed_again(agent):
    complaint = _lost_parcel()
    first = services.claim_propose(complaint=complaint, actor=agent, case="loss")
    services.claim_reject(claim=first, actor=agent, reason="The receipt shows a lower value.")

    second = services.claim_propose(complaint=complaint, actor=agent, case="loss", proven_value="250.00")

    assert second.pk != first.pk and second.proposed_amount == D("265.00")


def test_a_carrier_proposes_on_its_own_complaint_only(zto, sf):
    # Given a ZTO user and complaints about a ZTO and an SF parcel
    zto_user = CarrierUserFactory(carrier=zto)
    own = _lost_parcel(carrier=zto)
    other = _lost_parcel(carrier=sf)

    # When it proposes on its own complaint, it works
    claim = services.claim_propose(complaint=own, actor=zto_user, case="loss")
    assert claim.proposed_by == zto_user
    [event] = _events(own, EventKind.COMPENSATION_PROPOSED)
    assert event.actor_role == "carrier"

    # and on the other carrier's complaint it is refused, and nothing is written
    with pytest.raises(NotAllowed):
        services.claim_propose(complaint=other, actor=zto_user, case="loss")
    assert not CompensationClaim.objects.filter(complaint=other).exists()
    assert _events(other, EventKind.COMPENSATION_PROPOSED) == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        pytest.param({"case": "loss", "proposed_amount": "-10.00", "reason": "x"}, "proposed_amount", id="negative"),
        pytest.param({"case": "loss", "proposed_amount": "1000000.00", "reason": "x"}, "proposed_amount", id="absurd"),
        pytest.param(
            {"case": "loss", "proposed_amount": "12.345", "reason": "x"}, "proposed_amount", id="below-the-fen"
        ),
        pytest.param({"case": "loss", "proposed_amount": "abc", "reason": "x"}, "proposed_amount", id="not-a-number"),
        pytest.param({"case": "loss", "proposed_amount": "NaN", "reason": "x"}, "proposed_amount", id="nan"),
        pytest.param({"case": "damage", "damaged_share": "101"}, "damaged_share", id="share-above-100"),
        pytest.param({"case": "damage", "damaged_share": "-1"}, "damaged_share", id="share-negative"),
        pytest.param({"case": "loss", "proven_value": "-5"}, "proven_value", id="negative-proven-value"),
        pytest.param(
            {"case": "loss", "carrier_liable_amount": "400.00"},
            "carrier_liable_amount",
            id="carrier-share-above-amount",
        ),
        pytest.param(
            {"case": "loss", "carrier_liable_amount": "-1"}, "carrier_liable_amount", id="carrier-share-negative"
        ),
    ],
)
def test_bad_input_is_refused_with_the_field_and_nothing_is_written(agent, kwargs, field):
    complaint = _lost_parcel()
    version = Complaint.objects.get(pk=complaint.pk).version

    with pytest.raises(InvalidInput) as refused:
        services.claim_propose(complaint=complaint, actor=agent, **kwargs)

    assert field in refused.value.fields
    assert str(refused.value)
    assert not CompensationClaim.objects.exists()
    assert _events(complaint, EventKind.COMPENSATION_PROPOSED) == []
    assert Complaint.objects.get(pk=complaint.pk).version == version


def test_no_carrier_means_no_carrier_share(agent):
    complaint = make_complaint(carrier=None, category="loss")

    claim = services.claim_propose(complaint=complaint, actor=agent, case="loss")
    assert claim.carrier_liable_amount == D("0.00")

    with pytest.raises(InvalidInput):
        services.claim_propose(
            complaint=complaint, actor=agent, case="delay", days_late=1, carrier_liable_amount="5.00"
        )


def test_a_complaint_found_not_the_carriers_fault_charges_nothing_by_default(agent):
    complaint = _lost_parcel()
    Complaint.objects.filter(pk=complaint.pk).update(carrier_liable=False)
    complaint.refresh_from_db()

    claim = services.claim_propose(complaint=complaint, actor=agent, case="loss")

    assert claim.carrier_liable_amount == D("0.00")


# --- deciding -------------------------------------------------------------------------------------------------------


def test_an_agent_approves_within_the_limit_even_their_own_proposal(agent):
    # Given an agent's claim of 315 (within the default limit of 500)
    claim = make_claim(actor=agent, complaint=_lost_parcel(), case="loss")

    # When the same agent approves it
    with time_machine.travel(NOON, tick=False):
        services.claim_approve(claim=claim, actor=agent)

    # Then it is approved at the proposed amount, under the active policy, and the complainant is told
    claim.refresh_from_db()
    assert claim.state == ClaimState.APPROVED
    assert claim.approved_amount == D("315.00")
    assert (claim.decided_by, claim.decided_at, claim.decision_policy) == (agent, NOON, active_policy())
    [event] = _events(claim.complaint, EventKind.COMPENSATION_APPROVED)
    assert event.visibility == Visibility.PUBLIC and event.data["approved_amount"] == "315.00"
    [message] = _messages(claim.complaint)
    assert message.language == Language.ZH_HANS
    assert "¥315.00" in message.body and "已批准" in message.body
    assert "价值加运费：¥300.00 + ¥15.00 = ¥315.00。" in message.body


def test_above_the_limit_an_agent_cannot_decide_a_supervisor_can(agent):
    # Given a claim of 1015 (a lost parcel worth 1000): above the agents' limit of 500
    claim = make_claim(actor=agent, complaint=_lost_parcel(value="1000.00"), case="loss")
    other_agent = AgentFactory(username="agent_zhao")

    # Then no agent can approve or reject it, and nothing is written
    for actor in (agent, other_agent):
        with pytest.raises(NotAllowed) as refused:
            services.claim_approve(claim=claim, actor=actor)
        assert refused.value.code == "above_limit"
        assert "¥500.00" in refused.value.message
        with pytest.raises(NotAllowed):
            services.claim_reject(claim=claim, actor=actor, reason="Too much.")
    claim.refresh_from_db()
    assert claim.state == ClaimState.PROPOSED and claim.decided_by is None
    assert _events(claim.complaint, EventKind.COMPENSATION_APPROVED) == []

    # and a supervisor can
    supervisor = SupervisorFactory(username="supervisor_he")
    services.claim_approve(claim=claim, actor=supervisor)
    claim.refresh_from_db()
    assert claim.state == ClaimState.APPROVED and claim.decided_by == supervisor


def test_exactly_at_the_limit_an_agent_approves(agent):
    claim = make_claim(actor=agent, complaint=_lost_parcel(value="485.00"), case="loss")
    assert claim.proposed_amount == D("500.00")

    services.claim_approve(claim=claim, actor=agent)

    assert claim.state == ClaimState.APPROVED


def test_a_supervisor_never_approves_their_own_claim_above_the_limit(supervisor):
    claim = make_claim(actor=supervisor, complaint=_lost_parcel(value="2000.00"), case="loss")

    with pytest.raises(NotAllowed) as refused:
        services.claim_approve(claim=claim, actor=supervisor)
    assert refused.value.code == "own_claim_above_limit"
    claim.refresh_from_db()
    assert claim.state == ClaimState.PROPOSED

    services.claim_approve(claim=claim, actor=SupervisorFactory(username="supervisor_two"))
    assert claim.state == ClaimState.APPROVED


def test_the_limit_is_the_active_policys_and_the_decision_keeps_its_version(agent):
    # Given a claim of 615 proposed under v1 (limit 500)
    claim = make_claim(actor=agent, complaint=_lost_parcel(value="600.00"), case="loss")
    v1 = claim.policy

    # When supervisors raise the agents' limit to 1000 (v2)
    v2 = new_policy_version(agent_approval_limit=D("1000.00"))

    # Then the agent may approve it, and the claim keeps both versions
    services.claim_approve(claim=claim, actor=agent)
    claim.refresh_from_db()
    assert (claim.policy, claim.decision_policy) == (v1, v2)
    assert (v1.version, v2.version) == (1, 2)
    event = _events(claim.complaint, EventKind.COMPENSATION_APPROVED)[0]
    assert (event.data["policy_version"], event.data["decision_policy_version"]) == (1, 2)


def test_carriers_never_decide_or_pay(zto, agent):
    carrier_user = CarrierUserFactory(carrier=zto)
    claim = make_claim(actor=carrier_user, complaint=_lost_parcel(carrier=zto), case="loss")

    with pytest.raises(NotAllowed):
        services.claim_approve(claim=claim, actor=carrier_user)
    with pytest.raises(NotAllowed):
        services.claim_reject(claim=claim, actor=carrier_user, reason="no")
    services.claim_approve(claim=claim, actor=agent)
    with pytest.raises(NotAllowed):
        services.claim_pay(claim=claim, actor=carrier_user, payout_reference="PAY-1")


def test_rejecting_needs_a_reason_and_tells_the_complainant_in_their_language(agent):
    complaint = _lost_parcel(language=Language.EN)
    claim = make_claim(actor=agent, complaint=complaint, case="loss")

    with pytest.raises(InvalidInput):
        services.claim_reject(claim=claim, actor=agent, reason="  ")

    services.claim_reject(claim=claim, actor=agent, reason="The parcel was delivered and signed for.")

    claim.refresh_from_db()
    assert claim.state == ClaimState.REJECTED and claim.approved_amount is None
    assert claim.decision_note == "The parcel was delivered and signed for."
    [message] = _messages(complaint)
    assert message.language == Language.EN
    assert "we cannot grant the compensation" in message.body
    assert "The parcel was delivered and signed for." in message.body
    # deciding again changes nothing; approving a rejected claim is refused
    services.claim_reject(claim=claim, actor=agent, reason="again")
    assert len(_events(complaint, EventKind.COMPENSATION_REJECTED)) == 1
    with pytest.raises(IllegalTransition):
        services.claim_approve(claim=claim, actor=agent)


def test_approving_twice_changes_nothing(agent):
    claim = make_claim(actor=agent, complaint=_lost_parcel(), case="loss")
    services.claim_approve(claim=claim, actor=agent)

    services.claim_approve(claim=claim, actor=agent)

    assert len(_events(claim.complaint, EventKind.COMPENSATION_APPROVED)) == 1
    assert len(_messages(claim.complaint)) == 1


# --- paying ---------------------------------------------------------------------------------------------------------


def test_paying_records_the_payout_once_and_charges_the_carrier_back(agent, zto):
    # Given an approved claim of 315 on a ZTO complaint
    claim = make_claim(actor=agent, complaint=_lost_parcel(carrier=zto), case="loss")
    services.claim_approve(claim=claim, actor=agent)

    # When the payout is recorded
    with time_machine.travel(NOON, tick=False):
        services.claim_pay(claim=claim, actor=agent, payout_reference=" WX-20261123-0001 ")

    # Then the claim is paid with its reference, ZTO is charged back its share, and the complainant is told
    claim.refresh_from_db()
    assert claim.state == ClaimState.PAID
    assert (claim.payout_reference, claim.paid_at, claim.paid_by) == ("WX-20261123-0001", NOON, agent)
    chargeback = Chargeback.objects.get(claim=claim)
    assert (chargeback.carrier, chargeback.amount, chargeback.recorded_at) == (zto, D("315.00"), NOON)
    [event] = _events(claim.complaint, EventKind.COMPENSATION_PAID)
    assert event.data["payout_reference"] == "WX-20261123-0001"
    approved, paid = _messages(claim.complaint)
    assert "WX-20261123-0001" in paid.body and "已支付" in paid.body

    # and recording the same payout again changes nothing, while a second payout is refused
    services.claim_pay(claim=claim, actor=agent, payout_reference="WX-20261123-0001")
    with pytest.raises(IllegalTransition) as refused:
        services.claim_pay(claim=claim, actor=agent, payout_reference="WX-20261123-0002")
    assert refused.value.code == "already_paid"
    assert "WX-20261123-0001" in refused.value.message
    claim.refresh_from_db()
    assert claim.payout_reference == "WX-20261123-0001"
    assert Chargeback.objects.count() == 1
    assert len(_events(claim.complaint, EventKind.COMPENSATION_PAID)) == 1


def test_a_payout_reference_pays_one_claim_only(agent):
    first = make_claim(actor=agent, complaint=_lost_parcel(), case="loss")
    second = make_claim(actor=agent, complaint=_lost_parcel(), case="loss")
    for claim in (first, second):
        services.claim_approve(claim=claim, actor=agent)
    services.claim_pay(claim=first, actor=agent, payout_reference="BANK-77")

    with pytest.raises(InvalidInput) as refused:
        services.claim_pay(claim=second, actor=agent, payout_reference="BANK-77")

    assert refused.value.code == "duplicate_payout_reference"
    assert "payout_reference" in refused.value.fields
    second.refresh_from_db()
    assert second.state == ClaimState.APPROVED and second.payout_reference == ""
    assert _events(second.complaint, EventKind.COMPENSATION_PAID) == []
    assert not Chargeback.objects.filter(claim=second).exists()


def test_only_an_approved_claim_is_paid_and_a_reference_is_required(agent):
    claim = make_claim(actor=agent, complaint=_lost_parcel(), case="loss")

    with pytest.raises(IllegalTransition):
        services.claim_pay(claim=claim, actor=agent, payout_reference="PAY-1")
    services.claim_approve(claim=claim, actor=agent)
    with pytest.raises(InvalidInput):
        services.claim_pay(claim=claim, actor=agent, payout_reference="   ")
    with pytest.raises(InvalidInput):
        services.claim_pay(claim=claim, actor=agent, payout_reference="X" * 65)

    claim.refresh_from_db()
    assert claim.state == ClaimState.APPROVED


def test_no_chargeback_when_the_carrier_is_not_liable(agent, zto):
    claim = make_claim(actor=agent, complaint=_lost_parcel(carrier=zto), case="loss")
    services.claim_approve(claim=claim, actor=agent, carrier_liable_amount="0")

    services.claim_pay(claim=claim, actor=agent, payout_reference="PAY-NOFAULT")

    assert not Chargeback.objects.exists()


def test_the_approver_can_set_the_carriers_share(agent, zto):
    claim = make_claim(actor=agent, complaint=_lost_parcel(carrier=zto), case="loss")

    with pytest.raises(InvalidInput):
        services.claim_approve(claim=claim, actor=agent, carrier_liable_amount="316.00")
    services.claim_approve(claim=claim, actor=agent, carrier_liable_amount="100.00")
    services.claim_pay(claim=claim, actor=agent, payout_reference="PAY-SPLIT")

    assert Chargeback.objects.get().amount == D("100.00")
