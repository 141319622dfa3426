"""The dispatcher: retries transient failures with exponential backoff, gives up after the last attempt and alerts
staff, fails permanent errors at once, sends email through Django's mail backend, and never sends twice. One bad
message never stops the others; a run keeps to its time budget; a worker that dies mid-run leaves one message in
doubt, not a batch."""

import json
import smtplib
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail

from complaints.choices import MessageChannel, MessageKind, MessageState
from complaints.followups.outbox import outbox_dispatch
from complaints.followups.sms import FileBackend, PermanentSendError, TransientSendError
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


class FailsForOneNumber:
    """A backend with a bug for one recipient: it raises what no backend is supposed to raise."""

    number = "+8613800000003"  # as stored (E.164)

    def send(self, *, to, body, message_id):
        if to == self.number:
            raise ValueError("Expecting value: line 1 column 1 (char 0)")  # a gateway that answered HTML, say
        return FileBackend().send(to=to, body=body, message_id=message_id)


class SlowFileBackend:
    """A gateway that takes a tenth of a second per message."""

    def send(self, *, to, body, message_id):
        time.sleep(0.1)
        return FileBackend().send(to=to, body=body, message_id=message_id)


class WorkerDied(BaseException):
    """What the dispatcher sees of a worker killed mid-send: nothing after it runs (BaseException, like SystemExit)."""


class DiesOnThirdSend:
    sends = 0

    def send(self, *, to, body, message_id):
        DiesOnThirdSend.sends += 1
        if DiesOnThirdSend.sends == 3:
            raise WorkerDied
        return FileBackend().send(to=to, body=body, message_id=message_id)


class HitsTheSoftTimeLimitOnSecondSend:
    sends = 0

    def send(self, *, to, body, message_id):
        HitsTheSoftTimeLimitOnSecondSend.sends += 1
        if HitsTheSoftTimeLimitOnSecondSend.sends == 2:
            raise SoftTimeLimitExceeded()
        return FileBackend().send(to=to, body=body, message_id=message_id)


class FlakySmtp:
    """An SMTP connection that drops the first message it is given and keeps every message it is given after."""

    attempts: list = []

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        for email in messages:
            FlakySmtp.attempts.append(email.message())
        if len(FlakySmtp.attempts) == 1:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return len(messages)


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


def states(complaints):
    return [ack_of(c).state for c in complaints]


@pytest.mark.django_db
def test_a_backend_error_on_one_message_does_not_stop_the_others(sms_settings, tmp_path):
    # Given five acknowledgements due now, the third to a number the backend chokes on with a ValueError
    sms_settings.REDRESS_SMS_BACKEND = f"{MODULE}.FailsForOneNumber"
    with at(T0):
        complaints = [make_complaint() for _ in range(2)]
        bad = make_complaint(complainant_phone=FailsForOneNumber.number)
        complaints += [make_complaint() for _ in range(2)]

    # When the dispatcher runs
    with at(T0):
        result = outbox_dispatch()

    # Then the four others went out
    assert (result.sent, result.retried, result.failed) == (4, 1, 0)
    assert sorted(line["id"] for line in sms_lines(tmp_path)) == sorted(ack_of(c).pk for c in complaints)
    assert states(complaints) == [MessageState.SENT] * 4
    # and the bad one has its attempt and the error recorded, and is tried again in a minute, not left "sending"
    message = ack_of(bad)
    assert (message.state, message.attempts, message.due_at) == (MessageState.PENDING, 1, T0 + 60 * S)
    assert message.last_error.startswith("ValueError: Expecting value")


@pytest.mark.django_db
def test_a_slow_backend_stops_at_the_time_budget_and_leaves_the_rest_pending(sms_settings, tmp_path):
    # Given eight acknowledgements, a gateway taking 0.1 s per message, and a run allowed 0.25 s
    sms_settings.REDRESS_SMS_BACKEND = f"{MODULE}.SlowFileBackend"
    sms_settings.REDRESS_OUTBOX_TIME_BUDGET_SECONDS = 0.25
    with at(T0):
        complaints = [make_complaint() for _ in range(8)]

    # When the dispatcher runs
    with at(T0):
        first = outbox_dispatch()

    # Then it stopped claiming when its time was up: a few went out, the rest wait "pending", none is "sending"
    assert 1 <= first.sent <= 4
    assert states(complaints).count(MessageState.SENT) == first.sent
    assert states(complaints).count(MessageState.PENDING) == 8 - first.sent
    assert all(ack_of(c).attempts == 0 for c in complaints if ack_of(c).state == MessageState.PENDING)

    # When the next runs come, Then the rest go out, and every message went out exactly once
    with at(T0 + 60 * S):
        while outbox_dispatch().sent:
            pass
    assert states(complaints) == [MessageState.SENT] * 8
    ids = [line["id"] for line in sms_lines(tmp_path)]
    assert sorted(ids) == sorted(ack_of(c).pk for c in complaints)


