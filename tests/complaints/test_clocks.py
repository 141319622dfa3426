"""The SLA clocks, replayed from the timeline: due times at intake, what stops, pauses and switches each clock,
the high-risk policy, and recomputation after a policy change. Calendar hours, Asia/Shanghai."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaints import services
from complaints.choices import Clock, Priority, Status
from complaints.models import Complaint, SlaPolicy
from complaints.sla.clocks import warn_at
from complaints.sla.refresh import complaints_refresh_all_clocks
from tests.factories import CarrierUserFactory, make_complaint

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
H = timedelta(hours=1)


def at(hours: float):
    return time_machine.travel(T0 + hours * H, tick=False)


def fresh(complaint: Complaint) -> Complaint:
    return Complaint.objects.get(pk=complaint.pk)


def intake():
    with at(0):
        return make_complaint()


def test_due_times_at_intake_follow_the_standard_policy():
    # Given / When a normal complaint is received at T0
    complaint = fresh(intake())

    # Then the standard policy applies, with its targets counted from the moment of receipt
    assert complaint.sla_policy.position == 1000
    assert complaint.received_at == T0
    assert complaint.first_response_due_at == T0 + 24 * H
    assert complaint.resolution_due_at == T0 + 72 * H
    assert complaint.progress_due_at == T0 + 24 * H
    assert complaint.statutory_due_at == T0 + 168 * H
    # and no carrier clock runs before the carrier is asked
    assert complaint.carrier_accept_due_at is None
    assert complaint.carrier_reply_due_at is None
    assert complaint.next_due_at == T0 + 24 * H
    # and the sweep first has work at the 80 % warning of the first-response clock (19.2 h)
    assert complaint.next_alert_at == T0 + timedelta(hours=19, minutes=12)
    policy = complaint.sla_policy
    assert warn_at(policy, Clock.FIRST_RESPONSE, complaint.first_response_due_at) == complaint.next_alert_at


def test_a_human_reply_stops_the_first_response_clock(agent):
    # Given a new complaint
    complaint = intake()

    # When an agent replies to the complainant two hours later
    with at(2):
        services.complaint_reply(complaint=complaint, actor=agent, message="您好，我们正在核查。")

    # Then the first-response clock has stopped, the others still run
    complaint = fresh(complaint)
    assert complaint.first_response_at == T0 + 2 * H
    assert complaint.first_response_due_at is None
    assert complaint.resolution_due_at == T0 + 72 * H
    # and the reply is news for the complainant: the progress clock restarts
    assert complaint.progress_due_at == T0 + 26 * H


def test_a_system_reply_does_not_stop_the_first_response_clock():
    # Given a new complaint
    complaint = intake()

    # When the system (no actor) sends a customer-visible message
    with at(1):
        services.complaint_reply(complaint=complaint, actor=None, message="自动回复：我们已收到您的投诉。")

    # Then the first-response clock still runs from receipt
    complaint = fresh(complaint)
    assert complaint.first_response_at is None
    assert complaint.first_response_due_at == T0 + 24 * H


def test_resolution_clock_pauses_only_while_awaiting_the_complainant(agent):
    # Given an acknowledged complaint, in progress
    complaint = intake()
    with at(1):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
    with at(2):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.IN_PROGRESS)

    # When it waits for the complainant for 10 hours
    with at(3):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.AWAITING_CUSTOMER)
    paused = fresh(complaint)
    with at(13):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.IN_PROGRESS)

    # Then the resolution clock was absent while paused, and is due 10 hours later once it runs again
    assert paused.resolution_due_at is None
    assert paused.statutory_due_at == T0 + 168 * H  # the statutory limit never pauses
    assert fresh(complaint).resolution_due_at == T0 + 82 * H
    assert fresh(complaint).statutory_due_at == T0 + 168 * H


def test_waiting_for_the_carrier_does_not_pause_the_resolution_clock(agent):
    # Given an acknowledged complaint
    complaint = intake()
    with at(1):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)

    # When it waits 10 hours for the carrier, then comes back in progress
    with at(2):
        services.complaint_hand_to_carrier(complaint=complaint, actor=agent, message="请核实派送记录。")
    waiting = fresh(complaint)
    with at(12):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.IN_PROGRESS)

    # Then the resolution clock ran all along: still due 72 hours after receipt
    assert waiting.resolution_due_at == T0 + 72 * H
    assert fresh(complaint).resolution_due_at == T0 + 72 * H


def test_carrier_accept_clock_runs_only_while_awaiting_the_carrier_and_accept_switches_to_reply(agent):
    # Given an acknowledged complaint and a user of its carrier
    complaint = intake()
    carrier_user = CarrierUserFactory(carrier=complaint.carrier)
    with at(1):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
    assert fresh(complaint).carrier_accept_due_at is None

    # When it is handed to the carrier
    with at(2):
        services.complaint_hand_to_carrier(complaint=complaint, actor=agent, message="请核实派送记录。")

    # Then the carrier has 4 hours to accept, and no reply clock runs yet
    handed = fresh(complaint)
    assert handed.carrier_accept_due_at == T0 + 6 * H
    assert handed.carrier_reply_due_at is None

    # When the carrier accepts after 1 hour
    with at(3):
        services.complaint_carrier_accept(complaint=complaint, actor=carrier_user)

    # Then the accept clock stops and the 24 h reply clock starts from the acceptance
    accepted = fresh(complaint)
    assert accepted.carrier_accept_due_at is None
    assert accepted.carrier_reply_due_at == T0 + 27 * H

    # When the complaint comes back from the carrier
    with at(5):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.IN_PROGRESS)

    # Then no carrier clock runs any more
    back = fresh(complaint)
    assert back.carrier_accept_due_at is None
    assert back.carrier_reply_due_at is None


def test_a_high_risk_complaint_gets_the_high_risk_policy_and_starts_with_a_supervisor():
    # Given / When a complaint about medical goods is received
    with at(0):
        complaint = make_complaint(risk_medical=True)
    complaint = fresh(complaint)

    # Then the high-risk policy applies, at supervisor level and high priority
    assert complaint.sla_policy.position == 10
    assert complaint.escalation_level == 1
    assert complaint.priority == Priority.HIGH
    assert complaint.first_response_due_at == T0 + 4 * H
    assert complaint.resolution_due_at == T0 + 48 * H
    assert complaint.progress_due_at == T0 + 24 * H
    assert complaint.statutory_due_at == T0 + 168 * H


def test_a_policy_change_and_refresh_recomputes_open_complaints_due_times():
    # Given an open complaint under the standard policy
    complaint = intake()
    assert fresh(complaint).first_response_due_at == T0 + 24 * H

    # When the standard policy's first-response target drops to 12 h and all clocks are refreshed
    standard = SlaPolicy.objects.get(position=1000)
    standard.first_response_hours = Decimal("12")
    standard.resolution_hours = Decimal("60")
    standard.save()
    with at(1):
        count = complaints_refresh_all_clocks()

    # Then the due times follow the new policy, still counted from receipt
    assert count >= 1
    complaint = fresh(complaint)
    assert complaint.first_response_due_at == T0 + 12 * H
    assert complaint.resolution_due_at == T0 + 60 * H
    assert complaint.next_due_at == T0 + 12 * H
    assert complaint.next_alert_at == T0 + 12 * H - 12 * H * 20 / 100
