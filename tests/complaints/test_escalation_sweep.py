"""The clock sweep: a missed target is recorded, escalated and alerted exactly once, however often (or however
concurrently) the sweep runs; warnings at the policy's threshold; manual escalation by supervisors."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaints import services
from complaints.choices import AlertKind, Clock, EventKind, MessageKind, Visibility
from complaints.errors import InvalidInput, NotAllowed
from complaints.models import ClockAlert, Complaint, ComplaintEvent, OutboundMessage
from complaints.sla.escalate import complaint_escalate
from complaints.sla.sweep import clocks_sweep
from tests.concurrency import run_together
from tests.factories import AgentFactory, make_complaint

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
H = timedelta(hours=1)


def at(moment):
    return time_machine.travel(moment, tick=False)


def owned_complaint(owner):
    with at(T0):
        complaint = make_complaint()
        services.complaint_assign(complaint=complaint, actor=owner, owner=owner)
    return complaint


def events(complaint, kind):
    return list(ComplaintEvent.objects.filter(complaint=complaint, kind=kind))


def staff_alerts(complaint):
    return list(OutboundMessage.objects.filter(complaint=complaint, kind=MessageKind.STAFF_ALERT))


@pytest.mark.django_db
def test_first_response_missed_is_breached_and_escalated_exactly_once(agent):
    # Given a complaint owned by an agent, with no human reply for 25 hours
    complaint = owned_complaint(agent)

    # When the sweep runs at +25 h, twice
    with at(T0 + 25 * H):
        first = clocks_sweep()
        second = clocks_sweep()

    # Then the first sweep records one breach and one escalation, the second nothing
    assert (first.breaches, first.escalations, first.warnings) == (1, 1, 0)
    assert (second.breaches, second.escalations, second.warnings) == (0, 0, 0)
    breach = events(complaint, EventKind.SLA_BREACH)
    assert len(breach) == 1
    assert breach[0].data["clock"] == Clock.FIRST_RESPONSE
    assert breach[0].data["late_seconds"] == 3600
    escalated = events(complaint, EventKind.ESCALATED)
    assert len(escalated) == 1
    assert escalated[0].data["from_level"] == 0
    assert escalated[0].data["to_level"] == 1
    assert escalated[0].data["previous_owner"] == agent.username
    # and the complaint moved to the supervisors' queue
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.escalation_level == 1
    assert complaint.owner is None
    # and one ClockAlert, one staff alert to the supervisors
    assert ClockAlert.objects.filter(complaint=complaint, kind=AlertKind.BREACH).count() == 1
    alerts = staff_alerts(complaint)
    assert len(alerts) == 1
    assert alerts[0].recipient == "supervisors@redress.local"
    assert complaint.reference in alerts[0].subject
    # and the sweep next has work at the resolution warning (80 % of 72 h)
    assert complaint.next_alert_at == T0 + timedelta(hours=57, minutes=36)


@pytest.mark.django_db
def test_warning_at_80_percent_is_recorded_once_and_told_to_the_owner(agent):
    # Given an owned complaint with no reply
    complaint = owned_complaint(agent)

    # When the sweep runs just before 19.2 h
    with at(T0 + timedelta(hours=19, minutes=11)):
        early = clocks_sweep()
    # Then nothing happens yet
    assert (early.warnings, early.breaches) == (0, 0)

    # When it runs at 19.2 h, and again an hour later
    with at(T0 + timedelta(hours=19, minutes=12)):
        warned = clocks_sweep()
    with at(T0 + timedelta(hours=20, minutes=12)):
        again = clocks_sweep()

    # Then exactly one warning is recorded (internal), the owner is told once, nothing is escalated
    assert (warned.warnings, warned.breaches, warned.escalations) == (1, 0, 0)
    assert (again.warnings, again.breaches) == (0, 0)
    warnings = events(complaint, EventKind.SLA_WARNING)
    assert len(warnings) == 1
    assert warnings[0].visibility == Visibility.INTERNAL
    assert warnings[0].data["clock"] == Clock.FIRST_RESPONSE
    assert ClockAlert.objects.filter(complaint=complaint, kind=AlertKind.WARNING).count() == 1
    alerts = staff_alerts(complaint)
    assert len(alerts) == 1
    assert alerts[0].recipient == agent.email
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.escalation_level == 0
    assert complaint.owner_id == agent.pk
    # and the next thing to do is the breach itself
    assert complaint.next_alert_at == T0 + 24 * H


@pytest.mark.django_db
def test_a_reply_before_the_deadline_means_no_breach(agent):
    # Given an owned complaint answered by a person after 3 hours
    complaint = owned_complaint(agent)
    with at(T0 + 3 * H):
        services.complaint_reply(complaint=complaint, actor=agent, message="您好，我们正在核查。")

    # When the sweep runs at +25 h
    with at(T0 + 25 * H):
        result = clocks_sweep()

    # Then the first-response clock was never breached
    assert result.breaches == 0
    assert not events(complaint, EventKind.SLA_BREACH)
    assert Complaint.objects.get(pk=complaint.pk).escalation_level == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_the_same_moment_breach_and_escalate_once():
    # Given an owned complaint past its first-response target
    agent = AgentFactory(username="agent_sweep")
    complaint = owned_complaint(agent)
    now = T0 + 25 * H

    # When two sweeps start at the same moment in two threads (each its own connection)
    # (run_together also fails the test if either is still running after 30 s)
    outcomes = run_together(lambda: clocks_sweep(now=now), lambda: clocks_sweep(now=now))
    results = [value for kind, value in outcomes if kind == "ok"]
    errors = [value for kind, value in outcomes if kind == "error"]

    # Then neither failed and, together, they recorded one breach, one escalation and one alert
    assert errors == []
    assert sum(r.breaches for r in results) == 1
    assert sum(r.escalations for r in results) == 1
    assert len(events(complaint, EventKind.SLA_BREACH)) == 1
    assert len(events(complaint, EventKind.ESCALATED)) == 1
    assert ClockAlert.objects.filter(complaint=complaint).count() == 1
    assert len(staff_alerts(complaint)) == 1
    assert Complaint.objects.get(pk=complaint.pk).escalation_level == 1


@pytest.mark.django_db
def test_supervisor_escalates_and_de_escalates_by_hand_with_a_reason(supervisor):
    # Given a frontline complaint
    with at(T0):
        complaint = make_complaint()

    # When a supervisor escalates it with a reason
    with at(T0 + H):
        complaint_escalate(complaint=complaint, actor=supervisor, reason="客户投诉升级至媒体。")

    # Then it is at level 1 with an internal, reasoned event
    assert Complaint.objects.get(pk=complaint.pk).escalation_level == 1
    (up,) = events(complaint, EventKind.ESCALATED)
    assert up.message == "客户投诉升级至媒体。"
    assert up.actor_id == supervisor.pk
    assert up.data == {"from_level": 0, "to_level": 1, "reason": "manual"}
    assert up.created_at == T0 + H

    # When the supervisor brings it back to level 0
    with at(T0 + 2 * H):
        complaint_escalate(complaint=complaint, actor=supervisor, reason="已与客户沟通，风险解除。", to_level=0)

    # Then it is back at the front line, with a de-escalation event
    assert Complaint.objects.get(pk=complaint.pk).escalation_level == 0
    (down,) = events(complaint, EventKind.DE_ESCALATED)
    assert down.data["from_level"] == 1 and down.data["to_level"] == 0
    assert down.message == "已与客户沟通，风险解除。"


@pytest.mark.django_db
def test_manual_escalation_refuses_agents_empty_reasons_and_bad_levels(agent, supervisor):
    # Given a frontline complaint
    with at(T0):
        complaint = make_complaint()
    version = Complaint.objects.get(pk=complaint.pk).version

    # When an agent tries to escalate, Then they are refused
    with pytest.raises(NotAllowed):
        complaint_escalate(complaint=complaint, actor=agent, reason="我想升级。")
    # When a supervisor gives no reason or a level out of range, Then it is refused
    with pytest.raises(InvalidInput):
        complaint_escalate(complaint=complaint, actor=supervisor, reason="   ")
    with pytest.raises(InvalidInput):
        complaint_escalate(complaint=complaint, actor=supervisor, reason="测试", to_level=3)

    # and nothing changed
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.escalation_level == 0
    assert complaint.version == version
    assert not events(complaint, EventKind.ESCALATED)
