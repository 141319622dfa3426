"""The IMAP poller against a real IMAP server (Dovecot, started by the test: tests/fixtures/imap_server.py): mails
appended with IMAP APPEND become replies and complaints, each Message-ID once; processed mails are marked \\Seen or
moved; a mail that cannot be read is recorded and the next one still arrives; two pollers at once process each mail
once (PostgreSQL)."""

from datetime import datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaints import services
from complaints.choices import Channel, EventKind, Status
from complaints.evidence.models import Evidence
from complaints.inbound.imap import imap_poll
from complaints.inbound.models import EmailOutcome, EmailSource, InboundEmail
from complaints.links import reply_address
from complaints.models import Complaint, ComplaintEvent
from tests.concurrency import run_together
from tests.evidence_files import jpeg_with_gps
from tests.factories import AgentFactory, make_complaint

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
H = timedelta(hours=1)
DOMAIN = "reply.redress.example"
ADDRESS = "zhang.wei@example.cn"


@pytest.fixture(autouse=True)
def imap_settings(settings, imap_server, fs_evidence_storage):
    settings.REDRESS_INBOUND_EMAIL_DOMAIN = DOMAIN
    settings.REDRESS_IMAP_HOST = imap_server.host
    settings.REDRESS_IMAP_PORT = imap_server.port
    settings.REDRESS_IMAP_SSL = False
    settings.REDRESS_IMAP_USER = imap_server.user
    settings.REDRESS_IMAP_PASSWORD = imap_server.password
    settings.REDRESS_IMAP_MAILBOX = "INBOX"
    settings.REDRESS_IMAP_MOVE_TO = ""
    settings.REDRESS_IMAP_TIMEOUT_SECONDS = 10


def at(moment):
    return time_machine.travel(moment, tick=False)


def awaiting_complainant(agent):
    complaint = make_complaint(complainant_email=ADDRESS)
    services.complaint_assign(complaint=complaint, actor=agent, owner=agent)
    services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
    services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.AWAITING_CUSTOMER)
    return complaint


def email(*, to, text, message_id, sender=ADDRESS, subject="Re: 您的投诉", photo=None) -> bytes:
    message = EmailMessage()
    message["From"] = f"张伟 <{sender}>"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message.set_content(text)
    if photo is not None:
        message.add_attachment(photo, maintype="image", subtype="jpeg", filename="box.jpg")
    return message.as_bytes()


def replies(complaint):
    return ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.COMPLAINANT_REPLY)


@pytest.mark.django_db
def test_mails_in_the_mailbox_become_replies_and_complaints_once_each(imap_server, agent):
    # Given a complaint waiting on the complainant, and three mails in the mailbox: the complainant's reply (quoting
    # our email, with a photo), a stranger's complaint about a waybill, and the reply again (the same Message-ID)
    with at(T0):
        complaint = awaiting_complainant(agent)
    reply = email(
        to=reply_address(complaint.pk),
        text="箱子压坏了，照片见附件。\n\nOn Mon, 2 Nov 2026 at 10:00, Redress <noreply@redress.local> wrote:\n> 补充",
        message_id="<reply-1@mail.example.cn>",
        photo=jpeg_with_gps(),
    )
    imap_server.append(reply)
    imap_server.append(
        email(
            to="support@redress.example",
            sender="li.na@example.com",
            subject="运单 ZT9900112233 丢件",
            text="显示签收了但我没收到。",
            message_id="<new-1@example.com>",
        )
    )
    imap_server.append(reply)

    # When the poller runs
    with at(T0 + 5 * H):
        result = imap_poll()

    # Then the reply arrived once, with its photo and without the quote, and the complaint is in progress again
    assert (result.fetched, result.new, result.duplicates, result.failed) == (3, 2, 1, 0)
    (event,) = replies(complaint)
    assert event.message == "箱子压坏了，照片见附件。"
    assert Evidence.objects.filter(complaint=complaint, event=event).count() == 1
    assert Complaint.objects.get(pk=complaint.pk).status == Status.IN_PROGRESS
    # and the stranger's mail is a new complaint by email in the queue
    new = Complaint.objects.get(complainant_email="li.na@example.com")
    assert (new.channel, new.status, new.waybill_number) == (Channel.EMAIL, Status.NEW, "ZT9900112233")
    assert set(InboundEmail.objects.values_list("source", "outcome")) == {
        (EmailSource.IMAP, EmailOutcome.REPLY),
        (EmailSource.IMAP, EmailOutcome.NEW_COMPLAINT),
    }
    # and every mail is marked seen, so the next run finds nothing
    assert imap_server.flags() == [True, True, True]
    assert imap_poll().fetched == 0


@pytest.mark.django_db
def test_a_mail_that_cannot_be_read_is_recorded_and_the_next_one_still_arrives(imap_server, agent, settings):
    # Given a mail over the size limit, then the complainant's reply
    complaint = awaiting_complainant(agent)
    settings.REDRESS_INBOUND_EMAIL_MAX_BYTES = 20_000
    imap_server.append(
        email(to="support@redress.example", text="x", message_id="<big@example.cn>", photo=b"\xff\xd8\xff" * 10_000)
    )
    imap_server.append(email(to=reply_address(complaint.pk), text="地址是公司前台。", message_id="<small@example.cn>"))

    # When the poller runs
    result = imap_poll()

    # Then the big one is recorded as failed (not read), and the reply still arrived; both are done with
    assert (result.fetched, result.new, result.failed) == (2, 1, 1)
    failed = InboundEmail.objects.get(outcome=EmailOutcome.FAILED)
    assert failed.message_id == "<big@example.cn>" and "20000" in failed.detail
    assert [e.message for e in replies(complaint)] == ["地址是公司前台。"]
    assert imap_server.flags() == [True, True]


@pytest.mark.django_db
def test_processed_mails_can_be_moved_to_another_folder(imap_server, agent, settings):
    complaint = awaiting_complainant(agent)
    client = imap_server.connect()
    client.create("Processed")
    client.logout()
    settings.REDRESS_IMAP_MOVE_TO = "Processed"
    imap_server.append(email(to=reply_address(complaint.pk), text="好的。", message_id="<move-1@example.cn>"))

    assert imap_poll().new == 1

    assert (imap_server.count("INBOX"), imap_server.count("Processed")) == (0, 1)
    assert replies(complaint).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_pollers_at_once_process_each_mail_once(imap_server):
    # Given four replies in the mailbox, on four complaints
    agent = AgentFactory(username="agent_imap")
    complaints = [awaiting_complainant(agent) for _ in range(4)]
    for index, complaint in enumerate(complaints):
        imap_server.append(
            email(to=reply_address(complaint.pk), text=f"回复 {index}", message_id=f"<race-{index}@example.cn>")
        )

    # When two workers poll at the same moment
    outcomes = run_together(imap_poll, imap_poll)

    # Then each mail is one reply, whoever took it
    assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
    assert sum(result.new for _, result in outcomes) == 4
    assert InboundEmail.objects.count() == 4
    for index, complaint in enumerate(complaints):
        assert [e.message for e in replies(complaint)] == [f"回复 {index}"]
    assert imap_server.flags() == [True] * 4
