"""Progress updates: one a day while a complaint is open, saying what changed or what is being done and when the
next update comes; the acknowledgement at intake; SMS never in quiet hours (21:00-09:00 local)."""

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from complaints import services
from complaints.choices import EventKind, MessageChannel, MessageKind, MessageState, Status, Visibility
from complaints.followups.outbox import outbox_dispatch
from complaints.followups.planning import progress_updates_plan
from complaints.models import Complaint, ComplaintEvent, OutboundMessage, SlaPolicy
from complaints.sla.sweep import clocks_sweep
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def sms_to_tmp(settings, tmp_path):
    settings.REDRESS_SMS_FILE_DIR = str(tmp_path)
    settings.REDRESS_SMS_BACKEND = "complaints.followups.sms.FileBackend"


def at(moment):
    return time_machine.travel(moment, tick=False)


def progress_messages(complaint):
    return OutboundMessage.objects.filter(complaint=complaint, kind=MessageKind.PROGRESS_UPDATE)


def local(dt):
    return timezone.localtime(dt, SHANGHAI)


@pytest.mark.parametrize("received", [T0, datetime(2026, 11, 2, 22, 30, tzinfo=SHANGHAI)], ids=["10:00", "22:30"])
def test_an_open_complaint_gets_one_progress_update_a_day_for_a_week_never_in_quiet_hours(received):
    # Given an open complaint whose complainant is reached by SMS
    with at(received):
        complaint = make_complaint()
    assert complaint.contact_channel == "sms"

    # When the planner and the dispatcher run every hour for a week and a half-day
    for hour in range(7 * 24 + 13):
        with at(received + hour * H):
            progress_updates_plan()
            outbox_dispatch()

    # Then seven progress updates were sent, exactly one on each of seven consecutive local days
    sent = list(progress_messages(complaint).filter(state=MessageState.SENT).order_by("sent_at"))
    days = Counter(local(m.sent_at).date() for m in sent)
    assert len(sent) == 7, [local(m.sent_at) for m in sent]
    assert all(count == 1 for count in days.values())
    first_day = local(sent[0].sent_at).date()
    assert sorted(days) == [first_day + timedelta(days=i) for i in range(7)]
    # and one progress event per update, in the timeline
    assert ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.PROGRESS_UPDATE).count() == 7
    # and no SMS at all left between 21:00 and 09:00 local
    all_sms = OutboundMessage.objects.filter(channel=MessageChannel.SMS, sent_at__isnull=False)
    assert all_sms.count() == 8  # the acknowledgement and seven updates
    for message in all_sms:
        assert 9 <= local(message.sent_at).hour < 21, (message.kind, local(message.sent_at))


def test_acknowledgement_is_queued_at_intake_with_the_first_response_time():
    # Given / When a complaint is received at 10:00
    with at(T0):
        complaint = make_complaint()

    # Then one acknowledgement waits in the outbox, due now, by SMS, promising a person within 24 h
    (ack,) = OutboundMessage.objects.filter(complaint=complaint, kind=MessageKind.ACKNOWLEDGEMENT)
    assert ack.state == MessageState.PENDING
    assert ack.channel == MessageChannel.SMS
    assert ack.recipient == complaint.complainant_phone
    assert ack.due_at == T0
    assert complaint.reference in ack.body
    assert "2026-11-03 10:00" in ack.body


def test_acknowledgement_received_at_night_waits_for_the_morning():
    # Given / When a complaint is received at 23:15 local
    with at(datetime(2026, 11, 2, 23, 15, tzinfo=SHANGHAI)):
        complaint = make_complaint()

    # Then the SMS acknowledgement is due at 09:00 the next morning
    ack = OutboundMessage.objects.get(complaint=complaint, kind=MessageKind.ACKNOWLEDGEMENT)
    assert ack.due_at == datetime(2026, 11, 3, 9, 0, tzinfo=SHANGHAI)

    # and the dispatcher at 02:00 does not send it
    with at(datetime(2026, 11, 3, 2, 0, tzinfo=SHANGHAI)):
        assert outbox_dispatch().sent == 0
    with at(datetime(2026, 11, 3, 9, 0, tzinfo=SHANGHAI)):
        assert outbox_dispatch().sent == 1


