"""A body sent chunked (Transfer-Encoding: chunked, no Content-Length), through gunicorn as production runs it.

Django alone reads such a body as empty: a valid complaint was refused with 400 "field required" for every field.
Now it is read, under the same 64 KiB limit as any body."""

import json
import uuid

import pytest

from accounts.services import api_key_issue
from complaints.evidence.models import Evidence
from complaints.models import Complaint
from tests import evidence_files
from tests.factories import CarrierFactory, make_complaint
from tests.fixtures.partner_api import NEW_COMPLAINT
from tests.web_server import WebServer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def web(tmp_path):
    server = WebServer(tmp_path / "web.log", env={"REDRESS_EVIDENCE_DIR": str(tmp_path / "evidence")})
    server.start()
    yield server
    server.stop()


@pytest.fixture
def zto(transactional_db):
    return CarrierFactory(code="ZTO")


@pytest.fixture
def zto_key(zto):
    return api_key_issue(carrier=zto, name="ERP")[1]


def _headers(key: str, idempotency_key: str) -> dict:
    return {"Authorization": f"Bearer {key}", "Content-Type": "application/json", "Idempotency-Key": idempotency_key}


def test_a_chunked_complaint_is_read_and_created(web, zto_key):
    # When ZTO's system sends a valid complaint chunked, without Content-Length
    status, _headers_, body = web.request(
        "POST", "/api/v1/complaints/", json.dumps(NEW_COMPLAINT).encode(), _headers(zto_key, "chunked-1"), chunked=True
    )

    # Then it is created, as with Content-Length
    assert status == 201, body
    assert (
        Complaint.objects.get(reference=json.loads(body)["reference"]).waybill_number == NEW_COMPLAINT["waybill_number"]
    )


def test_a_chunked_body_over_the_limit_is_413(web, zto_key):
    big = json.dumps({**NEW_COMPLAINT, "description": "x" * 70_000}).encode()

    status, _headers_, body = web.request(
        "POST", "/api/v1/complaints/", big, _headers(zto_key, "chunked-2"), chunked=True
    )

    assert status == 413, body
    assert json.loads(body)["error"]["code"] == "too_large"
    assert not Complaint.objects.exists()


def test_a_body_with_content_length_is_read_as_before(web, zto_key):
    status, _headers_, body = web.request(
        "POST", "/api/v1/complaints/", json.dumps(NEW_COMPLAINT).encode(), _headers(zto_key, "sized-1")
    )
    assert status == 201, body


def test_a_chunked_file_upload_is_read_under_the_evidence_limit_not_the_json_one(web, zto, zto_key):
    # Given a complaint, and a PDF of about 100 KB (more than a JSON body may be, far less than a file may be)
    complaint = make_complaint(carrier=zto)
    pdf = evidence_files.pdf(padding=100_000)
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nreceipt\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="receipt.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + pdf
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {
        "Authorization": f"Bearer {zto_key}",
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Idempotency-Key": "chunked-file",
    }

    # When ZTO's system sends it chunked
    status, _headers_, answer = web.request(
        "POST", f"/api/v1/complaints/{complaint.reference}/evidence/", body, headers, chunked=True
    )

    # Then the file is attached
    assert status == 201, answer
    assert Evidence.objects.get(complaint=complaint).size == len(pdf)
