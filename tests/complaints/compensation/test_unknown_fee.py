"""A missing shipping fee is unknown, not ¥0.00: intake records none when none is given, the API
and the admin accept and show it, and a claim that needs the fee is refused, saying so, until the fee is recorded."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from complaints import services as complaint_services
from complaints.choices import EventKind
from complaints.compensation import services
from complaints.compensation.calculator import ClaimInputs, PolicyTerms, compute
from complaints.compensation.models import CompensationClaim
from complaints.errors import InvalidInput
from complaints.models import Complaint, ComplaintEvent
from tests.factories import make_complaint
from tests.fixtures.partner_api import NEW_COMPLAINT, detail_url

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _no_fee(**kw):
    return make_complaint(shipping_fee=None, **kw)


# --- the calculator -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("inputs", "terms"),
    [
        pytest.param({"case": "delay", "days_late": 2}, PolicyTerms(), id="delay"),
        pytest.param({"case": "loss"}, PolicyTerms(), id="loss"),
        pytest.param({"case": "contents_mismatch", "mismatch_kind": "wrong_item"}, PolicyTerms(), id="wrong-item"),
        pytest.param({"case": "damage", "damaged_share": D("100")}, PolicyTerms(), id="total-damage"),
        pytest.param(
            {"case": "damage", "damaged_share": D("30")},
            PolicyTerms(uninsured_cap_multiple=D("3")),
            id="uninsured-cap-is-a-multiple-of-the-fee",
        ),
    ],
)
def test_a_claim_that_needs_the_fee_is_not_computed_without_it(inputs, terms):
    claim = ClaimInputs(declared_value=D("200.00"), insured_value=D("0.00"), shipping_fee=None, **inputs)

    with pytest.raises(InvalidInput) as refused:
        compute(claim, terms)

    assert refused.value.code == "shipping_fee_unknown"
    assert list(refused.value.fields) == ["shipping_fee"]


def test_partial_damage_without_an_uninsured_cap_does_not_need_the_fee():
    # 30% of 200.00 = 60.00: the fee plays no part
    claim = ClaimInputs(
        case="damage", declared_value=D("200.00"), insured_value=D("0.00"), shipping_fee=None, damaged_share=D("30")
    )

    assert compute(claim, PolicyTerms()).amount == D("60.00")


# --- intake and the claim -------------------------------------------------------------------------------------------


def test_intake_records_no_fee_when_none_is_given_and_keeps_a_real_zero():
    unknown = make_complaint(shipping_fee=None)
    free = make_complaint(shipping_fee="0.00")
    omitted = complaint_services.complaint_create(
        actor=None,
        channel="phone",
        category="delay",
        waybill_number="ZT750000123456",
        description="快件延误。",
        complainant_name="张伟",
        complainant_phone="13900001111",
    )

    assert Complaint.objects.get(pk=unknown.pk).shipping_fee is None
    assert Complaint.objects.get(pk=omitted.pk).shipping_fee is None
    assert Complaint.objects.get(pk=free.pk).shipping_fee == D("0.00")


def test_a_delay_claim_waits_for_the_fee_and_is_computed_once_it_is_recorded(agent):
    # Given a late parcel whose shipping fee was not recorded
    complaint = _no_fee()

    # When an agent proposes a delay claim, it is refused, saying the fee is needed, and nothing is written
    with pytest.raises(InvalidInput) as refused:
        services.claim_propose(complaint=complaint, actor=agent, case="delay", days_late=2)
    assert refused.value.code == "shipping_fee_unknown"
    assert "shipping_fee" in refused.value.fields
    assert not CompensationClaim.objects.exists()
    assert not ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.COMPENSATION_PROPOSED).exists()

    # Then once the fee is recorded (12.00), the delay claim is its fee: 12.00
    complaint = Complaint.objects.get(pk=complaint.pk)
    complaint_services.complaint_update(
        complaint=complaint, actor=agent, expected_version=complaint.version, changes={"shipping_fee": "12.00"}
    )
    claim = services.claim_propose(
        complaint=Complaint.objects.get(pk=complaint.pk), actor=agent, case="delay", days_late=2
    )
    assert (claim.shipping_fee, claim.proposed_amount) == (D("12.00"), D("12.00"))


def test_a_claim_that_does_not_need_the_fee_keeps_it_unknown(agent):
    # 1 of 4 items of 200.00 damaged: 50.00, whatever the fee
    claim = services.claim_propose(
        complaint=_no_fee(category="damage"), actor=agent, case="damage", items_affected=1, items_total=4
    )

    claim.refresh_from_db()
    assert (claim.shipping_fee, claim.proposed_amount) == (None, D("50.00"))


# --- the partner API ------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("fresh_rate_limits")
def test_the_api_records_an_omitted_fee_as_unknown_and_shows_null(zto_api):
    body = {name: value for name, value in NEW_COMPLAINT.items() if name != "shipping_fee"}

    created = zto_api.post("/api/v1/complaints/", body)

    assert created.status_code == 201, created.content
    assert created.json()["shipping_fee"] is None
    complaint = Complaint.objects.get(reference=created.json()["reference"])
    assert complaint.shipping_fee is None
    assert zto_api.get(detail_url(complaint)).json()["shipping_fee"] is None

    # and a delay claim on it is a 400 naming the field, with its own code
    refused = zto_api.post(detail_url(complaint, "compensation-proposals/"), {"case": "delay", "days_late": 2})
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "shipping_fee_unknown"
    assert "shipping_fee" in refused.json()["error"]["fields"]


@pytest.mark.usefixtures("fresh_rate_limits")
def test_the_api_still_takes_a_fee_and_a_null_one(zto_api):
    with_fee = zto_api.post("/api/v1/complaints/", NEW_COMPLAINT)
    with_null = zto_api.post(
        "/api/v1/complaints/", {**NEW_COMPLAINT, "waybill_number": "ZT75000099998", "shipping_fee": None}
    )

    assert (with_fee.status_code, with_fee.json()["shipping_fee"]) == (201, "12.00")
    assert (with_null.status_code, with_null.json()["shipping_fee"]) == (201, None)


# --- the admin ------------------------------------------------------------------------------------------------------


def test_the_admin_saves_an_empty_fee_as_unknown_and_the_propose_page_says_it_is_needed(agent_client, zto):
    # Given an agent who leaves the fee empty on the add form
    response = agent_client.post(
        reverse("admin:complaints_complaint_add"),
        {
            "waybill_number": "ZT7512345678",
            "carrier": zto.pk,
            "category": "delay",
            "channel": "phone",
            "description": "快件延误。",
            "complainant_name": "赵敏",
            "complainant_phone": "13812345678",
            "language": "zh-hans",
            "contact_channel": "sms",
            "declared_value": "120.00",
            "insured_value": "0.00",
            "shipping_fee": "",
            "priority": "normal",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.shipping_fee is None

    # When they compute a delay claim on it
    page = agent_client.post(
        reverse("admin:compensation_compensationclaim_add"),
        {"complaint": complaint.pk, "case": "delay", "days_late": "2", "_compute": "1"},
        **EN,
    )

    # Then the page shows the fee as not recorded and says the claim needs it; nothing is written
    body = page.content.decode()
    assert page.status_code == 200
    assert "not recorded" in body
    assert "record the fee on the complaint" in body
    assert not CompensationClaim.objects.exists()
