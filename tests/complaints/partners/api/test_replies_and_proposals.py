"""The carrier answers: public replies reach the complainant and count as a human response; private ones are for
the agents; a resolution proposal is confirmed by an agent in the admin, which resolves the complaint."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from complaints.choices import Status
from complaints.models import Complaint, ComplaintEvent, ResolutionProposal
from complaints.selectors import complaint_public_timeline
from tests.fixtures.partner_api import detail_url

pytestmark = pytest.mark.django_db


def test_public_reply_counts_as_the_human_response(zto_api, handed_to_zto):
    # When the carrier replies publicly
    response = zto_api.post(
        detail_url(handed_to_zto, "replies/"), {"message": "快件已找到，今天派送。", "public": True}
    )

    # then the complainant's timeline has it, as the carrier's, and the first-response clock stopped
    assert response.status_code == 201
    assert response.json()["kind"] == "public_reply" and response.json()["actor_role"] == "carrier"
    complaint = Complaint.objects.get(pk=handed_to_zto.pk)
    assert complaint.first_response_at is not None and complaint.first_response_due_at is None
    public = complaint_public_timeline(complaint=complaint, kinds=("public_reply",))
    assert [e.message for e in public] == ["快件已找到，今天派送。"]


def test_private_reply_is_for_carrier_and_agents_only(zto_api, handed_to_zto, agent_client):
    # When the carrier sends a private note
    response = zto_api.post(detail_url(handed_to_zto, "replies/"), {"message": "杭州中转站错分。", "public": False})

    # then it is a carrier note: not public, no first response, but it answers the carrier's clock
    assert response.status_code == 201 and response.json()["kind"] == "carrier_note"
    event = ComplaintEvent.objects.get(complaint=handed_to_zto, kind="carrier_note")
    assert event.visibility == "internal" and event.actor_role == Role.CARRIER
    complaint = Complaint.objects.get(pk=handed_to_zto.pk)
    assert complaint.first_response_at is None
    assert complaint.carrier_accept_due_at is None and complaint.carrier_reply_due_at is None
    assert not complaint_public_timeline(complaint=complaint, kinds=("carrier_note", "public_reply")).exists()
    # the carrier sees it in its timeline, and so do agents in the admin
    assert "杭州中转站错分。" in [e["message"] for e in zto_api.get(detail_url(handed_to_zto, "events/")).json()]
    page = agent_client.get(reverse("admin:complaints_complaint_change", args=[handed_to_zto.pk]))
    assert "杭州中转站错分。" in page.content.decode()


def test_reply_validation(zto_api, handed_to_zto):
    response = zto_api.post(detail_url(handed_to_zto, "replies/"), {"message": "  ", "public": "maybe"})
    assert response.status_code == 400
    assert {"message", "public"} <= set(response.json()["error"]["fields"])


def test_reply_to_a_closed_complaint_is_409(zto_api, zto, agent):
    from complaints import services
    from tests.factories import make_complaint

    complaint = make_complaint(carrier=zto)
    for status in ("acknowledged", "in_progress"):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=status)
    services.complaint_resolve(complaint=complaint, actor=agent, summary="s", root_cause="r")
    services.complaint_close(complaint=complaint, actor=agent)
    response = zto_api.post(detail_url(complaint, "replies/"), {"message": "好", "public": True})
    assert response.status_code == 409


def test_a_new_proposal_supersedes_the_pending_one(zto_api, handed_to_zto):
    first = zto_api.post(detail_url(handed_to_zto, "resolution-proposals/"), {"summary": "a", "root_cause": "b"})
    second = zto_api.post(detail_url(handed_to_zto, "resolution-proposals/"), {"summary": "c", "root_cause": "d"})
    assert first.status_code == second.status_code == 201
    states = dict(ResolutionProposal.objects.values_list("summary", "state"))
    assert states == {"a": "superseded", "c": "proposed"}
    kinds = [e["kind"] for e in zto_api.get(detail_url(handed_to_zto, "events/")).json()]
    assert kinds.count("resolution_proposed") == 2


def test_agent_confirms_the_proposal_in_the_admin_which_resolves(zto_api, handed_to_zto, agent_client):
    # Given the carrier proposed a resolution
    zto_api.post(
        detail_url(handed_to_zto, "resolution-proposals/"),
        {"summary": "已重新派送并退运费。", "root_cause": "杭州中转站错分。"},
    )
    proposal = ResolutionProposal.objects.get()
    page = agent_client.get(reverse("admin:complaints_complaint_change", args=[handed_to_zto.pk])).content.decode()
    assert "已重新派送并退运费。" in page and "confirm_resolution" in page

    # when an agent confirms it, saying where it arose and that the carrier is liable
    complaint = Complaint.objects.get(pk=handed_to_zto.pk)
    response = agent_client.post(
        reverse("admin:complaints_complaint_action", args=[complaint.pk, "confirm_resolution"]),
        {
            "expected_version": complaint.version,
            "proposal": proposal.pk,
            "root_cause_area": "sorting",
            "carrier_liable": "yes",
        },
    )

    # then the complaint is resolved with the carrier's words and the agent's judgement
    assert response.status_code == 302
    complaint.refresh_from_db()
    proposal.refresh_from_db()
    assert complaint.status == Status.RESOLVED
    assert complaint.resolution_summary == "已重新派送并退运费。" and complaint.root_cause == "杭州中转站错分。"
    assert complaint.root_cause_area == "sorting" and complaint.carrier_liable is True
    assert proposal.state == "confirmed" and proposal.decided_by.username == "agent_wang"
    # and the carrier sees the resolution, by an agent
    events = zto_api.get(detail_url(handed_to_zto, "events/")).json()
    assert events[-1]["kind"] == "resolved" and events[-1]["actor_role"] == "agent"


def test_proposal_on_a_resolved_complaint_is_409(zto_api, zto, agent):
    from complaints import services
    from tests.factories import make_complaint

    complaint = make_complaint(carrier=zto)
    for status in ("acknowledged", "in_progress"):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=status)
    services.complaint_resolve(complaint=complaint, actor=agent, summary="s", root_cause="r")
    response = zto_api.post(detail_url(complaint, "resolution-proposals/"), {"summary": "a", "root_cause": "b"})
    assert response.status_code == 409


def test_volumes_created_then_corrected(zto_api, zto):
    first = zto_api.put("/api/v1/volumes/2026-W47/", {"parcels": 1_250_000})
    assert first.status_code == 201 and first.json()["parcels"] == 1_250_000
    again = zto_api.put("/api/v1/volumes/2026-W47/", {"parcels": 1_300_000})
    assert again.status_code == 200 and again.json()["iso_week"] == "2026-W47"


@pytest.mark.parametrize(
    ("week", "body", "field"),
    [
        ("2026-W54", {"parcels": 1}, "iso_week"),
        ("last-week", {"parcels": 1}, "iso_week"),
        ("2026-W47", {"parcels": -1}, "parcels"),
        ("2026-W47", {"parcels": "many"}, "parcels"),
        ("2026-W47", {"parcels": 1, "carrier": "SF"}, "carrier"),
    ],
)
def test_volume_errors_name_the_field(zto_api, week, body, field):
    response = zto_api.put(f"/api/v1/volumes/{week}/", body)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
