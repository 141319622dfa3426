"""Idempotency-Key (Stripe's semantics, per carrier): a retry replays the first response and does nothing twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from complaints.models import Complaint, ComplaintEvent, IdempotencyKey
from complaints.partners.api.idempotency import idempotency_keys_purge
from tests.concurrency import run_together
from tests.fixtures.partner_api import NEW_COMPLAINT, CarrierClient, detail_url

pytestmark = pytest.mark.django_db


def test_same_key_same_body_replays_the_first_response(zto_api):
    # Given a complaint forwarded with a key
    first = zto_api.post("/api/v1/complaints/", NEW_COMPLAINT, key="order-1")

    # when the carrier retries with the same key and the same body (keys in another order)
    again = zto_api.post("/api/v1/complaints/", dict(reversed(list(NEW_COMPLAINT.items()))), key="order-1")

    # then it gets the same status and byte-for-byte the same body, and there is still one complaint
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true" and again["ETag"] == first["ETag"]
    assert Complaint.objects.count() == 1


def test_same_key_different_body_is_422(zto_api):
    zto_api.post("/api/v1/complaints/", NEW_COMPLAINT, key="order-1")
    response = zto_api.post("/api/v1/complaints/", {**NEW_COMPLAINT, "category": "loss"}, key="order-1")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Complaint.objects.count() == 1


def test_same_key_on_another_endpoint_is_422(zto_api, handed_to_zto):
    zto_api.post(detail_url(handed_to_zto, "accept/"), key="k-1")
    response = zto_api.post(detail_url(handed_to_zto, "replies/"), {"message": "好", "public": True}, key="k-1")
    assert response.status_code == 422


def test_running_key_with_the_same_request_is_409(zto_api, zto):
    # Given the same request is running (its fingerprint is stored), when the retry arrives, then 409
    first = zto_api.post("/api/v1/complaints/", NEW_COMPLAINT, key="order-1")
    IdempotencyKey.objects.filter(key="order-1").update(state="running")
    response = zto_api.post("/api/v1/complaints/", NEW_COMPLAINT, key="order-1")
    assert first.status_code == 201 and response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_in_progress"


def test_keys_are_scoped_to_the_carrier(zto_api, sf_api):
    zto = zto_api.post("/api/v1/complaints/", NEW_COMPLAINT, key="shared-key")
    sf = sf_api.post("/api/v1/complaints/", NEW_COMPLAINT, key="shared-key")
    assert zto.status_code == sf.status_code == 201
    assert zto.json()["reference"] != sf.json()["reference"]


def test_the_header_is_required_on_writes(zto_api, handed_to_zto):
    for method, path, body in (
        ("post", "/api/v1/complaints/", NEW_COMPLAINT),
        ("post", detail_url(handed_to_zto, "accept/"), {}),
        ("put", "/api/v1/volumes/2026-W47/", {"parcels": 1}),
    ):
        response = getattr(zto_api, method)(path, body, key=False)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "idempotency_key_missing"
    assert Complaint.objects.count() == 1


def test_a_malformed_key_is_400(zto_api):
    response = zto_api.post("/api/v1/complaints/", NEW_COMPLAINT, key="has spaces")
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]


def test_an_error_releases_the_key_so_the_fixed_request_can_use_it(zto_api):
    # Given a request refused for a missing field
    bad = zto_api.post("/api/v1/complaints/", {**NEW_COMPLAINT, "complainant_name": ""}, key="order-1")
    assert bad.status_code == 400

    # when the carrier fixes it and sends it with the same key, then it goes through
    good = zto_api.post("/api/v1/complaints/", NEW_COMPLAINT, key="order-1")
    assert good.status_code == 201


def test_replay_of_a_reply_records_one_event(zto_api, handed_to_zto):
    body = {"message": "已安排重新派送。", "public": True}
    first = zto_api.post(detail_url(handed_to_zto, "replies/"), body, key="reply-1")
    second = zto_api.post(detail_url(handed_to_zto, "replies/"), body, key="reply-1")
    assert first.status_code == second.status_code == 201 and first.content == second.content
    assert ComplaintEvent.objects.filter(complaint=handed_to_zto, kind="public_reply").count() == 1


def test_keys_are_kept_a_day_and_purged_later(zto_api):
    zto_api.post("/api/v1/complaints/", NEW_COMPLAINT, key="order-1")
    assert idempotency_keys_purge(now=timezone.now() + timedelta(hours=25)) == 0
    assert idempotency_keys_purge(now=timezone.now() + timedelta(hours=49)) == 1
    assert not IdempotencyKey.objects.exists()


def test_a_running_key_left_by_a_dead_request_is_taken_over(zto_api, zto):
    IdempotencyKey.objects.create(
        carrier=zto, key="order-1", fingerprint="x" * 64, created_at=timezone.now() - timedelta(minutes=10)
    )
    assert zto_api.post("/api/v1/complaints/", NEW_COMPLAINT, key="order-1").status_code == 201


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_retries_create_exactly_one_complaint(zto):
    # Given a carrier whose system fires the same request eight times at once
    from accounts.services import api_key_issue

    _key, raw = api_key_issue(carrier=zto)
    outcomes = run_together(
        *[lambda: CarrierClient(raw).post("/api/v1/complaints/", NEW_COMPLAINT, key="burst-1") for _ in range(8)]
    )
    responses = [response for kind, response in outcomes if kind == "ok"]
    statuses = [response.status_code for response in responses]
    bodies = [response.content for response in responses]

    # then exactly one complaint exists; each answer is the first response or "still running"
    assert Complaint.objects.count() == 1
    assert sorted(set(statuses)) in ([201], [201, 409])
    assert statuses.count(201) >= 1
    created = [b for s, b in zip(statuses, bodies) if s == 201]
    assert len(set(created)) == 1

    # and a retry afterwards replays it
    again = CarrierClient(raw).post("/api/v1/complaints/", NEW_COMPLAINT, key="burst-1")
    assert again.status_code == 201 and again.content == created[0]
