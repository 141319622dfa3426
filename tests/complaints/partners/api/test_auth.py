"""Only a valid, unrevoked carrier key gets in; everything else is 401 in the error shape."""

import pytest

from accounts.services import api_key_issue, api_key_revoke
from tests.fixtures.partner_api import CarrierClient

pytestmark = pytest.mark.django_db


def _assert_401(response):
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", [None, "Bearer rk_unknown-key", "Token abc", "Bearer", "Bearer a b", "Bearer é"])
def test_missing_unknown_or_malformed_key_gets_401(zto, header):
    client = CarrierClient(None)
    if header:
        client.client.credentials(HTTP_AUTHORIZATION=header)
    _assert_401(client.get("/api/v1/complaints/"))
    _assert_401(client.post("/api/v1/complaints/", {}))


def test_revoked_key_gets_401(zto):
    key, raw = api_key_issue(carrier=zto)
    api_key_revoke(api_key=key)
    _assert_401(CarrierClient(raw).get("/api/v1/complaints/"))


def test_key_of_an_inactive_carrier_gets_401(zto):
    _key, raw = api_key_issue(carrier=zto)
    zto.is_active = False
    zto.save()
    _assert_401(CarrierClient(raw).get("/api/v1/complaints/"))


def test_staff_session_is_not_enough(agent_client):
    # The admin's login does not open the API: it is for carriers' keys only.
    response = agent_client.get("/api/v1/complaints/")
    assert response.status_code == 401


def test_schema_and_docs_need_no_key(client):
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
