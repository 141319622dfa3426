import json
import uuid

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.services import api_key_issue
from complaints.services import complaint_hand_to_carrier, complaint_transition
from tests.factories import make_complaint


class CarrierClient:
    """A carrier's system calling the API: its key on every request, a fresh Idempotency-Key on every write unless
    the test gives one."""

    def __init__(self, raw_key: str | None):
        self.client = APIClient()
        if raw_key:
            self.client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")

    @staticmethod
    def _split(headers):
        # HTTP_IF_MATCH=... style goes to the WSGI environ; "If-Match" style as a header.
        meta = {k: v for k, v in headers.items() if k.startswith("HTTP_")}
        return {k: v for k, v in headers.items() if k not in meta}, meta

    def get(self, path, params=None, **headers):
        headers, meta = self._split(headers)
        return self.client.get(path, params or {}, headers=headers, **meta)

    def _write(self, method, path, body, key, raw, headers):
        if key is not False:
            headers.setdefault("Idempotency-Key", key or str(uuid.uuid4()))
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        headers, meta = self._split(headers)
        return getattr(self.client, method)(path, data=data, content_type="application/json", headers=headers,
                                            **meta)

    def post(self, path, body=None, *, key=None, raw=None, **headers):
        return self._write("post", path, body, key, raw, headers)

    def put(self, path, body=None, *, key=None, raw=None, **headers):
        return self._write("put", path, body, key, raw, headers)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Rate-limit counters live in the cache; each test starts with a full budget.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def zto_api(zto):
    _key, raw = api_key_issue(carrier=zto, name="ERP")
    return CarrierClient(raw)


@pytest.fixture
def sf_api(sf):
    _key, raw = api_key_issue(carrier=sf, name="ERP")
    return CarrierClient(raw)


@pytest.fixture
def zto_complaint(zto):
    return make_complaint(carrier=zto)


@pytest.fixture
def sf_complaint(sf):
    return make_complaint(carrier=sf, waybill_number="SF1234567890123")


@pytest.fixture
def handed_to_zto(zto, agent):
    """A ZTO complaint an agent has handed to the carrier: its accept clock runs."""
    complaint = make_complaint(carrier=zto)
    complaint_transition(complaint=complaint, actor=agent, to_status="acknowledged")
    complaint_hand_to_carrier(complaint=complaint, actor=agent, message="请核实派送情况。")
    complaint.refresh_from_db()
    return complaint


def detail_url(complaint, suffix=""):
    return f"/api/v1/complaints/{complaint.reference}/{suffix}"


NEW_COMPLAINT = {
    "waybill_number": "ZT75000099999",
    "category": "delay",
    "description": "快件已经延误三天，物流信息一直没有更新。",
    "complainant_name": "张伟",
    "complainant_phone": "13912345678",
    "declared_value": "200.00",
    "shipping_fee": "12.00",
}
