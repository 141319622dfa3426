"""Reading and forwarding complaints: the contract's field names, filters, and only documented fields written."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.roles import Role
from complaints.choices import Channel, Status
from complaints.models import Complaint
from tests.factories import make_complaint
from tests.fixtures.partner_api import NEW_COMPLAINT, detail_url

pytestmark = pytest.mark.django_db

CONTRACT_FIELDS = {
    "reference",
    "waybill_number",
    "category",
    "channel",
    "description",
    "status",
    "merged_into",
    "priority",
    "escalation_level",
    "complainant_name",
    "complainant_phone",
    "complainant_email",
    "language",
    "declared_value",
    "insured_value",
    "shipping_fee",
    "due",
    "created_at",
    "updated_at",
}


def test_detail_has_the_contracts_fields(zto_api, handed_to_zto):
    body = zto_api.get(detail_url(handed_to_zto)).json()
    assert set(body) == CONTRACT_FIELDS
    assert body["reference"] == handed_to_zto.reference
    # Money as decimal strings, and the due time of each running clock
    assert body["declared_value"] == "200.00" and body["shipping_fee"] == "12.00"
    assert set(body["due"]) == {"first_response", "resolution", "progress", "carrier_accept", "statutory"}


def test_create_forwards_a_complaint_as_the_carrier(zto_api, zto):
    # When ZTO forwards a complaint without a channel
    response = zto_api.post("/api/v1/complaints/", NEW_COMPLAINT)

    # then it is ZTO's, from the partner API, recorded by ZTO's API user in the carrier role
    assert response.status_code == 201
    body = response.json()
    assert set(body) == CONTRACT_FIELDS and body["channel"] == Channel.PARTNER_API
    assert response["Location"] == f"/api/v1/complaints/{body['reference']}/"
    complaint = Complaint.objects.get(reference=body["reference"])
    assert complaint.carrier == zto and complaint.status == Status.NEW
    created = complaint.events.get()
    assert created.actor_role == Role.CARRIER and created.actor.carrier == zto


def test_create_explains_what_is_missing(zto_api):
    response = zto_api.post("/api/v1/complaints/", {"category": "parcel", "declared_value": "abc"})
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert {"waybill_number", "category", "description", "complainant_name", "declared_value"} <= set(fields)


def test_create_needs_a_way_to_reach_the_complainant(zto_api):
    body = {**NEW_COMPLAINT, "complainant_phone": ""}
    response = zto_api.post("/api/v1/complaints/", body)
    assert response.status_code == 400
    assert "complainant_phone" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("status", "resolved"),
        ("carrier", "SF"),
        ("owner", 1),
        ("priority", "urgent"),
        ("escalation_level", 2),
        ("due", {}),
        ("reference", "C0000000001"),
        ("first_response_at", "2026-01-01T00:00:00Z"),
        ("carrier_liable", False),
        ("compensation", "999.00"),
        ("risk_medical", True),
        ("version", 7),
        ("resolution_summary", "done"),
        ("created_at", "2020-01-01T00:00:00Z"),
    ],
)
def test_mass_assignment_is_refused_naming_the_field(zto_api, field, value):
    # When a carrier sends a read-only field with a valid complaint
    response = zto_api.post("/api/v1/complaints/", {**NEW_COMPLAINT, field: value})

    # then nothing is created and the field is named as read-only
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Complaint.objects.exists()


def test_unknown_field_is_refused_with_the_writable_ones_listed(zto_api):
    response = zto_api.post("/api/v1/complaints/", {**NEW_COMPLAINT, "waybill": "ZT1"})
    assert response.status_code == 400
    assert "waybill_number" in response.json()["error"]["fields"]["waybill"][0]


def test_mass_assignment_on_replies_and_proposals(zto_api, handed_to_zto):
    for suffix, body in (
        ("replies/", {"message": "好", "public": True, "status": "resolved"}),
        ("resolution-proposals/", {"summary": "s", "root_cause": "r", "state": "confirmed"}),
        ("accept/", {"status": "in_progress"}),
    ):
        response = zto_api.post(detail_url(handed_to_zto, suffix), body)
        assert response.status_code == 400, suffix
    assert Complaint.objects.get(pk=handed_to_zto.pk).version == handed_to_zto.version


def test_list_is_newest_first_and_filters(zto_api, zto):
    # Given three complaints received a day apart, the middle one a loss
    now = timezone.now()
    old = make_complaint(carrier=zto, at=now - timedelta(days=2))
    middle = make_complaint(carrier=zto, category="loss", at=now - timedelta(days=1))
    new = make_complaint(carrier=zto, at=now)

    def refs(**params):
        return [c["reference"] for c in zto_api.get("/api/v1/complaints/", params).json()["results"]]

    assert refs() == [new.reference, middle.reference, old.reference]
    assert refs(category="loss") == [middle.reference]
    assert refs(created_after=(now - timedelta(hours=36)).isoformat()) == [new.reference, middle.reference]
    assert refs(created_before=(now - timedelta(hours=36)).isoformat()) == [old.reference]
    assert refs(status="new") == [new.reference, middle.reference, old.reference]
    assert refs(status="resolved") == []


def test_updated_since_and_overdue(zto_api, zto, agent):
    # Given an old complaint whose clocks ran out and a fresh one
    with time_machine.travel(timezone.now() - timedelta(days=3), tick=False):
        late = make_complaint(carrier=zto)
    fresh = make_complaint(carrier=zto)

    def refs(**params):
        return [c["reference"] for c in zto_api.get("/api/v1/complaints/", params).json()["results"]]

    assert refs(overdue="true") == [late.reference]
    assert refs(overdue="false") == [fresh.reference]
    assert refs(updated_since=(timezone.now() - timedelta(hours=1)).isoformat()) == [fresh.reference]


def test_bad_filter_values_are_400(zto_api):
    response = zto_api.get("/api/v1/complaints/", {"status": "lost", "created_after": "yesterday"})
    assert response.status_code == 400
    assert {"status", "created_after"} <= set(response.json()["error"]["fields"])


def test_events_hide_internal_notes_and_show_actor_roles(zto_api, handed_to_zto, agent):
    # Given an agent's internal note and a public reply
    from complaints import services

    services.complaint_add_note(complaint=handed_to_zto, actor=agent, message="内部：客户很着急")
    services.complaint_reply(complaint=handed_to_zto, actor=agent, message="我们已联系快递公司。")

    events = zto_api.get(detail_url(handed_to_zto, "events/")).json()

    # then the carrier sees the timeline oldest first, without the note
    kinds = [e["kind"] for e in events]
    assert kinds == ["created", "status_changed", "handed_to_carrier", "public_reply"]
    assert all("内部" not in e["message"] for e in events)
    assert events[-1]["actor_role"] == "agent" and events[0]["actor_role"] == "system"
    assert set(events[0]) == {"kind", "created_at", "actor_role", "message", "data"}


def test_accept_stops_the_accept_clock(zto_api, handed_to_zto):
    response = zto_api.post(detail_url(handed_to_zto, "accept/"))
    assert response.status_code == 200
    assert "carrier_accept" not in response.json()["due"] and "carrier_reply" in response.json()["due"]
    event = handed_to_zto.events.get(kind="carrier_accepted")
    assert event.actor_role == Role.CARRIER


def test_accept_when_not_waiting_for_the_carrier_is_409(zto_api, zto_complaint):
    response = zto_api.post(detail_url(zto_complaint, "accept/"))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "illegal_transition"


@pytest.mark.parametrize(
    "moment",
    ["0413-11-02T20:33:56.1+17:17", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-12:00", "2026-11-24T09:00:00"],
)
def test_odd_but_valid_times_in_filters_never_fail(zto_api, zto_complaint, moment):
    # Found by schemathesis: PostgreSQL refuses offsets beyond ±15:59, Python accepts up to ±23:59.
    response = zto_api.get("/api/v1/complaints/", {"created_before": moment, "updated_since": moment})
    assert response.status_code in (200, 400)


def test_carrier_sees_its_breaches_and_escalations(zto_api, handed_to_zto):
    # Given the carrier let its 4-hour accept clock run out
    from complaints.sla.sweep import clocks_sweep

    clocks_sweep(now=timezone.now() + timedelta(hours=5))

    # then its timeline shows the breach and the escalation, by the system
    events = zto_api.get(detail_url(handed_to_zto, "events/")).json()
    breaches = [e for e in events if e["kind"] == "sla_breach"]
    assert breaches and breaches[0]["actor_role"] == "system"
    assert "escalated" in [e["kind"] for e in events]
    assert zto_api.get(detail_url(handed_to_zto)).json()["escalation_level"] == 1
