"""The complainant's reply (complaint_receive_reply): a public event, the owner alerted, a complaint awaiting the
complainant back in progress with its resolution clock resumed, and never counted as a progress update."""

from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaints import services
from complaints.choices import EventKind, MessageKind, Status, Visibility
from complaints.errors import IllegalTransition, InvalidInput
from complaints.evidence.models import Evidence
from complaints.evidence.services import IncomingFile
from complaints.links import status_url
from complaints.models import ComplaintEvent, OutboundMessage
from tests.evidence_files import jpeg_with_gps
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
H = timedelta(hours=1)


def at(moment):
    return time_machine.travel(moment, tick=False)


def awaiting_complainant(agent, *, owned=True):
    """Received at T0, acknowledged at T0 + 1 h, waiting on the complainant from T0 + 2 h."""
    with at(T0):
        complaint = make_complaint()
        if owned:
            services.complaint_assign(complaint=complaint, actor=agent, owner=agent)
    with at(T0 + H):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
    with at(T0 + 2 * H):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.AWAITING_CUSTOMER)
    return complaint


def test_a_reply_resumes_a_complaint_awaiting_the_complainant_and_its_resolution_clock(agent):
    # Given a complaint that waited on the complainant from T0 + 2 h (its resolution clock paused, 70 h left)
    complaint = awaiting_complainant(agent)
    complaint.refresh_from_db()
    assert complaint.resolution_due_at is None
    progress_due = complaint.progress_due_at

    # When the complainant replies 10 hours later
    with at(T0 + 12 * H):
        services.complaint_receive_reply(complaint=complaint, channel="sms", message="单号没错，收件地址是公司前台。")

    # Then the complaint is in progress again, each change its own public event by nobody in particular
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS
    reply, resumed = ComplaintEvent.objects.filter(complaint=complaint).order_by("-created_at", "-id")[:2][::-1]
    assert (reply.kind, reply.visibility, reply.actor, reply.message) == (
        EventKind.COMPLAINANT_REPLY,
        Visibility.PUBLIC,
        None,
        "单号没错，收件地址是公司前台。",
    )
    assert reply.data == {"channel": "sms"}
    assert (resumed.kind, resumed.data["from"], resumed.data["to"]) == (
        EventKind.STATUS_CHANGED,
        Status.AWAITING_CUSTOMER,
        Status.IN_PROGRESS,
    )
    # and the resolution clock runs again with the 10 paused hours added (72 h from receipt + 10 h)
    assert complaint.resolution_due_at == T0 + 82 * H
    # and the reply is not a progress update: the complainant still hears from us when they were due to
    assert complaint.progress_due_at == progress_due
    # and it is not a first response either
    assert complaint.first_response_at is None


def test_the_owner_is_alerted_with_the_reply(agent):
    # Given an agent's complaint in progress
    with at(T0):
        complaint = make_complaint()
        services.complaint_assign(complaint=complaint, actor=agent, owner=agent)

    # When the complainant replies on the status page
    with at(T0 + H):
        services.complaint_receive_reply(complaint=complaint, channel="status_page", message="请尽快联系我")

    # Then the owner gets an email alert with the message and a link to the complaint; the status stays
    alert = OutboundMessage.objects.get(complaint=complaint, kind=MessageKind.STAFF_ALERT)
    assert alert.recipient == agent.email
    assert complaint.reference in alert.subject
    assert "请尽快联系我" in alert.body
    assert f"/admin/complaints/complaint/{complaint.pk}/change/" in alert.body
    complaint.refresh_from_db()
    assert complaint.status == Status.NEW


def test_a_reply_on_an_unowned_complaint_alerts_its_levels_queue(agent, settings):
    # Given a complaint nobody owns, waiting on the complainant
    complaint = awaiting_complainant(agent, owned=False)

    # When the complainant replies
    with at(T0 + 3 * H):
        services.complaint_receive_reply(complaint=complaint, channel="email", message="附件是发票")

    # Then the frontline queue is alerted
    alert = OutboundMessage.objects.get(complaint=complaint, kind=MessageKind.STAFF_ALERT)
    assert alert.recipient == settings.REDRESS_ESCALATION_RECIPIENTS[0]


def test_each_reply_is_recorded(agent):
    # Given a complaint
    with at(T0):
        complaint = make_complaint()

    # When the complainant replies twice
    with at(T0 + H):
        services.complaint_receive_reply(complaint=complaint, channel="sms", message="在吗")
        services.complaint_receive_reply(complaint=complaint, channel="sms", message="在吗")

    # Then both are on the timeline, each with its alert
    assert complaint.events.filter(kind=EventKind.COMPLAINANT_REPLY).count() == 2
    assert OutboundMessage.objects.filter(complaint=complaint, kind=MessageKind.STAFF_ALERT).count() == 2


def test_a_closed_complaint_takes_no_reply(agent):
    # Given a closed complaint
    with at(T0):
        complaint = make_complaint()
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.IN_PROGRESS)
        services.complaint_resolve(complaint=complaint, actor=agent, summary="已处理。", root_cause="延误。")
        services.complaint_close(complaint=complaint, actor=agent)

    # When a reply comes for it, Then it is refused and nothing is written
    with pytest.raises(IllegalTransition):
        services.complaint_receive_reply(complaint=complaint, channel="sms", message="谢谢")
    assert not complaint.events.filter(kind=EventKind.COMPLAINANT_REPLY).exists()


@pytest.mark.parametrize(
    ("channel", "message", "field"),
    [("sms", "   ", "message"), ("fax", "你好", "channel"), ("sms", "长" * 5001, "message")],
)
def test_an_empty_or_unknown_reply_is_refused(agent, channel, message, field):
    with at(T0):
        complaint = make_complaint()

    with pytest.raises(InvalidInput) as refused:
        services.complaint_receive_reply(complaint=complaint, channel=channel, message=message)

    assert field in refused.value.fields
    assert not complaint.events.filter(kind=EventKind.COMPLAINANT_REPLY).exists()


def test_files_come_with_the_reply_as_the_complainants_evidence(agent, fs_evidence_storage):
    # Given a complaint waiting on the complainant
    complaint = awaiting_complainant(agent)

    # When the complainant sends a photo, without words
    with at(T0 + 3 * H):
        services.complaint_receive_reply(
            complaint=complaint, channel="status_page", message="", files=[IncomingFile("箱子.jpg", jpeg_with_gps())]
        )

    # Then the photo belongs to the reply, added by the complainant, visible to them
    reply = complaint.events.get(kind=EventKind.COMPLAINANT_REPLY)
    photo = Evidence.objects.get(complaint=complaint)
    assert (photo.event, photo.added_by, photo.added_by_role, photo.visibility) == (
        reply,
        None,
        "complainant",
        "public",
    )
    assert reply.data == {"channel": "status_page", "files": 1}
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS


def test_the_complainant_sees_their_reply_on_the_status_page(client):
    # Given a complaint the complainant replied on by SMS
    with at(T0):
        complaint = make_complaint()
    with at(T0 + H):
        services.complaint_receive_reply(complaint=complaint, channel="sms", message="箱子在门卫室")

    # When they open their status page
    with at(T0 + 2 * H):
        page = client.get(urlsplit(status_url(complaint.pk)).path)

    # Then their reply is on the timeline
    html = page.content.decode()
    assert "投诉人回复" in html
    assert "箱子在门卫室" in html