@pytest.mark.django_db
def test_a_worker_killed_mid_run_leaves_only_the_message_it_was_sending_in_doubt(sms_settings, tmp_path):
    # Given six acknowledgements, and a worker that dies while sending the third
    sms_settings.REDRESS_SMS_BACKEND = f"{MODULE}.DiesOnThirdSend"
    sms_settings.REDRESS_MESSAGE_STUCK_AFTER_SECONDS = 30
    DiesOnThirdSend.sends = 0
    with at(T0):
        complaints = [make_complaint() for _ in range(6)]
        with pytest.raises(WorkerDied):
            outbox_dispatch()

    # Then two were sent, the one it was sending is "sending" with its attempt counted, and the rest still "pending"
    assert states(complaints) == [MessageState.SENT] * 2 + [MessageState.SENDING] + [MessageState.PENDING] * 3
    in_doubt = ack_of(complaints[2])
    assert in_doubt.attempts == 1

    # When a dispatcher runs before the reclaim time, Then the message in doubt is left alone, the rest go out
    with at(T0 + 10 * S):
        assert outbox_dispatch().sent == 3
    assert ack_of(complaints[2]).state == MessageState.SENDING

    # When one runs after it, Then the message in doubt is given back and sent (its second attempt)
    with at(T0 + 31 * S):
        later = outbox_dispatch()
    assert (later.reclaimed, later.sent) == (1, 1)
    assert states(complaints) == [MessageState.SENT] * 6
    assert ack_of(complaints[2]).attempts == 2
    # and nothing but that one message was ever handed to the gateway twice
    handed = [line["id"] for line in sms_lines(tmp_path)]
    assert sorted(handed) == sorted(ack_of(c).pk for c in complaints)


@pytest.mark.django_db
def test_an_email_sent_again_carries_the_same_message_id(settings):
    # Given an email acknowledgement, and an SMTP server that drops the connection on the first try
    settings.EMAIL_BACKEND = f"{MODULE}.FlakySmtp"
    settings.DEFAULT_FROM_EMAIL = "Redress <noreply@redress.example.com>"
    FlakySmtp.attempts = []
    with at(T0):
        complaint = make_complaint(complainant_phone="", complainant_email="li.na@example.com", language="en")
        first = outbox_dispatch()
    with at(T0 + 60 * S):
        second = outbox_dispatch()

    # Then the first attempt is retried, and both attempts carry one stable Message-ID
    assert (first.retried, second.sent) == (1, 1)
    ack = ack_of(complaint)
    assert [m["Message-ID"] for m in FlakySmtp.attempts] == [f"<redress-{ack.pk}@redress.example.com>"] * 2
    assert "SMTPServerDisconnected" not in ack.last_error  # cleared once sent


@pytest.mark.django_db
def test_the_tasks_soft_time_limit_mid_send_stops_the_run_and_leaves_nothing_sending(sms_settings):
    # Given four acknowledgements, and the task's soft time limit firing while the second is being sent
    sms_settings.REDRESS_SMS_BACKEND = f"{MODULE}.HitsTheSoftTimeLimitOnSecondSend"
    HitsTheSoftTimeLimitOnSecondSend.sends = 0
    with at(T0):
        complaints = [make_complaint() for _ in range(4)]

        # When the dispatcher runs, Then the run stops (the task must end now)
        with pytest.raises(SoftTimeLimitExceeded):
            outbox_dispatch()

    # and the interrupted message is due again in a minute with its attempt recorded, the rest still pending
    assert states(complaints) == [MessageState.SENT] + [MessageState.PENDING] * 3
    interrupted = ack_of(complaints[1])
    assert (interrupted.attempts, interrupted.due_at) == (1, T0 + 60 * S)
    assert interrupted.last_error.startswith("SoftTimeLimitExceeded")
