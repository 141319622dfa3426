"""Inbound SMS through the gateway's uplink callback: authenticated (HMAC of the body, or the URL token), each gateway
message once, a digit answering the pending survey, a reply on the number's complaint, a new complaint otherwise,
and TD/退订 opting the number out of SMS (the outbox then sends by email, or holds)."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from complaints import services
from complaints.choices import Channel, EventKind, MessageChannel, MessageKind, MessageState, Status
from complaints.followups.outbox import outbox_dispatch
from complaints.followups.planning import revisits_plan
from complaints.inbound.models import InboundOutcome, InboundSms, SmsOptOut
from complaints.inbound.sms import signature_for
from complaints.models import Complaint, ComplaintEvent, OutboundMessage, SurveyResponse
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
H = timedelta(hours=1)
DAY = timedelta(days=1)
SECRET = "test-inbound-secret"
TOKEN = "test-inbound-token"
PHONE = "+8613812345678"


@pytest.fixture(autouse=True)
def inbound_settings(settings, tmp_path):
    settings.REDRESS_SMS_FILE_DIR = str(tmp_path)
    settings.REDRESS_SMS_INBOUND_SECRET = SECRET
    settings.REDRESS_SMS_INBOUND_TOKEN = TOKEN


def at(moment):
    return time_machine.travel(moment, tick=False)


def generic(client, text, *, message_id="m-1", mobile="13812345678", secret=SECRET, time=None):
    """POST one SMS in the generic format, signed as the gateway signs it."""
    body = json.dumps({"id": message_id, "mobile": mobile, "text": text, "time": time}, ensure_ascii=False).encode()
    return client.post(
        reverse("sms-uplink", args=["generic"]),
        data=body,
        content_type="application/json",
        headers={"X-Redress-Signature": signature_for(body, secret)},
    )


def aliyun(client, items, *, token=TOKEN):
    """POST Aliyun's SmsUp push: a JSON array, authenticated by the token in the callback URL."""
    body = json.dumps(items, ensure_ascii=False).encode()
    url = reverse("sms-uplink", args=["aliyun"]) + (f"?token={token}" if token is not None else "")
    return client.post(url, data=body, content_type="application/json")


def resolved_with_survey_sent(agent, **overrides):
    """A complaint from PHONE, resolved at T0 + 2 h, whose survey SMS went out 3 days later."""
    with at(T0):
        complaint = make_complaint(complainant_phone="138-1234-5678", **overrides)
    with at(T0 + H):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.IN_PROGRESS)
    with at(T0 + 2 * H):
        services.complaint_resolve(complaint=complaint, actor=agent, summary="已补发。", root_cause="分拣错误。")
    with at(T0 + 3 * DAY + 2 * H):
        revisits_plan()
        outbox_dispatch()
    assert OutboundMessage.objects.get(complaint=complaint, kind=MessageKind.SURVEY).state == MessageState.SENT
    return Complaint.objects.get(pk=complaint.pk)


# --- Authentication ---------------------------------------------------------------------------------------------


def test_a_wrong_signature_is_refused_and_nothing_is_recorded(client, agent):
    # Given a complainant with a pending survey
    complaint = resolved_with_survey_sent(agent)

    # When a callback arrives signed with another secret (or not signed at all)
    with at(T0 + 3 * DAY + 3 * H):
        forged = generic(client, "1", secret="not-the-secret")
        unsigned = client.post(
            reverse("sms-uplink", args=["generic"]),
            data=json.dumps({"id": "x", "mobile": "13812345678", "text": "1"}),
            content_type="application/json",
        )

    # Then both are refused in the one error shape, and nothing happened
    for response in (forged, unsigned):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "bad_signature"
    assert not InboundSms.objects.exists()
    assert not SurveyResponse.objects.exists()
    assert Complaint.objects.get(pk=complaint.pk).status == Status.RESOLVED


def test_a_body_changed_after_signing_is_refused(client):
    # Given a body signed by the gateway, then altered on the way ("5" became "1")
    body = json.dumps({"id": "m-9", "mobile": "13812345678", "text": "5"}).encode()
    signature = signature_for(body, SECRET)
    altered = body.replace(b'"5"', b'"1"')

    # When it arrives
    response = client.post(
        reverse("sms-uplink", args=["generic"]),
        data=altered,
        content_type="application/json",
        headers={"X-Redress-Signature": signature},
    )

    # Then it is refused
    assert response.status_code == 401
    assert not InboundSms.objects.exists()


