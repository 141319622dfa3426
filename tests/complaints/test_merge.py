"""Duplicates: intake links a complaint about the same waybill as an open one; an agent merges a duplicate into the
complaint that carries on (complaint_merge). A merge changes nothing it should not, tells the complainant once,
stops the duplicate's clocks without breaching, and never crosses carriers."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaints import services
from complaints.choices import EventKind, MessageKind, Status
from complaints.errors import IllegalTransition, InvalidInput, VersionConflict
from complaints.models import ClockAlert, Complaint, ComplaintEvent, OutboundMessage, WebhookDelivery, WebhookEndpoint
from complaints.partners.webhooks.models import WebhookEventType
from complaints.selectors import complaint_public_timeline, complaint_timeline
from complaints.sla.sweep import clocks_sweep
from tests.factories import make_complaint

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
H = timedelta(hours=1)
WAYBILL = "ZT880012345678"

# What a merge may change on the duplicate: its status and primary, its version, and the clocks it stops.
MERGE_CHANGES = {
    "status",
    "merged_into_id",
    "version",
    "updated_at",
    "first_response_due_at",
    "resolution_due_at",
    "progress_due_at",
    "carrier_accept_due_at",
    "carrier_reply_due_at",
    "statutory_due_at",
    "next_due_at",
    "next_alert_at",
}


def at(moment):
    return time_machine.travel(moment, tick=False)


def fields_of(complaint):
    complaint = Complaint.objects.get(pk=complaint.pk)
    return {f.attname: getattr(complaint, f.attname) for f in Complaint._meta.concrete_fields}


def merge_notices(complaint):
    return list(OutboundMessage.objects.filter(complaint=complaint, kind=MessageKind.MERGE_NOTICE))


def pair(*, same_phone=True, **second):
    """A complaint received at T0 and one about the same waybill a day later (the duplicate)."""
    with at(T0):
        first = make_complaint(waybill_number=WAYBILL, complainant_phone="13900001111")
    with at(T0 + 24 * H):
        phone = "13900001111" if same_phone else "13900002222"
        duplicate = make_complaint(waybill_number=WAYBILL, complainant_phone=phone, **second)
    return first, duplicate


@pytest.mark.django_db
def test_intake_links_a_complaint_about_the_waybill_of_an_open_one_without_merging_it():
    # Given an open complaint about a waybill, and a resolved one about another
    first, duplicate = pair()

    # Then the second complaint about the same waybill names the first as its possible duplicate, and stays open
    assert duplicate.duplicate_of_id == first.pk
    assert duplicate.status == Status.NEW and duplicate.merged_into_id is None
    assert Complaint.objects.get(pk=first.pk).status == Status.NEW
    # and a complaint about another waybill is linked to nothing
    assert make_complaint().duplicate_of_id is None


@pytest.mark.django_db
def test_intake_links_only_an_open_complaint(agent):
    # Given a resolved complaint about the waybill
    with at(T0):
        first = make_complaint(waybill_number=WAYBILL)
        services.complaint_transition(complaint=first, actor=agent, to_status=Status.ACKNOWLEDGED)
        services.complaint_transition(complaint=first, actor=agent, to_status=Status.IN_PROGRESS)
        services.complaint_resolve(complaint=first, actor=agent, summary="已补发", root_cause="分拨延误")

    # When another complaint about it arrives
    with at(T0 + 24 * H):
        later = make_complaint(waybill_number=WAYBILL)

    # Then it is no duplicate (it is a repeat: a different link)
    assert later.duplicate_of_id is None
    assert later.repeat_of_id == first.pk


@pytest.mark.django_db
def test_a_merge_changes_only_the_duplicates_status_and_keeps_the_earliest_receipt_on_the_primary(agent):
    # Given a complaint received on day 1 and its duplicate on day 2; the agent merges the older one into the newer
    older, newer = pair()
    before = fields_of(older)

    # When the older is merged into the newer
    with at(T0 + 30 * H):
        merged = services.complaint_merge(duplicate=older, primary=newer, actor=agent, expected_version=older.version)

    # Then the duplicate is merged into the primary, and nothing else of it changed
    after = fields_of(older)
    assert merged.status == after["status"] == Status.MERGED
    assert after["merged_into_id"] == newer.pk
    changed = {name for name in before if before[name] != after[name]}
    assert changed <= MERGE_CHANGES
    assert after["received_at"] == T0 and after["description"] == before["description"]
    # and its clocks stopped
    assert after["statutory_due_at"] is None and after["next_alert_at"] is None
    # and the primary keeps the first contact: the statutory 7 days count from day 1
    primary = Complaint.objects.get(pk=newer.pk)
    assert primary.received_at == T0
    assert primary.statutory_due_at == T0 + 7 * 24 * H
    assert primary.status == Status.NEW
    # and one event on each
    dup_events = ComplaintEvent.objects.filter(complaint=older, kind=EventKind.MERGED)
    assert [e.data["merged_into"] for e in dup_events] == [newer.reference]
    primary_events = ComplaintEvent.objects.filter(complaint=newer, kind=EventKind.DUPLICATE_MERGED)
    assert [e.data["duplicate"] for e in primary_events] == [older.reference]


@pytest.mark.django_db
def test_a_later_duplicate_leaves_the_primarys_receipt_as_it_was(agent):
    first, duplicate = pair()
    with at(T0 + 30 * H):
        services.complaint_merge(duplicate=duplicate, primary=first, actor=agent)
    assert Complaint.objects.get(pk=first.pk).received_at == T0


@pytest.mark.django_db
def test_the_complainant_is_told_once_with_the_primarys_reference(agent):
    # Given a duplicate
    first, duplicate = pair()

    # When it is merged, and the merge is sent again (a double click, a retry)
    with at(T0 + 30 * H):
        services.complaint_merge(duplicate=duplicate, primary=first, actor=agent, expected_version=duplicate.version)
        services.complaint_merge(duplicate=Complaint(pk=duplicate.pk), primary=first, actor=agent, expected_version=2)

    # Then one message, naming the primary's reference, and one merge event
    notices = merge_notices(duplicate)
    assert len(notices) == 1
    assert first.reference in notices[0].body
    assert notices[0].recipient == duplicate.complainant_phone
    assert ComplaintEvent.objects.filter(complaint=duplicate, kind=EventKind.MERGED).count() == 1
    assert ComplaintEvent.objects.filter(complaint=first, kind=EventKind.DUPLICATE_MERGED).count() == 1


@pytest.mark.django_db
def test_the_merged_duplicates_clocks_never_breach_nor_escalate(agent):
    # Given a duplicate merged a few hours after it arrived
    first, duplicate = pair()
    with at(T0 + 26 * H):
        services.complaint_merge(duplicate=duplicate, primary=first, actor=agent)

    # When the sweep runs long after every target of the duplicate (first response, resolution, 7 days)
    for hours in (50, 100, 200, 400):
        with at(T0 + hours * H):
            clocks_sweep()

    # Then the duplicate has no warning, breach or escalation, and stays at its level
    assert not ClockAlert.objects.filter(complaint=duplicate).exists()
    kinds = set(ComplaintEvent.objects.filter(complaint=duplicate).values_list("kind", flat=True))
    assert not kinds & {EventKind.SLA_WARNING, EventKind.SLA_BREACH, EventKind.ESCALATED}
    assert Complaint.objects.get(pk=duplicate.pk).escalation_level == duplicate.escalation_level
    # while the primary's clocks ran on (it was breached: nobody answered it)
    assert ClockAlert.objects.filter(complaint=first, kind="breach").exists()


@pytest.mark.django_db
def test_the_duplicates_events_show_in_the_primarys_timeline(agent):
    # Given a duplicate with a reply, merged
    first, duplicate = pair()
    with at(T0 + 25 * H):
        services.complaint_reply(complaint=duplicate, actor=agent, message="我们正在核实。")
    with at(T0 + 26 * H):
        services.complaint_merge(duplicate=duplicate, primary=first, actor=agent)

    # Then the agents and the complainant (the same phone) see it on the primary's timeline
    staff = list(complaint_timeline(complaint=first))
    assert {e.complaint_id for e in staff} == {first.pk, duplicate.pk}
    public = list(complaint_public_timeline(complaint=first, kinds=("created", "public_reply")))
    assert "我们正在核实。" in [e.message for e in public]


@pytest.mark.django_db
def test_another_complainants_duplicate_stays_off_the_primarys_status_page(agent):
    # Given the recipient's complaint merged into the sender's (another phone)
    first, duplicate = pair(same_phone=False, description="收件人：包裹外箱破损。")
    with at(T0 + 26 * H):
        services.complaint_merge(duplicate=duplicate, primary=first, actor=agent)

    # Then the agents see both, the sender's status page only the sender's own
    assert duplicate.pk in {e.complaint_id for e in complaint_timeline(complaint=first)}
    public = complaint_public_timeline(complaint=first, kinds=("created",))
    assert {e.complaint_id for e in public} == {first.pk}
    # and the recipient's message names the primary but links to their own page
    notice = merge_notices(duplicate)[0]
    assert first.reference in notice.body


@pytest.mark.django_db
@pytest.mark.parametrize(
    "case",
    ["itself", "closed_primary", "resolved_duplicate", "chain", "other_carrier", "stale"],
)
def test_refused_merges_write_nothing(agent, sf, case):
    first, duplicate = pair()
    primary = first
    expected = None
    error = IllegalTransition
    if case == "itself":
        primary, error = duplicate, InvalidInput
    elif case in ("closed_primary", "resolved_duplicate"):
        target = first if case == "closed_primary" else duplicate
        services.complaint_transition(complaint=target, actor=agent, to_status=Status.ACKNOWLEDGED)
        services.complaint_transition(complaint=target, actor=agent, to_status=Status.IN_PROGRESS)
        services.complaint_resolve(complaint=target, actor=agent, summary="已赔付", root_cause="破损")
        if case == "closed_primary":
            services.complaint_close(complaint=target, actor=agent)
    elif case == "chain":
        third = make_complaint(waybill_number=WAYBILL)
        services.complaint_merge(duplicate=first, primary=third, actor=agent)
    elif case == "other_carrier":
        services.complaint_update(complaint=duplicate, actor=agent, expected_version=None, changes={"carrier": sf})
        error = InvalidInput
    elif case == "stale":
        expected, error = duplicate.version - 1 if duplicate.version > 1 else 99, VersionConflict
    before_dup, before_primary = fields_of(duplicate), fields_of(primary)
    messages_before = OutboundMessage.objects.count()

    with pytest.raises(error):
        services.complaint_merge(duplicate=duplicate, primary=primary, actor=agent, expected_version=expected)

    assert fields_of(duplicate) == before_dup
    assert fields_of(primary) == before_primary
    assert OutboundMessage.objects.count() == messages_before


@pytest.mark.django_db
def test_a_complaint_with_duplicates_merged_into_it_is_not_merged_further(agent):
    # Given C merged into B
    first, duplicate = pair()
    third = make_complaint(waybill_number=WAYBILL)
    services.complaint_merge(duplicate=third, primary=duplicate, actor=agent)

    # When B is merged into A: refused (C would name a merged complaint)
    with pytest.raises(IllegalTransition):
        services.complaint_merge(duplicate=duplicate, primary=first, actor=agent)
    assert Complaint.objects.get(pk=duplicate.pk).status == Status.NEW


@pytest.mark.django_db
def test_a_merged_complaint_takes_no_reply(agent):
    first, duplicate = pair()
    services.complaint_merge(duplicate=duplicate, primary=first, actor=agent)
    with pytest.raises(IllegalTransition, match=first.reference):
        services.complaint_reply(complaint=duplicate, actor=agent, message="你好")


@pytest.mark.django_db
def test_a_merged_complaints_details_are_no_longer_corrected(agent, sf):
    # Given a merged duplicate
    first, duplicate = pair()
    services.complaint_merge(duplicate=duplicate, primary=first, actor=agent)
    before = fields_of(duplicate)

    # When an agent tries to move it to another carrier
    with pytest.raises(IllegalTransition, match=first.reference):
        services.complaint_update(complaint=duplicate, actor=agent, expected_version=None, changes={"carrier": sf})

    # Then nothing changed: the merge stays between one carrier's complaints
    assert fields_of(duplicate) == before


@pytest.mark.django_db
def test_the_duplicates_carrier_gets_a_complaint_merged_webhook(agent, zto):
    # Given ZTO's endpoint (every event type) and a duplicate of a ZTO complaint
    endpoint = WebhookEndpoint.objects.create(carrier=zto, url="https://hooks.zto.example/redress", secret="s" * 32)
    first, duplicate = pair(carrier=zto)

    # When it is merged
    services.complaint_merge(duplicate=duplicate, primary=first, actor=agent)

    # Then one complaint.merged delivery for the duplicate, naming the primary
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint, event_type=WebhookEventType.MERGED)
    assert [d.complaint_id for d in deliveries] == [duplicate.pk]
    payload = deliveries[0].payload["data"]
    assert payload["complaint"]["status"] == Status.MERGED
    assert payload["event"]["data"]["merged_into"] == first.reference


@pytest.mark.django_db
def test_the_database_refuses_a_complaint_merged_into_itself():
    from django.db import IntegrityError, transaction

    complaint = make_complaint()
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=complaint.pk).update(status=Status.MERGED, merged_into_id=complaint.pk)


@pytest.mark.django_db
def test_the_weekly_report_counts_a_merged_duplicate_once_through_its_primary(agent, zto):
    from reports.metrics import week_compute
    from reports.weeks import IsoWeek
    from tests.reports.builders import first_reply, local, receive

    # Given a complaint on Tuesday of W47 and its duplicate on Wednesday, answered, then merged into it
    primary = receive(local(11, 17, 10), carrier=zto, waybill_number=WAYBILL)
    duplicate = receive(local(11, 18, 10), carrier=zto, waybill_number=WAYBILL)
    first_reply(duplicate, agent, local(11, 18, 11))
    with at(local(11, 18, 12)):
        services.complaint_merge(duplicate=duplicate, primary=primary, actor=agent)
    # and the sweep running through the week (the primary is never answered)
    for day in (19, 20, 21, 22):
        with at(local(11, day, 12)):
            clocks_sweep()

    # When W47 is computed
    report = week_compute(week=IsoWeek.parse("2026-W47"), now=local(11, 23, 8))

    # Then one complaint was received and is open at the week's end; the duplicate's first reply is not the
    # primary's, and only the primary's breaches count
    headline = report["headline"]
    assert headline["received"]["value"] == 1
    assert headline["backlog"]["value"] == 1
    assert headline["first_response_median_hours"]["value"] is None
    assert not ClockAlert.objects.filter(complaint=duplicate).exists()
    assert headline["breaches"]["value"] == ClockAlert.objects.filter(complaint=primary, kind="breach").count() > 0


@pytest.mark.django_db
def test_the_agent_sees_the_possible_duplicate_and_merges_it_from_the_admin(agent_client):
    from django.urls import reverse

    # Given a duplicate linked at intake
    first, duplicate = pair()
    change_url = reverse("admin:complaints_complaint_change", args=[duplicate.pk])

    # When the agent opens it: the possible duplicate is linked, and "Merge into…" is offered with its reference
    page = agent_client.get(change_url).content.decode()
    assert reverse("admin:complaints_complaint_change", args=[first.pk]) in page
    assert f'value="{first.reference}"' in page

    # When the agent merges it, typing the reference in lower case
    merge_url = reverse("admin:complaints_complaint_action", args=[duplicate.pk, "merge"])
    response = agent_client.post(merge_url, {"primary": first.reference.lower(), "expected_version": duplicate.version})

    # Then it is merged, and the primary's page shows its events
    assert response.status_code == 302
    assert Complaint.objects.get(pk=duplicate.pk).merged_into_id == first.pk
    primary_page = agent_client.get(reverse("admin:complaints_complaint_change", args=[first.pk])).content.decode()
    assert duplicate.reference in primary_page and "重复投诉已合并到本投诉" in primary_page


@pytest.mark.django_db
@pytest.mark.parametrize("reference", ["C0000000000", "", "own"])
def test_a_refused_merge_in_the_admin_is_a_message_not_an_error_page(agent_client, reference):
    from django.contrib.messages import get_messages
    from django.urls import reverse

    first, duplicate = pair()
    if reference == "own":
        reference = duplicate.reference
    merge_url = reverse("admin:complaints_complaint_action", args=[duplicate.pk, "merge"])

    response = agent_client.post(merge_url, {"primary": reference, "expected_version": duplicate.version})

    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    assert Complaint.objects.get(pk=duplicate.pk).status == Status.NEW


@pytest.mark.django_db
def test_the_status_filter_offers_merged(agent_client, agent):
    from django.urls import reverse

    first, duplicate = pair()
    services.complaint_merge(duplicate=duplicate, primary=first, actor=agent)
    listing = agent_client.get(
        reverse("admin:complaints_complaint_changelist"), {"status__exact": "merged", "queue": "all"}
    )
    assert listing.status_code == 200
    body = listing.content.decode()
    assert duplicate.reference in body and first.reference not in body


def _path(url):
    from urllib.parse import urlsplit

    return urlsplit(url).path


@pytest.mark.django_db
def test_the_status_pages_after_a_merge(client, agent):
    from complaints.links import status_url

    # Given the same complainant's duplicate, with a reply, merged into the first complaint (time stands still: the
    # status links are signed with the time)
    first, duplicate = pair()
    with at(T0 + 30 * H):
        services.complaint_reply(complaint=duplicate, actor=agent, message="请提供破损照片。")
        services.complaint_merge(duplicate=duplicate, primary=first, actor=agent)
        primary_link, own_link = _path(status_url(first.pk)), _path(status_url(duplicate.pk))
        primary_page = client.get(primary_link).content.decode()
        duplicate_page = client.get(own_link).content.decode()
        refused = client.post(own_link, {"message": "还在吗？"})

    # Then the primary's page shows the duplicate's reply, marked with its reference
    assert "请提供破损照片。" in primary_page and duplicate.reference in primary_page
    # and the duplicate's page says where it goes on, links there, and takes no more replies
    assert first.reference in duplicate_page and primary_link in duplicate_page
    assert 'id="reply"' not in duplicate_page
    assert refused.status_code == 409


@pytest.mark.django_db
def test_another_complainants_merged_page_does_not_link_to_the_primary(client, agent):
    from complaints.links import status_url

    first, duplicate = pair(same_phone=False)
    with at(T0 + 30 * H):  # the status links are signed with the time
        services.complaint_merge(duplicate=duplicate, primary=first, actor=agent)
        body = client.get(_path(status_url(duplicate.pk))).content.decode()
        own_link, primary_link = _path(status_url(duplicate.pk)), _path(status_url(first.pk))
    assert first.reference in body
    assert primary_link not in body
    # and the notice links to the complainant's own page
    assert own_link in merge_notices(duplicate)[0].body


@pytest.mark.django_db
def test_the_duplicates_files_are_on_the_primarys_page_and_a_merged_complaint_takes_no_more(
    fs_evidence_storage, agent_client, agent
):
    from django.urls import reverse

    from complaints.evidence.services import IncomingFile, evidence_add
    from tests import evidence_files

    # Given the duplicate came with a photo, and was merged
    first, duplicate = pair()
    [photo] = evidence_add(
        complaint=duplicate,
        actor=None,
        complainant=True,
        files=[IncomingFile("box.jpg", evidence_files.jpeg_with_gps())],
        kind="photo",
        visibility="public",
    )
    services.complaint_merge(duplicate=duplicate, primary=first, actor=agent)

    # Then the primary's page links the photo under the primary, and streams it
    file_url = reverse("admin:complaints_complaint_evidence_file", args=[first.pk, photo.pk])
    page = agent_client.get(reverse("admin:complaints_complaint_change", args=[first.pk])).content.decode()
    assert file_url in page
    assert agent_client.get(file_url).status_code == 200
    # and a file for the complainant or the carrier cannot be added to the merged complaint any more
    with pytest.raises(IllegalTransition, match=first.reference):
        evidence_add(
            complaint=duplicate,
            actor=agent,
            files=[IncomingFile("more.png", evidence_files.png())],
            kind="photo",
            visibility="public",
        )
