"""Hostile and odd input (issue 10, items 7-9): every one is a 4xx in the one error shape, small, and changes nothing.
Each case here used to be a 500, a response of megabytes, or a request silently read as something else."""

import json
from urllib.parse import unquote

import pytest
import time_machine

from complaints.compensation.models import CompensationClaim
from complaints.models import Complaint
from reports.models import ParcelVolume
from tests.factories import make_complaint
from tests.fixtures.partner_api import NEW_COMPLAINT, detail_url

pytestmark = pytest.mark.django_db

# An error names what is wrong in a sentence or two; it never grows with the input.
SMALL = 2_000


def _refused(response, status=400, code="invalid"):
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    assert len(response.content) < SMALL, f"{len(response.content)} bytes"
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


# --- Item 7: numbers are bounded before anything formats them ---------------------------------------------------------


@pytest.mark.parametrize(
    "amount",
    [
        "1e100000000",  # 82 bytes of request that made a 133 MB error response
        "1e999999999999999999",  # a 500 (the formatter's limit)
        "1E5",
        "-1e5",
        "NaN",
        "Infinity",
        "1_000",  # Python's Decimal reads underscores
        "１２",  # and full-width digits
        "12 .5",
        "9" * 21,
        1e300,
        True,
        [1],
    ],
)
@pytest.mark.parametrize("field", ["proposed_amount", "proven_value", "damaged_share"])
def test_compensation_numbers_are_plain_and_short_or_400(zto_api, handed_to_zto, field, amount):
    # Given a complaint ZTO may propose compensation on
    # When a number is written in any way but plain digits, or is too long
    response = zto_api.post(
        detail_url(handed_to_zto, "compensation-proposals/"), {"case": "damage", field: amount, "reason": "发票"}
    )

    # Then it is a small 400 naming the field, and no claim exists
    error = _refused(response)
    assert list(error["fields"]) == [field]
    assert not CompensationClaim.objects.exists()


def test_a_plain_amount_too_large_is_refused_by_the_service_in_a_few_bytes(zto_api, handed_to_zto):
    # 20 digits: the most the API lets through, which the compensation service bounds and formats
    response = zto_api.post(
        detail_url(handed_to_zto, "compensation-proposals/"),
        {"case": "loss", "proposed_amount": "9" * 20, "reason": "发票"},
    )
    _refused(response)


def test_a_plain_amount_is_still_accepted(zto_api, handed_to_zto):
    response = zto_api.post(
        detail_url(handed_to_zto, "compensation-proposals/"),
        {"case": "loss", "proposed_amount": "250.00", "reason": "Receipt shows 238.00 plus the fee."},
    )
    assert response.status_code == 201, response.content
    assert response.json()["proposed_amount"] == "250.00"


@pytest.mark.parametrize("amount", ["1e100000000", "1e999999999999999999", "1e3", "1_000", "２００", 1e20, "."])
@pytest.mark.parametrize("field", ["declared_value", "insured_value", "shipping_fee"])
def test_complaint_amounts_are_plain_and_short_or_400(zto_api, field, amount):
    error = _refused(zto_api.post("/api/v1/complaints/", {**NEW_COMPLAINT, field: amount}))
    assert list(error["fields"]) == [field]
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("amount", [200, 12.5, 0])
def test_amounts_are_strings_as_documented_not_json_numbers(zto_api, amount):
    # A JSON number is a float to most clients (12.1 is not 12.10): the schema says string, and so does the API
    error = _refused(zto_api.post("/api/v1/complaints/", {**NEW_COMPLAINT, "declared_value": amount}))
    assert list(error["fields"]) == ["declared_value"]
    assert "12.50" in error["fields"]["declared_value"][0]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description", 5),  # read as "5" before
        ("waybill_number", 75000012345),
        ("category", ["delay"]),
        ("complainant_name", True),
    ],
)
def test_values_of_the_wrong_json_type_are_400(zto_api, field, value):
    error = _refused(zto_api.post("/api/v1/complaints/", {**NEW_COMPLAINT, field: value}))
    assert list(error["fields"]) == [field]


