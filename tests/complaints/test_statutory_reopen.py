"""The statutory 7-day limit and reopenings: the limit counts from receipt and ends at the first resolution; a
reopening (the complainant's dissatisfied revisit, or an agent's) does not re-arm it, and owes a fast answer on the
resolution clock instead (docs/metrics.md, "The statutory limit and reopenings")."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaints import services
from complaints.choices import AlertKind, Clock, EventKind, Status
from complaints.models import ClockAlert, Complaint, ComplaintEvent
from complaints.sla.sweep import clocks_sweep
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
H = timedelta(hours=1)
DAY = timedelta(days=1)


def at(moment):
    return time_machine.travel(moment, tick=False)


def fresh(complaint):
    return Complaint.objects.get(pk=complaint.pk)


def sweep_hourly(start, end):
    moment = start
    while moment <= end:
        with at(moment):
            clocks_sweep()
        moment += H


def alerts(complaint, clock, kind=None):
    found = ClockAlert.objects.filter(complaint=complaint, clock=clock)
    return list(found.filter(kind=kind) if kind else found)


def resolved_on(day, agent):
    """A complaint received at T0, answered within the hour and resolved on `day`, with the sweep running."""
    with at(T0):
        complaint = make_complaint()
    with at(T0 + H):
        services.complaint_reply(complaint=complaint, actor=agent, message="您好，我们正在核查。")
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.IN_PROGRESS)
    with at(T0 + day * DAY):
        services.complaint_resolve(complaint=complaint, actor=agent, summary="已补发。", root_cause="分拣错误。")
    return complaint


def test_a_dissatisfied_revisit_on_day_9_records_no_statutory_breach_and_is_owed_an_answer_within_72_hours(agent):
    # Given a complaint received on day 0 and resolved on day 2
    complaint = resolved_on(2, agent)

    # When the complainant answers the revisit on day 9 with a score of 1, which reopens it
    reopened_at = T0 + 9 * DAY
    with at(reopened_at):
        services.complaint_answer_survey(complaint=complaint, cycle=0, score=1, comment="还是没收到。")
    reopened = fresh(complaint)

    # Then no statutory clock runs any more: the limit ended with the resolution on day 2
    assert reopened.status == Status.REOPENED
    assert reopened.statutory_due_at is None
    # and the resolution clock restarted at the reopening: the company owes an answer 72 hours later
    assert reopened.resolution_due_at == reopened_at + 72 * H
    assert reopened.next_due_at <= reopened.resolution_due_at

    # When the sweep runs every hour until just before that answer is due
    sweep_hourly(reopened_at, reopened_at + 71 * H)

    # Then it recorded no statutory breach and nothing escalated: only the resolution clock's warning at 80 %
    assert alerts(complaint, Clock.STATUTORY) == []
    assert not ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.SLA_BREACH).exists()
    (warning,) = alerts(complaint, Clock.RESOLUTION)
    assert (warning.kind, warning.due_at) == (AlertKind.WARNING, reopened_at + 72 * H)
    assert fresh(complaint).escalation_level == 1  # where the dissatisfied answer sent it

    # When no answer comes by the 72nd hour
    with at(reopened_at + 72 * H + timedelta(minutes=1)):
        clocks_sweep()

    # Then the resolution clock is breached, at its real due time, and the complaint escalates again
    breach = ClockAlert.objects.get(complaint=complaint, kind=AlertKind.BREACH)
    assert (breach.clock, breach.due_at) == (Clock.RESOLUTION, reopened_at + 72 * H)
    assert fresh(complaint).escalation_level == 2


def test_a_reopening_within_the_7_days_does_not_re_arm_the_statutory_limit(agent):
    # Given a complaint resolved on day 1 and reopened by an agent on day 3
    complaint = resolved_on(1, agent)
    reopened_at = T0 + 3 * DAY
    with at(reopened_at):
        services.complaint_reopen(complaint=complaint, actor=agent, reason="补发件也丢了。")

    # Then the statutory clock does not run again; the resolution clock runs from the reopening
    reopened = fresh(complaint)
    assert reopened.statutory_due_at is None
    assert reopened.resolution_due_at == reopened_at + 72 * H

    # When the sweep runs every hour until day 8, the complaint still open
    sweep_hourly(reopened_at, T0 + 8 * DAY)

    # Then the statutory limit was neither warned about nor breached; the late answer is a resolution breach
    assert alerts(complaint, Clock.STATUTORY) == []
    (breach,) = alerts(complaint, Clock.RESOLUTION, AlertKind.BREACH)
    assert breach.due_at == reopened_at + 72 * H


def test_a_statutory_breach_recorded_before_the_resolution_stays_and_a_reopening_adds_none(agent):
    # Given a complaint nobody resolved within 7 days, with the sweep running
    with at(T0):
        complaint = make_complaint()
    with at(T0 + H):
        services.complaint_reply(complaint=complaint, actor=agent, message="您好，我们正在核查。")
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.IN_PROGRESS)
    sweep_hourly(T0 + H, T0 + 7 * DAY + H)
    (statutory,) = alerts(complaint, Clock.STATUTORY, AlertKind.BREACH)
    assert statutory.due_at == T0 + 7 * DAY

    # When it is resolved on day 8, reopened on day 10 and the sweep runs on
    with at(T0 + 8 * DAY):
        services.complaint_resolve(complaint=complaint, actor=agent, summary="已赔付。", root_cause="丢件。")
    with at(T0 + 10 * DAY):
        services.complaint_reopen(complaint=complaint, actor=agent, reason="赔付未到账。")
    sweep_hourly(T0 + 10 * DAY, T0 + 11 * DAY)

    # Then the missed limit is still on record, once, and the reopening added no statutory alert
    recorded = {(a.kind, a.due_at) for a in alerts(complaint, Clock.STATUTORY)}
    assert recorded == {(AlertKind.WARNING, T0 + 7 * DAY), (AlertKind.BREACH, T0 + 7 * DAY)}
    assert len(alerts(complaint, Clock.STATUTORY)) == 2
    assert fresh(complaint).statutory_due_at is None
