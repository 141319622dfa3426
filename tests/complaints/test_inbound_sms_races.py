"""Inbound SMS at the same moment: the same gateway message delivered several times at once is recorded and acted on
once; two scores for one survey answer it once. PostgreSQL only (SQLite serialises all writers)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaints import services
from complaints.choices import EventKind, MessageKind, Status
from complaints.followups.outbox import outbox_dispatch
from complaints.followups.planning import revisits_plan
from complaints.inbound.models import InboundOutcome, InboundSms
from complaints.inbound.services import inbound_sms_receive
from complaints.inbound.sms import Uplink
from complaints.models import OutboundMessage, SurveyResponse
from tests.concurrency import run_together
from tests.factories import AgentFactory, make_complaint

# serialized_rollback: the flush after a transactional test would otherwise drop the role groups of migration
# accounts 0002, which later tests need.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
H = timedelta(hours=1)
DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def sms_to_tmp(settings, tmp_path):
    settings.REDRESS_SMS_FILE_DIR = str(tmp_path)


def sms(text, message_id):
    return Uplink(gateway="generic", message_id=message_id, phone="13812345678", text=text, sent_at=None)


def test_the_same_message_delivered_four_times_at_once_is_one_reply():
    # Given an open complaint from this number
    with time_machine.travel(T0, tick=False):
        complaint = make_complaint(complainant_phone="13812345678")

    # When the gateway delivers one message four times at the same moment
    outcomes = run_together(*(lambda: inbound_sms_receive(uplink=sms("请尽快处理", "dup-1"), at=T0 + H),) * 4)

    # Then every delivery is answered, one of them as new, and there is one reply
    assert all(kind == "ok" for kind, _result in outcomes), outcomes
    assert sorted(created for _kind, (_row, created) in outcomes) == [False, False, False, True]
    assert InboundSms.objects.count() == 1
    assert complaint.events.filter(kind=EventKind.COMPLAINANT_REPLY).count() == 1


def test_two_scores_at_once_answer_the_survey_once():
    # Given a resolved complaint whose survey SMS went out
    agent = AgentFactory()
    with time_machine.travel(T0, tick=False):
        complaint = make_complaint(complainant_phone="13812345678")
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.IN_PROGRESS)
        services.complaint_resolve(complaint=complaint, actor=agent, summary="已补发。", root_cause="分拣错误。")
    with time_machine.travel(T0 + 3 * DAY, tick=False):
        revisits_plan()
        outbox_dispatch()
    assert OutboundMessage.objects.get(complaint=complaint, kind=MessageKind.SURVEY).sent_at is not None

    # When "2" and "5" arrive at the same moment
    outcomes = run_together(
        lambda: inbound_sms_receive(uplink=sms("2", "a"), at=T0 + 3 * DAY + H),
        lambda: inbound_sms_receive(uplink=sms("5", "b"), at=T0 + 3 * DAY + H),
    )

    # Then one answered the survey and the other became a reply
    assert all(kind == "ok" for kind, _result in outcomes), outcomes
    assert SurveyResponse.objects.filter(complaint=complaint).count() == 1
    assert sorted(InboundSms.objects.values_list("outcome", flat=True)) == sorted(
        [InboundOutcome.SURVEY_ANSWERED, InboundOutcome.REPLY]
    )