@pytest.mark.parametrize(("field", "value"), [("days_late", "2"), ("days_late", 2.0), ("value_destroyed", "true")])
def test_integers_and_booleans_are_json_integers_and_booleans(zto_api, handed_to_zto, field, value):
    body = {"case": "delay", "days_late": 2, field: value}
    error = _refused(zto_api.post(detail_url(handed_to_zto, "compensation-proposals/"), body))
    assert list(error["fields"]) == [field]


@pytest.mark.parametrize("raw", ['{"case": "delay", "days_late": 1e999}', '{"case": "delay", "days_late": -1e999}'])
def test_a_number_beyond_a_float_is_400(zto_api, handed_to_zto, raw):
    _refused(zto_api.post(detail_url(handed_to_zto, "compensation-proposals/"), raw=raw), code="parse_error")


def test_an_integer_of_thousands_of_digits_is_400(zto_api):
    _refused(zto_api.put("/api/v1/volumes/2026-W01/", raw='{"parcels": ' + "9" * 5000 + "}"), code="parse_error")


# --- Item 8: structure and text ---------------------------------------------------------------------------------------


def test_json_nested_5000_levels_is_400(zto_api):
    # A RecursionError in the idempotency fingerprint before
    nested = "[" * 5000 + "]" * 5000
    error = _refused(zto_api.post("/api/v1/complaints/", raw='{"description": ' + nested + "}"), code="parse_error")
    assert "32" in error["message"]


def test_json_nested_within_the_limit_is_an_ordinary_field_error(zto_api):
    nested = "[" * 20 + "]" * 20
    error = _refused(zto_api.post("/api/v1/complaints/", raw=json.dumps(NEW_COMPLAINT)[:-1] + ', "x": ' + nested + "}"))
    assert list(error["fields"]) == ["x"]


def test_brackets_inside_strings_are_not_nesting(zto_api):
    response = zto_api.post("/api/v1/complaints/", {**NEW_COMPLAINT, "description": '\\"[{' * 1200 + "包裹在哪里？"})
    assert response.status_code == 201, response.content[:300]


@pytest.mark.parametrize(
    "raw",
    [
        '{"description": "\\ud800"}',  # a lone high surrogate: UnicodeEncodeError before
        '{"description": "ok \\udfff"}',
        '{"\\ud800": "a key"}',
        '{"description": ["\\udbff"]}',
    ],
)
def test_a_lone_surrogate_is_400(zto_api, raw):
    error = _refused(zto_api.post("/api/v1/complaints/", raw=raw), code="parse_error")
    assert "UTF-16" in error["message"]  # in either language


def test_a_surrogate_pair_is_text(zto_api):
    # "\ud83d\udce6" is 📦, written as JSON allows
    raw = json.dumps({**NEW_COMPLAINT, "description": "包裹📦没有到"}, ensure_ascii=True)
    assert "\\ud83d\\udce6" in raw
    response = zto_api.post("/api/v1/complaints/", raw=raw)
    assert response.status_code == 201, response.content
    assert Complaint.objects.get().description == "包裹📦没有到"


def test_a_body_that_is_not_utf8_is_400(zto_api):
    response = zto_api.client.post(
        "/api/v1/complaints/",
        data=b'{"description": "\xff\xfe"}',
        content_type="application/json",
        headers={"Idempotency-Key": "not-utf8"},
    )
    _refused(response, code="parse_error")


@pytest.mark.parametrize(
    "cursor",
    [
        "cD0rMQ==",  # p=+1: a ValidationError in the query before
        "cD0yMDI2LTExLTI0",  # p=2026-11-24: no time zone
        "bz0tMQ==",  # o=-1
        "cj0y",  # r=2
        "+",
        "not base64!",
        "",
        "cD05OTk5LTEyLTMxVDIzOjU5OjU5LTE1OjU5",  # year 9999 at -15:59: beyond what PostgreSQL holds
    ],
)
def test_a_forged_or_empty_cursor_is_400(zto_api, zto_complaint, cursor):
    error = _refused(zto_api.get("/api/v1/complaints/", {"cursor": cursor}))
    assert list(error["fields"]) == ["cursor"]


