"""Inbound email: the signed Reply-To on emails to complainants, Mailgun's inbound webhook through django-anymail
(the signature verified: a forged one writes nothing), each Message-ID once, quoted history stripped, a forged or
unknown token dropped, a known address joining its open complaint, an unknown sender making a new complaint."""

import base64
import hashlib
import hmac
import json
import logging
from datetime import datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail as django_mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from complaints import services
from complaints.choices import Channel, EventKind, Status
from complaints.evidence.models import Evidence
from complaints.followups.outbox import outbox_dispatch
from complaints.inbound.email import inbound_email_receive
from complaints.inbound.mail import mail_from_bytes, reply_text
from complaints.inbound.models import EmailOutcome, EmailSource, InboundEmail
from complaints.links import read_reply_token, reply_address, reply_token
from complaints.models import Complaint, ComplaintEvent
from tests.evidence_files import jpeg_with_gps, png
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
H = timedelta(hours=1)
KEY = "test-mailgun-signing-key"
DOMAIN = "reply.redress.example"
ADDRESS = "zhang.wei@example.cn"


@pytest.fixture(autouse=True)
def inbound_settings(settings, fs_evidence_storage):
    settings.REDRESS_INBOUND_EMAIL_DOMAIN = DOMAIN
    settings.REDRESS_INBOUND_EMAIL_PROVIDER = "mailgun"
    settings.REDRESS_INBOUND_EMAIL_MAILGUN_SIGNING_KEY = KEY


def at(moment):
    return time_machine.travel(moment, tick=False)


def awaiting_complainant(agent, **overrides):
    """From ADDRESS, received at T0, waiting on the complainant from T0 + 2 h."""
    with at(T0):
        complaint = make_complaint(complainant_email=ADDRESS, **overrides)
        services.complaint_assign(complaint=complaint, actor=agent, owner=agent)
    with at(T0 + H):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
    with at(T0 + 2 * H):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.AWAITING_CUSTOMER)
    return Complaint.objects.get(pk=complaint.pk)


def mailgun_post(
    client,
    *,
    to,
    text,
    sender=ADDRESS,
    subject="Re: 您的投诉",
    message_id="<m-1@mail.example.cn>",
    files=(),
    key=KEY,
    token="a" * 50,
    timestamp="1796176800",
):
    """POST what a Mailgun route's forward() sends (the fully parsed form), signed as Mailgun signs it: HMAC-SHA256
    of timestamp + token under the webhook signing key."""
    headers = [["From", f"张伟 <{sender}>"], ["To", to], ["Subject", subject], ["Message-Id", message_id]]
    data = {
        "recipient": to,
        "sender": sender,
        "from": f"张伟 <{sender}>",
        "subject": subject,
        "body-plain": text,
        "message-headers": json.dumps(headers, ensure_ascii=False),
        "timestamp": timestamp,
        "token": token,
        "signature": hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest(),
        "attachment-count": str(len(files)),
    }
    for index, (name, content, content_type) in enumerate(files, start=1):
        data[f"attachment-{index}"] = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(reverse("email-inbound", args=["mailgun"]), data=data)


def replies(complaint):
    return ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.COMPLAINANT_REPLY)


# --- Reply-To ------------------------------------------------------------------------------------------------------


def test_emails_to_the_complainant_carry_the_signed_reply_address_and_staff_emails_do_not(agent, settings):
    # Given a complaint from an email address (its acknowledgement waits in the outbox, and an agent owns it)
    with at(T0):
        complaint = make_complaint(complainant_email=ADDRESS, complainant_phone="")
        services.complaint_assign(complaint=complaint, actor=agent, owner=agent)

    # When the dispatcher sends it
    with at(T0 + H):
        outbox_dispatch()

    # Then the complainant's email says where to reply: this complaint's signed address
    to_complainant = [m for m in django_mail.outbox if m.to == [ADDRESS]]
    assert to_complainant
    (reply_to,) = to_complainant[0].reply_to
    local, domain = reply_to.split("@")
    assert domain == DOMAIN and local.startswith("reply+")
    assert read_reply_token(local.removeprefix("reply+")) == complaint.pk
    assert len(local) <= 64 and local == local.lower()
    # and emails to anyone else carry no reply address
    assert all(not m.reply_to for m in django_mail.outbox if m.to != [ADDRESS])


