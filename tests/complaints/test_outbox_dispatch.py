"""The dispatcher: retries transient failures with exponential backoff, gives up after the last attempt and alerts
staff, fails permanent errors at once, sends email through Django's mail backend, and never sends twice."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from complaints.choices import MessageChannel, MessageKind, MessageState
from complaints.followups.outbox import outbox_dispatch
from complaints.followups.sms import PermanentSendError, TransientSendError
from complaints.models import OutboundMessage
from tests.concurrency import run_together
from tests.factories import make_complaint

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
S = timedelta(seconds=1)
MODULE = __name__


class AlwaysTransient:
    def send(self, *, to, body, message_id):
        raise TransientSendError("gateway answered 503")


class AlwaysPermanent:
    def send(self, *, to, body, message_id):
        raise PermanentSendError("gateway refused the message: 400")


@pytest.fixture(autouse=True)
def sms_settings(settings, tmp_path):
    settings.REDRESS_SMS_FILE_DIR = str(tmp_path)
    settings.REDRESS_SMS_BACKEND = "complaints.followups.sms.FileBackend"
    settings.REDRESS_MESSAGE_MAX_ATTEMPTS = 3
    settings.REDRESS_MESSAGE_RETRY_BASE_SECONDS = 60
    return settings


def at(moment):
    return time_machine.travel(moment, tick=False)


def sms_lines(tmp_path):
    return [json.loads(line) for f in sorted(tmp_path.glob("sms-*.jsonl")) for line in f.read_text().splitlines()]


def ack_of(complaint):
    return OutboundMessage.objects.get(complaint=complaint, kind=MessageKind.ACKNOWLEDGEMENT)


@pytest.mark.django_db
def test_transient_failures_back_off_then_fail_and_alert_staff(sms_settings):
    # Given an SMS gateway that is always down, and an acknowledgement due now
    sms_settings.REDRESS_SMS_BACKEND = f"{MODULE}.AlwaysTransient"
    with at(T0):
        complaint = make_complaint()

    # When the dispatcher runs now
    with at(T0):
        first = outbox_dispatch()
    # Then it is retried in 60 s
    ack = ack_of(complaint)
    assert (first.retried, first.sent, first.failed) == (1, 0, 0)
    assert (ack.state, ack.attempts, ack.due_at) == (MessageState.PENDING, 1, T0 + 60 * S)
    assert "503" in ack.last_error

    # When it runs before the retry is due, Then nothing is tried
    with at(T0 + 59 * S):
        assert outbox_dispatch().retried == 0
    assert ack_of(complaint).attempts == 1

    # When the retry comes, Then the wait doubles
    with at(T0 + 60 * S):
        assert outbox_dispatch().retried == 1
    ack = ack_of(complaint)
    assert (ack.attempts, ack.due_at) == (2, T0 + 180 * S)

    # When the last attempt fails too
    with at(T0 + 180 * S):
        last = outbox_dispatch()

    # Then the message is failed for good, and staff are told once, by email in the same run (the alert is due
    # at once, so the dispatcher's next batch takes it)
    assert (last.failed, last.sent) == (1, 1)
    ack = ack_of(complaint)
    assert (ack.state, ack.attempts, ack.sent_at) == (MessageState.FAILED, 3, None)
    (alert,) = OutboundMessage.objects.filter(complaint=complaint, kind=MessageKind.STAFF_ALERT)
    assert alert.channel == MessageChannel.EMAIL
    assert alert.recipient == "agents@redress.local"
    assert alert.period == f"failed:{ack.pk}"
    assert complaint.complainant_phone in alert.subject

    assert alert.state == MessageState.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["agents@redress.local"]

    # and the failed SMS is never tried again
    with at(T0 + 10 * 60 * S):
        later = outbox_dispatch()
    assert (later.sent, later.retried, later.failed) == (0, 0, 0)
    assert ack_of(complaint).attempts == 3
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_permanent_failure_fails_at_once_and_alerts_staff(sms_settings):
    # Given a gateway that refuses the message
    sms_settings.REDRESS_SMS_BACKEND = f"{MODULE}.AlwaysPermanent"
    with at(T0):
        complaint = make_complaint()

    # When the dispatcher runs
    with at(T0):
        result = outbox_dispatch()

    # Then the message is failed after one attempt and a staff alert is queued (and sent in the same run)
    assert (result.failed, result.retried, result.sent) == (1, 0, 1)
    ack = ack_of(complaint)
    assert (ack.state, ack.attempts) == (MessageState.FAILED, 1)
    assert "400" in ack.last_error
    assert OutboundMessage.objects.filter(complaint=complaint, kind=MessageKind.STAFF_ALERT).count() == 1


@pytest.mark.django_db
def test_email_is_sent_once_through_the_mail_backend():
    # Given an English-speaking complainant who gave only an email
    with at(T0):
        complaint = make_complaint(complainant_phone="", complainant_email="li.na@example.com", language="en")
    ack = ack_of(complaint)
    assert ack.channel == MessageChannel.EMAIL

    # When the dispatcher runs twice
    with at(T0):
        first = outbox_dispatch()
        second = outbox_dispatch()

    # Then one email went out, in English, and the message is marked sent
    assert (first.sent, second.sent) == (1, 0)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["li.na@example.com"]
    assert email.subject == f"Your complaint {complaint.reference}"
    assert email.extra_headers["X-Redress-Message-Id"] == str(ack.pk)
    ack = ack_of(complaint)
    assert (ack.state, ack.sent_at, ack.attempts) == (MessageState.SENT, T0, 1)


@pytest.mark.django_db
def test_running_the_dispatcher_twice_never_sends_an_sms_twice(tmp_path):
    # Given an acknowledgement due now
    with at(T0):
        complaint = make_complaint()

    # When the dispatcher runs twice, and again a day later
    with at(T0):
        assert outbox_dispatch().sent == 1
        assert outbox_dispatch().sent == 0
    with at(T0 + timedelta(days=1)):
        outbox_dispatch()

    # Then exactly one SMS left, to the complainant
    lines = [line for line in sms_lines(tmp_path) if line["id"] == ack_of(complaint).pk]
    assert len(lines) == 1
    assert lines[0]["to"] == complaint.complainant_phone
    assert ack_of(complaint).provider_id == f"file-{ack_of(complaint).pk}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_dispatchers_at_the_same_moment_send_each_message_once(tmp_path):
    # Given five acknowledgements due now
    with at(T0):
        complaints = [make_complaint() for _ in range(5)]

    # When two dispatchers run at once
    outcomes = run_together(lambda: outbox_dispatch(now=T0), lambda: outbox_dispatch(now=T0))
    results = [value for kind, value in outcomes if kind == "ok"]
    errors = [value for kind, value in outcomes if kind == "error"]

    # Then every message went out exactly once
    assert errors == []
    assert sum(r.sent for r in results) == 5
    ids = [line["id"] for line in sms_lines(tmp_path)]
    assert sorted(ids) == sorted(ack_of(c).pk for c in complaints)
