"""Repeat complaints and carrier isolation: what a carrier reads never depends on another carrier's complaints.

Before, SF forwarding a complaint with the phone of a ZTO complainant got priority high, escalation level 1 and
risk_flags ["repeat"] back, and a fresh phone got normal/0: an oracle for "has anyone complained to another carrier
from this phone (or about this waybill)?". Repeats are still detected across carriers for Redress's agents."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from complaints.models import Complaint
from tests.factories import make_complaint
from tests.fixtures.partner_api import NEW_COMPLAINT, detail_url

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
# What SF reads about a complaint it forwarded: the complaint and its creation event.
CARRIER_VISIBLE = ("priority", "escalation_level", "due")


def _forward(api, **fields):
    response = api.post("/api/v1/complaints/", {**NEW_COMPLAINT, **fields})
    assert response.status_code == 201, response.content
    body = response.json()
    created = api.get(detail_url(Complaint.objects.get(reference=body["reference"]), "events/")).json()[0]
    return body, created["data"]


def test_another_carriers_complaint_from_the_same_phone_changes_nothing_the_carrier_reads(sf_api, zto):
    # Given ZTO has a complaint from this phone
    earlier = make_complaint(carrier=zto, complainant_phone=PHONE, at=datetime(2026, 11, 20, 1, 0, tzinfo=UTC))

    # When SF forwards one from the same phone, and one from a phone nobody has complained from, at the same moment
    with time_machine.travel(datetime(2026, 11, 24, 1, 0, tzinfo=UTC), tick=False):
        repeated, repeated_event = _forward(sf_api, complainant_phone=PHONE, waybill_number="SF1000000000001")
        fresh, fresh_event = _forward(sf_api, complainant_phone="13700000000", waybill_number="SF1000000000002")

    # Then SF reads the same for both: normal priority, the frontline, no risk, no link
    assert {name: repeated[name] for name in CARRIER_VISIBLE} == {name: fresh[name] for name in CARRIER_VISIBLE}
    assert (repeated["priority"], repeated["escalation_level"]) == ("normal", 0)
    assert repeated_event == fresh_event
    assert repeated_event["risk_flags"] == [] and "repeat_of" not in repeated_event

    # and Redress's agents still see it is a repeat of ZTO's complaint (internal only), not a carrier-visible risk
    stored = Complaint.objects.get(reference=repeated["reference"])
    assert stored.repeat_of == earlier
    assert stored.risk_repeat is False
    assert stored.events.get().data["repeat_of"] is None  # the event is the carrier's too (webhooks)


def test_another_carriers_complaint_about_the_same_waybill_changes_nothing_either(sf_api, zto):
    earlier = make_complaint(carrier=zto, waybill_number="SF1000000000009")

    repeated, repeated_event = _forward(sf_api, waybill_number="SF1000000000009", complainant_phone="13700000001")

    assert (repeated["priority"], repeated["escalation_level"], repeated_event["risk_flags"]) == ("normal", 0, [])
    assert Complaint.objects.get(reference=repeated["reference"]).repeat_of == earlier


def test_a_repeat_of_the_carriers_own_complaint_is_still_a_repeat(zto_api, zto):
    # Given ZTO's own complaint from this phone
    earlier = make_complaint(carrier=zto, complainant_phone=PHONE)

    # When ZTO forwards another from the same phone
    repeated, event = _forward(zto_api, complainant_phone=PHONE)

    # Then it is a repeat, high priority at the supervisor level, as before
    assert (repeated["priority"], repeated["escalation_level"]) == ("high", 1)
    assert event["risk_flags"] == ["repeat"]
    stored = Complaint.objects.get(reference=repeated["reference"])
    assert stored.repeat_of == earlier and stored.risk_repeat is True
    assert stored.events.get().data["repeat_of"] == earlier.reference


def test_the_agents_see_the_link_to_the_other_carriers_complaint(sf_api, zto, agent_client):
    earlier = make_complaint(carrier=zto, complainant_phone=PHONE)
    repeated, _event = _forward(sf_api, complainant_phone=PHONE)

    page = agent_client.get(
        reverse("admin:complaints_complaint_change", args=[Complaint.objects.get(reference=repeated["reference"]).pk])
    )

    assert page.status_code == 200
    assert earlier.reference in page.content.decode()