def test_without_an_inbound_domain_no_reply_to_is_set(settings):
    settings.REDRESS_INBOUND_EMAIL_DOMAIN = ""
    with at(T0):
        make_complaint(complainant_email=ADDRESS, complainant_phone="")
    with at(T0 + H):
        outbox_dispatch()
    assert [m.reply_to for m in django_mail.outbox if m.to == [ADDRESS]] == [[]]


def test_a_reply_token_is_signed_for_one_complaint():
    token = reply_token(41)
    assert read_reply_token(token) == 41
    assert read_reply_token(token.upper()) == 41  # mail systems may change the case
    # Another complaint's number with this signature, or a signature changed by one digit, is refused
    number, mac = token[1:].split("-")
    assert read_reply_token(f"c{int(number, 36) + 1:x}-{mac}") is None
    assert read_reply_token(f"c{number}-{mac[:-1]}{'0' if mac[-1] != '0' else '1'}") is None
    assert read_reply_token("c15-0123456789abcdef0123") is None
    assert read_reply_token("") is None


# --- The webhook ---------------------------------------------------------------------------------------------------


def test_a_signed_reply_is_one_reply_and_the_same_message_id_twice_is_still_one(client, agent):
    # Given a complaint waiting on the complainant, who got an email with its reply address
    complaint = awaiting_complainant(agent)
    to = reply_address(complaint.pk)

    # When Mailgun posts the reply, signed, and then posts it again (a retry: another token, the same Message-ID)
    text = (
        "收件地址是公司前台，请再派送一次。\n\n"
        "在 2026年11月2日 12:00，Redress <noreply@redress.local> 写道：\n> 请补充地址"
    )
    with at(T0 + 5 * H):
        first = mailgun_post(client, to=to, text=text)
        second = mailgun_post(client, to=to, text=text, token="b" * 50)

    # Then both are accepted, and there is one reply: the complainant's words only, the complaint back in progress
    assert (first.status_code, second.status_code) == (200, 200)
    assert InboundEmail.objects.count() == 1
    row = InboundEmail.objects.get()
    assert (row.outcome, row.complaint, row.source) == (EmailOutcome.REPLY, complaint, EmailSource.MAILGUN)
    (reply,) = replies(complaint)
    assert reply.message == "收件地址是公司前台，请再派送一次。"
    assert reply.data["channel"] == "email"
    assert Complaint.objects.get(pk=complaint.pk).status == Status.IN_PROGRESS


def test_a_forged_signature_is_refused_and_nothing_is_written(client, agent):
    # Given a complaint waiting on the complainant
    complaint = awaiting_complainant(agent)
    events_before = ComplaintEvent.objects.count()

    # When a post arrives signed with another key
    with at(T0 + 5 * H):
        response = mailgun_post(client, to=reply_address(complaint.pk), text="我是骗子", key="not-the-key")

    # Then it is refused in the one error shape and nothing is written
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_signature"
    assert not InboundEmail.objects.exists()
    assert ComplaintEvent.objects.count() == events_before
    assert Complaint.objects.get(pk=complaint.pk).status == Status.AWAITING_CUSTOMER