def test_aliyun_is_refused_without_the_token_and_accepted_with_it(client):
    # Given Aliyun's push for one SMS
    items = [
        {
            "phone_number": "13812345678",
            "content": "你好",
            "send_time": "2026-11-02 10:00:00",
            "dest_code": "1234",
            "sequence_id": 1234567890,
        }
    ]

    # When it comes with a wrong token, without one, then with the right one
    wrong, missing, right = (
        aliyun(client, items, token="guess"),
        aliyun(client, items, token=None),
        aliyun(client, items),
    )

    # Then only the last is taken, and answered as Aliyun expects
    assert (wrong.status_code, missing.status_code) == (401, 401)
    assert right.status_code == 200
    assert right.json() == {"code": 0, "msg": "接收成功"}
    sms = InboundSms.objects.get()
    assert (sms.gateway, sms.gateway_message_id, sms.phone) == ("aliyun", "1234567890", PHONE)
    assert sms.sent_at == datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)


def test_nothing_is_accepted_when_no_secret_is_configured(client, settings):
    # Given a server where inbound SMS was never configured
    settings.REDRESS_SMS_INBOUND_SECRET = settings.REDRESS_SMS_INBOUND_TOKEN = ""

    # When a callback arrives signed with an empty secret
    response = generic(client, "1", secret="")

    # Then it is refused, saying what to set
    assert response.status_code == 403
    assert "REDRESS_SMS_INBOUND_SECRET" in response.json()["error"]["message"]
    assert not InboundSms.objects.exists()


@pytest.mark.parametrize(
    ("method", "gateway", "body", "status", "code"),
    [
        ("post", "generic", b"{not json", 400, "parse_error"),
        ("post", "generic", b'{"id": "1", "text": "hi"}', 400, "invalid"),
        ("post", "aliyun", b'[{"phone_number": "13812345678", "content": "1"}]', 400, "invalid"),
        ("post", "generic", b'{"id": "1", "mobile": "13812345678", "text": "1", "time": "yesterday"}', 400, "invalid"),
        ("post", "twilio", b"{}", 404, "not_found"),
        ("get", "generic", b"", 405, "method_not_allowed"),
    ],
)
def test_bad_callbacks_get_a_clear_4xx_and_write_nothing(client, method, gateway, body, status, code):
    # When a malformed callback arrives (signed, so only its content is at fault)
    url = reverse("sms-uplink", args=[gateway]) + f"?token={TOKEN}"
    response = client.post(url, data=body, content_type="application/json") if method == "post" else client.get(url)

    # Then it is refused in the error shape, and nothing is recorded
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert not InboundSms.objects.exists()


# --- The survey by SMS ------------------------------------------------------------------------------------------


def test_the_survey_sms_says_a_digit_answers_it(agent):
    # Given a resolved complaint whose survey SMS went out
    complaint = resolved_with_survey_sent(agent)

    # Then the SMS tells the complainant they can reply with a digit (and how to opt out)
    body = OutboundMessage.objects.get(complaint=complaint, kind=MessageKind.SURVEY).body
    assert "回复数字1-5" in body
    assert "回复TD退订" in body


def test_a_2_from_the_complainants_phone_answers_the_survey_once_reopens_and_escalates(client, agent):
    # Given a complaint (its phone typed '138-1234-5678') whose survey SMS went out, owned by an agent
    complaint = resolved_with_survey_sent(agent)
    services.complaint_assign(complaint=complaint, actor=agent, owner=agent)

    # When the complainant replies "2" (the gateway sends the number as 13812345678)
    with at(T0 + 3 * DAY + 3 * H):
        response = generic(client, "2", message_id="m-100")

    # Then the survey is answered with 2, the complaint reopened and escalated to a supervisor, as the web survey does
    assert response.status_code == 200
    assert response.json() == {"id": "m-100", "outcome": "survey_answered", "duplicate": False}
    answer = SurveyResponse.objects.get(complaint=complaint)
    assert (answer.score, answer.cycle) == (2, 0)
    complaint.refresh_from_db()
    assert complaint.status == Status.REOPENED
    assert complaint.escalation_level >= 1
    assert complaint.owner is None
    assert complaint.reopen_count == 1
    assert complaint.resolution_due_at is not None

    # When the gateway delivers the same message again, and then the complainant sends "2" once more
    with at(T0 + 3 * DAY + 4 * H):
        again = generic(client, "2", message_id="m-100")
        second = generic(client, "2", message_id="m-101")

    # Then the survey stays answered once: the repeat changed nothing, the second "2" is only a reply
    assert again.json()["duplicate"] is True
    assert second.json()["outcome"] == "reply"
    assert SurveyResponse.objects.filter(complaint=complaint).count() == 1
    assert ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.SURVEY_ANSWERED).count() == 1
    assert Complaint.objects.get(pk=complaint.pk).reopen_count == 1