def test_a_cursor_whose_plus_arrived_as_a_space_still_works(zto_api, zto):
    # Given more complaints than a page, and the link to the second page
    for _ in range(3):
        make_complaint(carrier=zto)
    first = zto_api.get("/api/v1/complaints/", {"page_size": 2}).json()
    cursor = unquote(first["next"].split("cursor=")[1].split("&")[0])
    # When a client passes it on unencoded, so that each "+" reaches the server as a space
    mangled = cursor.replace("+", " ")

    # Then the page is the same as with the cursor as given
    as_given = zto_api.get("/api/v1/complaints/", {"page_size": 2, "cursor": cursor})
    assert as_given.status_code == 200
    assert zto_api.get("/api/v1/complaints/", {"page_size": 2, "cursor": mangled}).json() == as_given.json()


@pytest.mark.parametrize("suffix", ["", "events/"])
@pytest.mark.parametrize("reference", ["C%00", "C2611240001%00", "%00", "C26112400０1", "c2611240001", "C1"])
def test_a_reference_that_cannot_be_one_is_400_on_reads(zto_api, reference, suffix):
    # %00 reached PostgreSQL before (DataError: a 500)
    error = _refused(zto_api.get(f"/api/v1/complaints/{reference}/{suffix}"))
    assert list(error["fields"]) == ["reference"]


@pytest.mark.parametrize(
    ("suffix", "body"),
    [
        ("accept/", {}),
        ("replies/", {"message": "好的", "public": True}),
        ("resolution-proposals/", {"summary": "已处理。", "root_cause": "分拣错误。"}),
        ("compensation-proposals/", {"case": "delay", "days_late": 1}),
    ],
)
def test_a_reference_that_cannot_be_one_is_400_on_writes(zto_api, suffix, body):
    error = _refused(zto_api.post(f"/api/v1/complaints/C%00/{suffix}", body))
    assert list(error["fields"]) == ["reference"]


def test_a_well_formed_unknown_reference_is_still_404(zto_api):
    _refused(zto_api.get("/api/v1/complaints/C2611249999/"), status=404, code="not_found")


# --- Item 9: requests read as the client meant them -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("overdue", "maybe"),
        ("overdue", "1"),
        ("overdue", "True"),
        ("overdue", ""),
        ("updated_since", ""),
        ("updated_since", " "),
        ("created_after", ""),
        ("created_before", ""),
        ("status", ""),
        ("category", ""),
        ("page_size", ""),
        ("page_size", "+5"),
        ("updated_since", "２０２６-11-24T00:00:00+08:00"),
        ("updated_since", "yesterday"),
    ],
)
def test_an_empty_or_malformed_filter_is_400_not_ignored(zto_api, zto_complaint, param, value):
    error = _refused(zto_api.get("/api/v1/complaints/", {param: value}))
    assert list(error["fields"]) == [param]


@pytest.mark.parametrize(("value", "count"), [("true", 0), ("false", 1)])
def test_overdue_true_and_false_still_filter(zto_api, zto_complaint, value, count):
    response = zto_api.get("/api/v1/complaints/", {"overdue": value})
    assert response.status_code == 200
    assert len(response.json()["results"]) == count


@pytest.mark.parametrize(
    "week",
    [
        "9999-W01",  # accepted before
        "２０２６-W01",  # full-width digits: accepted (as 2026-W01) before
        "2026-W０1",
        "0001-W01",  # stored as "1-W01" before
        "1999-W52",
        "2026-W54",
        "2026-W1",
    ],
)
def test_a_volume_for_a_week_that_cannot_be_reported_is_400(zto_api, week):
    with time_machine.travel("2026-11-24 01:00:00+00:00"):
        error = _refused(zto_api.put(f"/api/v1/volumes/{week}/", {"parcels": 5}))
    assert list(error["fields"]) == ["iso_week"]
    assert not ParcelVolume.objects.exists()


def test_a_volume_for_next_week_is_400_and_this_weeks_is_fine(zto_api):
    with time_machine.travel("2026-11-24 01:00:00+00:00"):  # a Tuesday of 2026-W48
        _refused(zto_api.put("/api/v1/volumes/2026-W49/", {"parcels": 5}))
        assert zto_api.put("/api/v1/volumes/2026-W48/", {"parcels": 5}).status_code == 201
        assert zto_api.put("/api/v1/volumes/2000-W01/", {"parcels": 5}).status_code == 201