def test_with_a_webhook_secret_a_signed_post_also_needs_the_basic_auth(client, agent, settings):
    # Given the webhook also protected by basic auth (the user and password in the URL given to Mailgun)
    settings.ANYMAIL = {"WEBHOOK_SECRET": "mailgun:s3cret-in-the-url"}
    complaint = awaiting_complainant(agent)

    # When a correctly signed post comes without the basic auth, then with it
    with at(T0 + 5 * H):
        without = mailgun_post(client, to=reply_address(complaint.pk), text="第一次")
        client.defaults["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(b"mailgun:s3cret-in-the-url").decode()
        with_auth = mailgun_post(client, to=reply_address(complaint.pk), text="第二次", message_id="<m-2@x.cn>")

    # Then only the second is recorded
    assert (without.status_code, with_auth.status_code) == (401, 200)
    assert [e.message for e in replies(complaint)] == ["第二次"]


def test_the_webhook_is_refused_when_mailgun_is_not_the_provider_chosen(client, settings):
    settings.REDRESS_INBOUND_EMAIL_PROVIDER = ""
    response = mailgun_post(client, to=f"reply+x@{DOMAIN}", text="hello")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_configured"
    assert client.post(reverse("email-inbound", args=["sendgrid"])).status_code == 404
    assert not InboundEmail.objects.exists()


def test_an_unknown_or_forged_token_is_dropped_with_a_log_line(client, agent, caplog):
    # Given a complaint waiting on the complainant
    complaint = awaiting_complainant(agent)
    number, mac = reply_token(complaint.pk)[1:].split("-")

    # When a mail arrives at its number with a made-up signature
    with caplog.at_level(logging.WARNING, logger="complaints.inbound.email"):
        response = mailgun_post(client, to=f"reply+c{number}-{'0' * 20}@{DOMAIN}", text="请退款")

    # Then it is recorded as dropped, with a log line, and nothing happens on the complaint
    assert response.status_code == 200
    row = InboundEmail.objects.get()
    assert (row.outcome, row.complaint) == (EmailOutcome.DROPPED, None)
    assert "forged or unknown reply address" in caplog.text
    assert not replies(complaint).exists()
    assert Complaint.objects.get(pk=complaint.pk).status == Status.AWAITING_CUSTOMER


def test_a_photo_arrives_with_the_reply_and_a_bad_attachment_is_skipped(client, agent, caplog):
    # Given a complaint waiting on the complainant
    complaint = awaiting_complainant(agent)

    # When the reply carries a photo (with GPS in its EXIF) and an HTML page named like a photo
    files = [
        ("box.jpg", jpeg_with_gps(), "image/jpeg"),
        ("fake.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg"),
    ]
    with caplog.at_level(logging.WARNING, logger="complaints.inbound.email"):
        mailgun_post(client, to=reply_address(complaint.pk), text="箱子破了，见照片。", files=files)

    # Then the text and the photo arrive; the fake is skipped, logged and noted
    (reply,) = replies(complaint)
    assert reply.message == "箱子破了，见照片。"
    (evidence,) = Evidence.objects.filter(complaint=complaint)
    assert (evidence.original_name, evidence.content_type, evidence.event_id) == ("box.jpg", "image/jpeg", reply.pk)
    row = InboundEmail.objects.get()
    assert row.attachments == 1 and "fake.jpg" in row.detail
    assert "fake.jpg" in caplog.text


# --- Routing without a token ---------------------------------------------------------------------------------------


def test_a_known_address_without_a_token_joins_its_latest_open_complaint(client, agent):
    # Given two complaints from the address, the later one open
    with at(T0 - 24 * H):
        older = make_complaint(complainant_email=ADDRESS)
    complaint = awaiting_complainant(agent)

    # When the complainant writes to the support address directly (no token), the address in another case
    with at(T0 + 5 * H):
        mailgun_post(client, to="support@redress.example", sender=ADDRESS.upper(), text="还没收到，请尽快处理。")

    # Then it is a reply on the latest open complaint
    assert InboundEmail.objects.get().outcome == EmailOutcome.REPLY
    assert [e.message for e in replies(complaint)] == ["还没收到，请尽快处理。"]
    assert not replies(older).exists()


def test_an_unknown_sender_makes_a_new_complaint_by_email_in_the_queue(client):
    # When someone we never heard from writes about a waybill
    with at(T0):
        mailgun_post(
            client,
            to="support@redress.example",
            sender="li.na@example.com",
            subject="包裹 ZT9900112233 丢失",
            text="快递显示已签收，但我没有收到。\n\n-- \n李娜\n手机 13900001111",
        )

    # Then it is a new complaint in the queue, by email, with the words but not the signature
    complaint = Complaint.objects.get(complainant_email="li.na@example.com")
    assert (complaint.channel, complaint.status, complaint.owner) == (Channel.EMAIL, Status.NEW, None)
    assert complaint.waybill_number == "ZT9900112233"
    assert complaint.description == "包裹 ZT9900112233 丢失\n\n快递显示已签收，但我没有收到。"
    assert complaint.complainant_name == "张伟"  # the From header's display name
    row = InboundEmail.objects.get()
    assert (row.outcome, row.complaint) == (EmailOutcome.NEW_COMPLAINT, complaint)


def test_an_unknown_sender_without_a_waybill_number_is_kept_for_an_agent(client):
    with at(T0):
        mailgun_post(client, to="support@redress.example", sender="who@example.com", subject="Hi", text="Hello?")
    row = InboundEmail.objects.get()
    assert (row.outcome, row.complaint) == (EmailOutcome.UNMATCHED, None)
    assert not Complaint.objects.exists()


def test_an_out_of_office_reply_is_ignored(agent):
    complaint = awaiting_complainant(agent)
    message = EmailMessage()
    message["From"] = ADDRESS
    message["To"] = reply_address(complaint.pk)
    message["Subject"] = "Automatic reply: 您的投诉"
    message["Message-ID"] = "<ooo-1@example.cn>"
    message["Auto-Submitted"] = "auto-replied"
    message.set_content("I am out of the office until Monday.")
    row, created = inbound_email_receive(mail=mail_from_bytes(message.as_bytes()), source=EmailSource.IMAP)
    assert created and row.outcome == EmailOutcome.IGNORED
    assert not replies(complaint).exists()


# --- What is kept of the text --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Still not delivered.\n\nOn Mon, 2 Nov 2026 at 10:00, Redress <noreply@redress.local> wrote:\n> We are on it.",
        "Still not delivered.\nOn Mon, 2 Nov 2026 at 10:00, Redress <\nreply+c1-0@x.example> wrote:\n> We are on it.",
        "Still not delivered.\n\n-----Original Message-----\nFrom: Redress\nSent: Monday\nSubject: Your complaint",
        "Still not delivered.\n\nFrom: Redress <noreply@redress.local>\nSent: Monday, 2 November 2026\nTo: me",
        "Still not delivered.\n\n发件人: Redress <noreply@redress.local>\n发送时间: 2026年11月2日 10:00\n收件人: 我",
        "Still not delivered.\n\n在 2026年11月2日 10:00，Redress <noreply@redress.local> 写道：\n> 我们正在处理",
        "Still not delivered.\n-- \nZhang Wei\nAcme Ltd.",
        "Still not delivered.\n\nSent from my iPhone",
        "> We are on it.\nStill not delivered.\n> Anything else?",
    ],
)
def test_quoted_history_and_signatures_are_stripped(text):
    assert reply_text(text) == "Still not delivered."