@pytest.mark.parametrize(
    ("text", "score", "comment"),
    [
        ("５", 5, ""),
        ("4分", 4, ""),
        ("满意", 5, ""),
        ("不满意！", 1, ""),
        ("1，补发的货还是没收到", 1, "补发的货还是没收到"),
    ],
)
def test_full_width_digits_words_and_a_comment_answer_the_survey(client, agent, text, score, comment):
    # Given a pending survey
    complaint = resolved_with_survey_sent(agent)

    # When the complainant answers in their own way
    with at(T0 + 3 * DAY + 3 * H):
        generic(client, text)

    # Then it is read as that score, with the comment
    answer = SurveyResponse.objects.get(complaint=complaint)
    assert (answer.score, answer.comment) == (score, comment)


def test_a_text_that_is_not_a_score_is_a_reply_on_the_resolved_complaint_not_an_answer(client, agent):
    # Given a pending survey
    complaint = resolved_with_survey_sent(agent)

    # When the complainant writes "3天了还没收到" (three days and still nothing): a 3, but not a score
    with at(T0 + 3 * DAY + 3 * H):
        response = generic(client, "3天了还没收到")

    # Then the survey is not answered; the text is their reply on the complaint, for the owner to read
    assert response.json()["outcome"] == "reply"
    assert not SurveyResponse.objects.exists()
    reply = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.COMPLAINANT_REPLY)
    assert reply.message == "3天了还没收到"
    assert Complaint.objects.get(pk=complaint.pk).status == Status.RESOLVED


# --- Replies and new complaints ---------------------------------------------------------------------------------


def test_an_sms_resumes_a_complaint_awaiting_the_complainant(client, agent):
    # Given an open complaint from this number, waiting on the complainant
    with at(T0):
        complaint = make_complaint(complainant_phone="+86 138 1234 5678")
        services.complaint_assign(complaint=complaint, actor=agent, owner=agent)
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
    with at(T0 + H):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.AWAITING_CUSTOMER)

    # When the complainant texts the photo's description back
    with at(T0 + 5 * H):
        response = generic(client, "包装箱右下角压坏了，里面的杯子碎了两个。")

    # Then it is a reply on that complaint, which is in progress again, and its owner is alerted
    assert response.json()["outcome"] == "reply"
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS
    kinds = list(complaint.events.order_by("created_at", "id").values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.COMPLAINANT_REPLY, EventKind.STATUS_CHANGED]
    alert = OutboundMessage.objects.get(complaint=complaint, kind=MessageKind.STAFF_ALERT)
    assert alert.recipient == agent.email
    assert "杯子碎了两个" in alert.body
    assert InboundSms.objects.get().complaint == complaint


def test_a_text_from_a_number_with_only_closed_complaints_is_a_new_complaint_in_the_queue(client, agent, zto):
    # Given a number whose only complaint is closed
    with at(T0):
        old = make_complaint(complainant_phone="13812345678", complainant_name="李娜", carrier=zto)
        services.complaint_transition(complaint=old, actor=agent, to_status=Status.ACKNOWLEDGED)
        services.complaint_transition(complaint=old, actor=agent, to_status=Status.IN_PROGRESS)
        services.complaint_resolve(complaint=old, actor=agent, summary="已处理。", root_cause="延误。")
        services.complaint_close(complaint=old, actor=agent)

    # When the complainant texts about a new problem, naming the waybill
    with at(T0 + DAY):
        response = generic(client, "运单SF1234567890123的快递员态度很差")

    # Then a new complaint is in the queue, by SMS, with their details and that waybill, linked as a repeat
    assert response.json()["outcome"] == "new_complaint"
    new = Complaint.objects.exclude(pk=old.pk).get()
    assert (new.channel, new.status, new.owner) == (Channel.SMS, Status.NEW, None)
    assert (new.complainant_name, new.complainant_phone) == ("李娜", PHONE)
    assert new.waybill_number == "SF1234567890123"
    assert new.description == "运单SF1234567890123的快递员态度很差"
    assert new.repeat_of == old


def test_a_stranger_without_a_waybill_number_is_kept_for_an_agent(client):
    # When a number we have never heard from texts something with no waybill number
    response = generic(client, "你好，请问你们是哪家快递？", mobile="13900001234")

    # Then nothing is created, and the SMS is kept as unmatched
    assert response.json()["outcome"] == "unmatched"
    assert not Complaint.objects.exists()
    assert InboundSms.objects.get().phone == "+8613900001234"


