"""One error shape everywhere under /api/, with messages that say what to fix; never HTML, never a 500 for bad
input."""

import pytest
from django.test import override_settings

from complaints.models import Complaint
from tests.fixtures.partner_api import NEW_COMPLAINT, detail_url

pytestmark = pytest.mark.django_db


def _error(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


def test_bad_json_is_400_parse_error(zto_api):
    error = _error(zto_api.post("/api/v1/complaints/", raw='{"category": "delay",'), 400, "parse_error")
    assert "JSON" in error["message"]


@pytest.mark.parametrize("raw", ['"just a string"', "[1, 2]", "null", "42"])
def test_a_body_that_is_not_an_object_is_400(zto_api, raw):
    _error(zto_api.post("/api/v1/complaints/", raw=raw), 400, "invalid")


def test_wrong_types_name_the_fields(zto_api):
    error = _error(
        zto_api.post(
            "/api/v1/complaints/",
            {**NEW_COMPLAINT, "declared_value": [1], "shipping_fee": "-5", "description": {"a": 1}},
        ),
        400,
        "invalid",
    )
    assert {"declared_value", "shipping_fee", "description"} <= set(error["fields"])


def test_values_too_big_for_the_database_are_400(zto_api):
    error = _error(
        zto_api.post(
            "/api/v1/complaints/",
            {**NEW_COMPLAINT, "declared_value": "1e20", "waybill_number": "Z" * 31, "complainant_phone": "\x00"},
        ),
        400,
        "invalid",
    )
    assert {"declared_value", "waybill_number", "complainant_phone"} <= set(error["fields"])


def test_oversized_body_is_413(zto_api):
    big = {**NEW_COMPLAINT, "description": "延" * 40_000}
    _error(zto_api.post("/api/v1/complaints/", big), 413, "too_large")
    assert not Complaint.objects.exists()


def test_unknown_urls_are_json_404(zto_api, client):
    for path in (
        "/api/v1/nothing/",
        "/api/v1/complaints/C1/unknown/",
        "/api/v2/complaints/",
        "/api/",
        "/api/v1/complaints",
    ):
        _error(zto_api.get(path), 404, "not_found")
    _error(client.post("/api/v1/complaints", {}), 404, "not_found")


@override_settings(DEBUG=True)
def test_unknown_urls_are_json_even_in_debug(zto_api):
    _error(zto_api.get("/api/v1/nothing/"), 404, "not_found")


def test_wrong_method_is_405(zto_api, zto_complaint):
    _error(zto_api.client.delete(detail_url(zto_complaint)), 405, "method_not_allowed")


def test_unsupported_media_type_is_415(zto_api):
    response = zto_api.client.post(
        "/api/v1/complaints/", "a=b", content_type="application/x-www-form-urlencoded", headers={"Idempotency-Key": "k"}
    )
    _error(response, 415, "unsupported_media_type")


def test_an_unexpected_error_is_a_json_500(zto_api, monkeypatch):
    # Given a bug deep inside (simulated), when a carrier calls, then it still gets the error shape
    from complaints.partners.api import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "complaint_rows", broken)
    zto_api.client.raise_request_exception = False
    error = _error(zto_api.get("/api/v1/complaints/"), 500, "server_error")
    assert "boom" not in error["message"]