def test_the_text_is_bounded():
    assert len(reply_text("很" * 20000)) == 5000


def test_an_html_only_mail_keeps_the_words_above_the_quote():
    message = EmailMessage()
    message["From"] = ADDRESS
    message["To"] = "support@redress.example"
    message["Subject"] = "Re: 投诉"
    message["Message-ID"] = "<html-1@example.cn>"
    message.set_content(
        "<html><head><style>p{color:red}</style></head><body><div>还是没收到。</div><div><br></div>"
        "<blockquote><div>我们正在处理</div></blockquote></body></html>",
        subtype="html",
    )
    assert reply_text(mail_from_bytes(message.as_bytes()).text) == "还是没收到。"


def test_attachments_over_the_message_limit_are_skipped_and_a_full_complaint_still_gets_the_words(
    client, agent, settings
):
    # Given a complaint waiting on the complainant
    complaint = awaiting_complainant(agent)
    photos = [(f"p{i}.png", png(colour=(i * 30, 10, 10)), "image/png") for i in range(6)]

    # When a reply carries six photos (a message takes five)
    mailgun_post(client, to=reply_address(complaint.pk), text="六张照片。", files=photos)

    # Then five are attached and the sixth is skipped, noted on the row
    assert Evidence.objects.filter(complaint=complaint).count() == 5
    assert "p5.png" in InboundEmail.objects.get().detail

    # And when the complaint can take no more files, the next reply's words still arrive, without its photo
    settings.REDRESS_EVIDENCE_MAX_FILES_PER_COMPLAINT = 5
    mailgun_post(
        client, to=reply_address(complaint.pk), text="再补一张。", files=[photos[5]], message_id="<m-full@x.cn>"
    )
    assert [e.message for e in replies(complaint).order_by("pk")] == ["六张照片。", "再补一张。"]
    assert Evidence.objects.filter(complaint=complaint).count() == 5
    row = InboundEmail.objects.get(message_id="<m-full@x.cn>")
    assert (row.outcome, row.attachments) == (EmailOutcome.REPLY, 0)
