"""POST /api/v1/complaints/{reference}/compensation-proposals/: a carrier proposes compensation on its own
complaints only, with the rest of the API's rules (Idempotency-Key, If-Match, one error shape)."""

import uuid
from decimal import Decimal as D

import pytest

from complaints.choices import EventKind
from complaints.compensation.models import CompensationClaim
from complaints.models import ComplaintEvent
from tests.factories import make_complaint
from tests.fixtures.partner_api import detail_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]

SUFFIX = "compensation-proposals/"


@pytest.fixture
def zto_loss(zto):
    return make_complaint(carrier=zto, category="loss", declared_value=D("300.00"), shipping_fee=D("15.00"))


def _proposal_events(complaint):
    return ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.COMPENSATION_PROPOSED).count()


def test_a_carrier_proposes_on_its_own_complaint_and_gets_the_computation(zto_api, zto_loss):
    response = zto_api.post(detail_url(zto_loss, SUFFIX), {"case": "loss"})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["complaint"] == zto_loss.reference
    assert (body["state"], body["computed_amount"], body["proposed_amount"]) == ("proposed", "315.00", "315.00")
    assert body["explanation"]["en"][-1] == "Compensation: ¥315.00."
    assert body["explanation"]["zh-hans"][-1] == "赔偿金额：¥315.00。"
    assert body["policy_version"] == 1
    assert response.has_header("ETag")
    claim = CompensationClaim.objects.get()
    assert claim.proposed_by.carrier_id == zto_loss.carrier_id
    assert _proposal_events(zto_loss) == 1


def test_another_carriers_complaint_is_not_found_and_nothing_is_written(zto_api, sf):
    sf_complaint = make_complaint(carrier=sf, waybill_number="SF1234567890123", category="loss")

    response = zto_api.post(detail_url(sf_complaint, SUFFIX), {"case": "loss"})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert not CompensationClaim.objects.exists()
    assert _proposal_events(sf_complaint) == 0


def test_the_same_key_replays_the_first_answer_and_proposes_once(zto_api, zto_loss):
    key = str(uuid.uuid4())
    body = {"case": "damage", "damaged_share": "30"}

    first = zto_api.post(detail_url(zto_loss, SUFFIX), body, key=key)
    again = zto_api.post(detail_url(zto_loss, SUFFIX), body, key=key)

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert first.json()["proposed_amount"] == "90.00"
    assert CompensationClaim.objects.count() == 1
    assert _proposal_events(zto_loss) == 1

    # the same key for another request is refused; no key at all too
    reused = zto_api.post(detail_url(zto_loss, SUFFIX), {"case": "delay", "days_late": 1}, key=key)
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    missing = zto_api.post(detail_url(zto_loss, SUFFIX), {"case": "delay", "days_late": 1}, key=False)
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "idempotency_key_missing"
    assert CompensationClaim.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"case": "damage", "damaged_share": "150"}, "damaged_share", id="share-above-100"),
        pytest.param({"case": "damage", "damaged_share": "-1"}, "damaged_share", id="share-negative"),
        pytest.param(
            {"case": "loss", "proposed_amount": "-20.00", "reason": "x"}, "proposed_amount", id="negative-amount"
        ),
        pytest.param(
            {"case": "loss", "proposed_amount": "99999999", "reason": "x"}, "proposed_amount", id="absurd-amount"
        ),
        pytest.param({"case": "loss", "proposed_amount": "100.00"}, "reason", id="other-amount-without-reason"),
        pytest.param({"case": "loss", "state": "approved"}, "state", id="read-only-field"),
        pytest.param({"case": "theft"}, "case", id="unknown-case"),
        pytest.param({"case": "delay"}, "days_late", id="delay-without-days"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_nothing_is_written(zto_api, zto_loss, body, field):
    response = zto_api.post(detail_url(zto_loss, SUFFIX), body)

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert field in error["fields"] and error["message"]
    assert not CompensationClaim.objects.exists()
    assert _proposal_events(zto_loss) == 0


def test_a_second_claim_for_the_same_case_is_a_conflict(zto_api, zto_loss):
    assert zto_api.post(detail_url(zto_loss, SUFFIX), {"case": "loss"}).status_code == 201

    response = zto_api.post(detail_url(zto_loss, SUFFIX), {"case": "loss", "proven_value": "250.00"})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "claim_exists"
    assert CompensationClaim.objects.count() == 1


def test_a_stale_if_match_changes_nothing(zto_api, zto_loss):
    etag = zto_api.get(detail_url(zto_loss)).headers["ETag"]
    assert (
        zto_api.post(detail_url(zto_loss, SUFFIX), {"case": "delay", "days_late": 1}, **{"If-Match": etag}).status_code
        == 201
    )

    # the proposal changed the complaint: the old ETag no longer matches
    response = zto_api.post(detail_url(zto_loss, SUFFIX), {"case": "loss"}, **{"If-Match": etag})

    assert response.status_code == 412
    assert CompensationClaim.objects.count() == 1


def test_the_carrier_sees_its_compensation_proposal_in_the_timeline(zto_api, zto_loss):
    # Given a carrier that proposed compensation
    zto_api.post(detail_url(zto_loss, SUFFIX), {"case": "loss"})
    # When it reads the complaint's events
    events = zto_api.get(detail_url(zto_loss, "events/")).json()
    # Then its proposal is there with the computation
    kinds = [event["kind"] for event in (events["results"] if isinstance(events, dict) else events)]
    assert EventKind.COMPENSATION_PROPOSED in kinds


def test_a_carrier_proposes_by_item_counts_and_gets_the_exact_share(zto_api, zto_loss):
    # 1 of 3 items missing from a parcel declared at 300.00: exactly a third, 100.00
    body = {"case": "contents_mismatch", "mismatch_kind": "wrong_quantity", "items_affected": 1, "items_total": 3}

    response = zto_api.post(detail_url(zto_loss, SUFFIX), body)

    assert response.status_code == 201, response.content
    claim = response.json()
    assert (claim["items_affected"], claim["items_total"], claim["damaged_share"]) == (1, 3, None)
    assert claim["proposed_amount"] == "100.00"
    assert "短少部分价值：¥300.00 × 1/3 = ¥100.00。" in claim["explanation"]["zh-hans"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"items_affected": 4, "items_total": 3}, "items_affected", id="more-than-the-parcel"),
        pytest.param({"items_affected": 1}, "items_total", id="without-total"),
        pytest.param({"items_affected": "one", "items_total": 3}, "items_affected", id="not-a-number"),
        pytest.param({"items_affected": 1, "items_total": 3, "damaged_share": "30"}, "damaged_share", id="both"),
    ],
)
def test_item_counts_that_make_no_sense_are_400_naming_the_field(zto_api, zto_loss, body, field):
    response = zto_api.post(detail_url(zto_loss, SUFFIX), {"case": "damage", **body})

    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not CompensationClaim.objects.exists()


def test_an_amount_with_a_huge_exponent_is_a_quick_400(zto_api, zto_loss):
    response = zto_api.post(
        detail_url(zto_loss, SUFFIX), {"case": "loss", "proposed_amount": "1e100000000", "reason": "x"}
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert "proposed_amount" in error["fields"] and len(response.content) < 2000
    assert not CompensationClaim.objects.exists()