def test_the_same_gateway_message_twice_is_one_reply(client, agent):
    # Given an open complaint from this number
    with at(T0):
        complaint = make_complaint(complainant_phone="13812345678")

    # When the gateway pushes the same message twice (a retry after a timeout), in an Aliyun batch
    item = {"phone_number": "13812345678", "content": "请尽快处理", "send_time": "2026-11-02 11:00:00"}
    with at(T0 + H):
        first = aliyun(client, [{**item, "sequence_id": 42}])
        second = aliyun(client, [{**item, "sequence_id": 42}])

    # Then both are acknowledged, and there is one reply and one alert
    assert first.status_code == second.status_code == 200
    assert InboundSms.objects.count() == 1
    assert complaint.events.filter(kind=EventKind.COMPLAINANT_REPLY).count() == 1
    assert OutboundMessage.objects.filter(complaint=complaint, kind=MessageKind.STAFF_ALERT).count() == 1


# --- Opting out -------------------------------------------------------------------------------------------------


def test_tuiding_opts_the_number_out_and_the_next_sms_is_not_sent(client, agent):
    # Given an open complaint from this number, by SMS, with no email address
    with at(T0):
        complaint = make_complaint(complainant_phone="13812345678")
        outbox_dispatch()  # the acknowledgement went out

    # When the complainant replies 退订
    with at(T0 + H):
        response = generic(client, "退订")

    # Then the number is opted out, and nothing was added to the complaint
    assert response.json()["outcome"] == "opted_out"
    assert SmsOptOut.objects.get().phone == PHONE
    assert not complaint.events.filter(kind=EventKind.COMPLAINANT_REPLY).exists()

    # When the agent resolves it and the dispatcher runs
    with at(T0 + 2 * H):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.IN_PROGRESS)
        services.complaint_resolve(complaint=complaint, actor=agent, summary="已处理。", root_cause="延误。")
        result = outbox_dispatch()

    # Then the resolution notice is not sent: it is held, with why, for the agents to see
    notice = OutboundMessage.objects.get(complaint=complaint, kind=MessageKind.RESOLUTION_NOTICE)
    assert notice.state == MessageState.HELD
    assert notice.sent_at is None
    assert PHONE in notice.last_error
    assert result.held == 1 and result.sent == 0


def test_an_opted_out_number_with_an_email_gets_its_messages_by_email(client, agent):
    # Given a complaint by SMS that also has an email address, and its number opted out with "TD"
    with at(T0):
        complaint = make_complaint(complainant_phone="13812345678", complainant_email="li.na@example.com")
        generic(client, "TD")

    # When its acknowledgement is dispatched
    with at(T0 + H):
        result = outbox_dispatch()

    # Then it went by email, to the complaint's address
    ack = OutboundMessage.objects.get(complaint=complaint, kind=MessageKind.ACKNOWLEDGEMENT)
    assert (ack.state, ack.channel, ack.recipient) == (MessageState.SENT, MessageChannel.EMAIL, "li.na@example.com")
    assert result.sent == 1
    assert [m.to for m in mail.outbox] == [["li.na@example.com"]]


def test_start_opts_the_number_back_in(client, agent):
    # Given a number that opted out with "STOP"
    generic(client, "STOP", message_id="a")
    assert SmsOptOut.objects.filter(phone=PHONE).exists()

    # When it sends "START"
    response = generic(client, "start", message_id="b")

    # Then it gets SMS again
    assert response.json()["outcome"] == "opted_in"
    assert not SmsOptOut.objects.exists()
    with at(T0):
        complaint = make_complaint(complainant_phone="13812345678")
        outbox_dispatch()
    ack = OutboundMessage.objects.get(complaint=complaint, kind=MessageKind.ACKNOWLEDGEMENT)
    assert (ack.state, ack.channel) == (MessageState.SENT, MessageChannel.SMS)


# --- The admin --------------------------------------------------------------------------------------------------


def test_agents_read_an_unmatched_sms_in_the_admin_by_the_number_typed_any_way(client, agent_client):
    # Given an SMS no complaint could take
    generic(client, "你好，请问你们是哪家快递？", mobile="13900001234")

    # When an agent searches the inbound SMS for the number as the person said it
    response = agent_client.get(reverse("admin:complaints_inboundsms_changelist"), {"q": "139 0000 1234"})

    # Then it is listed, as unmatched, and the agent cannot change it
    assert response.status_code == 200
    [sms] = response.context["cl"].result_list
    assert (sms.phone, sms.outcome) == ("+8613900001234", InboundOutcome.UNMATCHED)
    assert agent_client.get(reverse("admin:complaints_inboundsms_change", args=[sms.pk])).status_code == 200
    assert agent_client.post(reverse("admin:complaints_inboundsms_delete", args=[sms.pk])).status_code == 403