def test_progress_body_says_what_is_being_done_then_what_changed(agent):
    # Given a new complaint and nothing done for a day
    with at(T0):
        complaint = make_complaint()

    # When the first update is planned at +24 h
    with at(T0 + 24 * H):
        assert progress_updates_plan().planned == 1
    first = progress_messages(complaint).get()

    # Then it says what is being done and when the next update comes
    assert "我们正在核查您的快件情况" in first.body
    assert "2026-11-04 10:00" in first.body
    assert complaint.reference in first.body

    # When the agent acknowledges it and hands it to the carrier, and the next update comes at +48 h
    with at(T0 + 29 * H):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
    with at(T0 + 30 * H):
        services.complaint_hand_to_carrier(complaint=complaint, actor=agent, message="请核实派送记录。")
    with at(T0 + 48 * H):
        assert progress_updates_plan().planned == 1

    # Then the second update says what changed: the carrier was asked
    second = progress_messages(complaint).exclude(pk=first.pk).get()
    assert "我们已请承运商核查您的快件" in second.body
    assert "我们正在核查您的快件情况" not in second.body
    assert "2026-11-05 10:00" in second.body


def test_progress_body_in_english_for_an_english_speaker(agent):
    # Given an English-speaking complainant whose complaint went to the carrier
    with at(T0):
        complaint = make_complaint(language="en")
    with at(T0 + 1 * H):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
        services.complaint_hand_to_carrier(complaint=complaint, actor=agent, message="Please check the delivery.")

    # When the daily update is planned
    with at(T0 + 24 * H):
        progress_updates_plan()

    # Then it is in English and says the carrier was asked
    body = progress_messages(complaint).get().body
    assert "we asked the carrier to check your parcel" in body
    assert "You will hear from us again by 2026-11-04 10:00" in body


def test_running_the_planner_twice_at_the_same_moment_creates_nothing_new():
    # Given a complaint whose progress update is due
    with at(T0):
        complaint = make_complaint()

    # When the planner runs twice at the same moment
    with at(T0 + 24 * H):
        first = progress_updates_plan()
        second = progress_updates_plan()

    # Then only the first planned anything
    assert first.planned == 1
    assert second.planned == 0
    assert progress_messages(complaint).count() == 1
    assert ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.PROGRESS_UPDATE).count() == 1
    assert Complaint.objects.get(pk=complaint.pk).progress_due_at == T0 + 48 * H


def test_resolved_complaints_get_no_progress_updates(agent):
    # Given a complaint resolved on the first day
    with at(T0):
        complaint = make_complaint()
    with at(T0 + H):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.IN_PROGRESS)
        services.complaint_resolve(complaint=complaint, actor=agent, summary="已补发。", root_cause="分拣错误。")

    # When the planner runs two days later
    with at(T0 + 48 * H):
        result = progress_updates_plan()

    # Then nothing is planned
    assert result.planned == 0
    assert not progress_messages(complaint).exists()


def test_two_escalations_in_one_period_are_told_once(agent):
    # Given targets short enough for two breaches within a day: a first reply in 2 h, a resolution in 4 h
    SlaPolicy.objects.create(
        name="短时限", position=1, first_response_hours=Decimal("2"), resolution_hours=Decimal("4")
    )
    with at(T0):
        complaint = make_complaint(language="en")

    # When both are missed, each escalating the complaint a level, and the day's update is planned
    with at(T0 + 2 * H + timedelta(minutes=1)):
        clocks_sweep()
    with at(T0 + 4 * H + timedelta(minutes=1)):
        clocks_sweep()
    assert ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.ESCALATED).count() == 2
    with at(T0 + 24 * H):
        assert progress_updates_plan().planned == 1

    # Then the update says once that a supervisor is handling the complaint
    body = progress_messages(complaint).get().body
    assert body.count("a supervisor is now handling your complaint") == 1


def test_two_status_changes_in_one_period_tell_the_status_now(agent):
    # Given a complaint acknowledged, then put in progress, on the same day
    with at(T0):
        complaint = make_complaint()
    with at(T0 + 1 * H):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
    with at(T0 + 2 * H):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.IN_PROGRESS)
    public_changes = ComplaintEvent.objects.filter(
        complaint=complaint, kind=EventKind.STATUS_CHANGED, visibility=Visibility.PUBLIC
    )
    assert public_changes.count() == 2

    # When the day's update is planned
    with at(T0 + 24 * H):
        progress_updates_plan()

    # Then it gives the status once: the one it has now
    body = progress_messages(complaint).get().body
    assert body.count("当前状态为") == 1
    assert f"当前状态为“{Status.IN_PROGRESS.label}”" in body
