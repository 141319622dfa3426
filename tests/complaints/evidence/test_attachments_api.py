"""Attachments in the partner API (`/attachments/`): a carrier uploads a proof of delivery, the complainant sees it
when it is public, another carrier finds nothing, the events and webhooks name the files the carrier may see, the
Idempotency-Key covers the file's bytes, and the limits answer in the one error shape."""

import hashlib
import io
import uuid

import pytest
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from accounts.services import api_key_issue
from complaints.evidence.models import Evidence
from complaints.evidence.services import IncomingFile, evidence_add, evidence_hide
from complaints.evidence.storage import object_names
from complaints.links import status_token
from complaints.models import WebhookDelivery, WebhookEndpoint
from complaints.partners.webhooks.models import WebhookEventType
from tests import evidence_files
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db

FIELDS = {"id", "kind", "content_type", "size", "sha256", "public", "created_at", "content_url"}


def _client(carrier):
    _key, raw = api_key_issue(carrier=carrier, name="ERP")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def zto_client(zto):
    return _client(zto)


@pytest.fixture
def sf_client(sf):
    return _client(sf)


def _url(complaint, suffix=""):
    return f"/api/v1/complaints/{complaint.reference}/attachments/{suffix}"


def _named(name, data):
    upload = io.BytesIO(data)
    upload.name = name
    return upload


def _upload(client, complaint, name, data, *, key=None, headers=None, **fields):
    return client.post(
        _url(complaint),
        {"file": _named(name, data), **fields},
        format="multipart",
        headers={"Idempotency-Key": key or str(uuid.uuid4()), **(headers or {})},
    )


def _bytes(response):
    return b"".join(response.streaming_content)


def _attach(complaint, actor, name, data, visibility):
    return evidence_add(
        complaint=complaint, actor=actor, files=[IncomingFile(name, data)], kind=None, visibility=visibility
    )[0]


def test_a_carrier_uploads_a_proof_of_delivery_and_the_complainant_sees_it(evidence_storage, zto_client, zto, client):
    # Given a ZTO complaint
    complaint = make_complaint(carrier=zto)

    # When ZTO uploads a photo of the signed delivery note, with GPS in it, as proof of delivery
    response = _upload(zto_client, complaint, "签收单.jpg", evidence_files.jpeg_with_gps(), kind="proof_of_delivery")

    # Then it is stored, public by default, and described by exactly the documented fields
    assert response.status_code == 201, response.json()
    attachment = response.json()
    assert set(attachment) == FIELDS
    assert (attachment["kind"], attachment["content_type"], attachment["public"]) == (
        "proof_of_delivery",
        "image/jpeg",
        True,
    )
    assert attachment["content_url"] == _url(complaint, f"{attachment['id']}/content/")

    # And its bytes come back through content_url, as size and sha256 say, without the GPS
    content = zto_client.get(attachment["content_url"])
    assert content.status_code == 200
    assert content["Content-Type"] == "image/jpeg" and content["X-Content-Type-Options"] == "nosniff"
    data = _bytes(content)
    assert len(data) == attachment["size"] and hashlib.sha256(data).hexdigest() == attachment["sha256"]
    assert dict(Image.open(io.BytesIO(data)).getexif()) == {}

    # And the carrier's list shows it
    listed = zto_client.get(_url(complaint))
    assert listed.status_code == 200 and listed.json() == [attachment]

    # And the complainant sees it on the status page and opens it through the signed link
    token = status_token(complaint.pk)
    page = client.get(reverse("public:status", args=[token])).content.decode()
    assert reverse("public:evidence_thumbnail", args=[token, attachment["id"]]) in page
    opened = client.get(reverse("public:evidence_file", args=[token, attachment["id"]]))
    assert opened.status_code == 200 and _bytes(opened) == data


def test_a_file_uploaded_with_public_false_is_not_on_the_status_page(fs_evidence_storage, zto_client, zto, client):
    # Given a ZTO complaint
    complaint = make_complaint(carrier=zto)

    # When ZTO uploads a PDF for the agents and itself only
    response = _upload(zto_client, complaint, "运单.pdf", evidence_files.pdf(), public="false")

    # Then it is a document, not public, listed for the carrier and downloaded as an attachment
    assert response.status_code == 201, response.json()
    attachment = response.json()
    assert (attachment["kind"], attachment["content_type"], attachment["public"]) == (
        "document",
        "application/pdf",
        False,
    )
    assert [a["id"] for a in zto_client.get(_url(complaint)).json()] == [attachment["id"]]
    content = zto_client.get(attachment["content_url"])
    assert content["Content-Disposition"].startswith("attachment") and content["X-Content-Type-Options"] == "nosniff"

    # And the complainant neither sees it nor opens it
    token = status_token(complaint.pk)
    page = client.get(reverse("public:status", args=[token])).content.decode()
    assert reverse("public:evidence_file", args=[token, attachment["id"]]) not in page
    assert client.get(reverse("public:evidence_file", args=[token, attachment["id"]])).status_code == 404


def test_another_carrier_gets_404_on_list_content_and_upload(evidence_storage, zto_client, sf_client, zto, agent):
    # Given a ZTO complaint with a public photo
    complaint = make_complaint(carrier=zto)
    photo = _attach(complaint, agent, "门口.jpg", evidence_files.jpeg_with_gps(), "public")

    # When SF lists, downloads and uploads on it
    listed = sf_client.get(_url(complaint))
    content = sf_client.get(_url(complaint, f"{photo.pk}/content/"))
    upload = _upload(sf_client, complaint, "pod.png", evidence_files.png())

    # Then each is 404 in the error shape, and nothing was stored
    for response in (listed, content, upload):
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert list(Evidence.objects.values_list("pk", flat=True)) == [photo.pk]
    assert len(list(object_names())) == 2  # the photo and its thumbnail


def test_a_file_of_another_complaint_or_not_for_carriers_is_404(fs_evidence_storage, zto_client, zto, sf, agent):
    # Given a ZTO complaint with a file for the agents and a hidden one, and an SF complaint with a public photo
    complaint = make_complaint(carrier=zto)
    internal = _attach(complaint, agent, "内部.pdf", evidence_files.pdf(), "internal")
    hidden = _attach(complaint, agent, "错.png", evidence_files.png(), "public")
    evidence_hide(evidence=hidden, actor=agent, reason="上传错了。")
    other = make_complaint(carrier=sf, waybill_number="SF1234567890123")
    sf_photo = _attach(other, agent, "a.jpg", evidence_files.jpeg_with_gps(), "public")

    # Then none of them opens through ZTO's complaint, and its list is empty
    for evidence in (internal, hidden, sf_photo):
        response = zto_client.get(_url(complaint, f"{evidence.pk}/content/"))
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert zto_client.get(_url(complaint)).json() == []


def test_the_same_key_with_the_same_bytes_replays_and_with_other_bytes_is_refused(fs_evidence_storage, zto_client, zto):
    # Given a ZTO complaint and a first upload under a key
    complaint = make_complaint(carrier=zto)
    key = str(uuid.uuid4())
    photo = evidence_files.jpeg_with_gps()
    first = _upload(zto_client, complaint, "pod.jpg", photo, key=key, kind="proof_of_delivery")
    assert first.status_code == 201

    # When the same request is retried with the same key and the same bytes
    retry = _upload(zto_client, complaint, "pod.jpg", photo, key=key, kind="proof_of_delivery")

    # Then the first answer is replayed, byte for byte, and nothing is stored twice
    assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"
    assert retry.content == first.content
    assert Evidence.objects.count() == 1 and len(list(object_names())) == 2

    # When the same key comes with another file of the same name and fields
    other = _upload(
        zto_client,
        complaint,
        "pod.jpg",
        evidence_files.jpeg_with_gps(colour=(0, 90, 0)),
        key=key,
        kind="proof_of_delivery",
    )

    # Then it is refused in the error shape, and still nothing more is stored
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert Evidence.objects.count() == 1 and len(list(object_names())) == 2


def test_a_carriers_upload_is_an_event_and_a_webhook_naming_the_file(fs_evidence_storage, zto_client, zto, sf, agent):
    # Given endpoints of ZTO and SF that receive every event type
    zto_endpoint = WebhookEndpoint.objects.create(carrier=zto, url="https://hooks.zto.example/redress", secret="s" * 32)
    WebhookEndpoint.objects.create(carrier=sf, url="https://hooks.sf.example/redress", secret="s" * 32)
    complaint = make_complaint(carrier=zto)

    # When ZTO uploads a proof of delivery, and an agent adds a file for the agents only and one for the carrier
    uploaded = _upload(zto_client, complaint, "pod.jpg", evidence_files.jpeg_with_gps(), kind="proof_of_delivery")
    _attach(complaint, agent, "内部.pdf", evidence_files.pdf(), "internal")
    for_carrier = _attach(complaint, agent, "面单.png", evidence_files.png(), "carrier")

    # Then ZTO's endpoint gets one complaint.evidence_added delivery for each file it may see, naming it; none for
    # the agents' file, and none reaches SF
    deliveries = list(WebhookDelivery.objects.filter(event_type=WebhookEventType.EVIDENCE_ADDED).order_by("pk"))
    assert [d.endpoint_id for d in deliveries] == [zto_endpoint.pk, zto_endpoint.pk]
    named = [d.payload["data"]["event"]["data"]["attachments"] for d in deliveries]
    assert named == [
        [{"id": uploaded.json()["id"], "kind": "proof_of_delivery"}],
        [{"id": for_carrier.pk, "kind": "photo"}],
    ]
    assert deliveries[0].payload["type"] == "complaint.evidence_added"

    # And ZTO's timeline shows the two events with their files; hiding one takes it off the event
    evidence_hide(evidence=for_carrier, actor=agent, reason="发错了。")
    events = zto_client.get(f"/api/v1/complaints/{complaint.reference}/events/").json()
    added = [e["data"]["attachments"] for e in events if e["kind"] == "evidence_added"]
    assert added == [[{"id": uploaded.json()["id"], "kind": "proof_of_delivery"}], []]


def test_the_limits_answer_in_the_error_shape(fs_evidence_storage, zto_client, zto, agent, settings):
    complaint = make_complaint(carrier=zto)

    # An 11 MB file: 413, before the body is read (one file at its limit and the form around it is the most a
    # request may carry)
    big = _upload(zto_client, complaint, "scan.pdf", evidence_files.pdf(padding=11 * 1024 * 1024))
    assert big.status_code == 413 and big.json()["error"]["code"] == "too_large"

    # A file over the limit in a body that fits: 413, naming it
    settings.REDRESS_EVIDENCE_MAX_FILE_BYTES = 1024
    over = _upload(zto_client, complaint, "scan.pdf", evidence_files.pdf(padding=4096))
    assert over.status_code == 413
    assert over.json()["error"]["code"] == "file_too_large" and "scan.pdf" in over.json()["error"]["message"]
    settings.REDRESS_EVIDENCE_MAX_FILE_BYTES = 10 * 1024 * 1024

    # An HTML page dressed as a photo: 400, naming the allowed types
    html = _upload(zto_client, complaint, "photo.jpg", evidence_files.HTML_PAGE)
    assert html.status_code == 400 and html.json()["error"]["code"] == "file_type_not_allowed"

    # Two files in one request, or a field the API does not take: 400
    two = zto_client.post(
        _url(complaint),
        {"file": [_named("a.png", evidence_files.png()), _named("b.pdf", evidence_files.pdf())]},
        format="multipart",
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert two.status_code == 400 and two.json()["error"]["code"] == "too_many_files"
    unknown = _upload(zto_client, complaint, "a.png", evidence_files.png(), visibility="internal")
    assert unknown.status_code == 400 and "visibility" in unknown.json()["error"]["fields"]
    vague = _upload(zto_client, complaint, "a.png", evidence_files.png(), public="0")
    assert vague.status_code == 400 and "public" in vague.json()["error"]["fields"]

    # The complaint's last file fits; one more is 400
    settings.REDRESS_EVIDENCE_MAX_FILES_PER_COMPLAINT = 2
    _attach(complaint, agent, "a.pdf", evidence_files.pdf(text="one"), "internal")
    assert _upload(zto_client, complaint, "b.png", evidence_files.png()).status_code == 201
    full = _upload(zto_client, complaint, "c.png", evidence_files.png(colour=(1, 2, 3)))
    assert full.status_code == 400 and full.json()["error"]["code"] == "too_many_files"
    assert Evidence.objects.count() == 2


def test_a_stale_if_match_is_412_and_stores_nothing(fs_evidence_storage, zto_client, zto, agent):
    complaint = make_complaint(carrier=zto)
    etag = zto_client.get(f"/api/v1/complaints/{complaint.reference}/")["ETag"]
    _attach(complaint, agent, "a.pdf", evidence_files.pdf(), "internal")  # the complaint changes
    response = _upload(zto_client, complaint, "pod.png", evidence_files.png(), headers={"If-Match": etag})
    assert response.status_code == 412 and response.json()["error"]["code"] == "precondition_failed"
    assert Evidence.objects.count() == 1


def test_a_file_the_agents_keep_to_themselves_is_not_revealed_by_uploading_it_again(
    fs_evidence_storage, zto_client, zto, agent
):
    # Given a complaint whose agents hold a PDF for themselves
    complaint = make_complaint(carrier=zto)
    document = evidence_files.pdf(text="内部")
    _attach(complaint, agent, "内部.pdf", document, "internal")

    # When ZTO uploads the same bytes
    response = _upload(zto_client, complaint, "mine.pdf", document)

    # Then it is told so without the file's details, and nothing is added
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "file_already_attached" and "id" not in response.json()
    assert Evidence.objects.count() == 1


def test_the_evidence_paths_stay_as_a_deprecated_alias(fs_evidence_storage, zto_client, zto, agent):
    complaint = make_complaint(carrier=zto)
    photo = _attach(complaint, agent, "a.jpg", evidence_files.jpeg_with_gps(), "public")
    response = zto_client.get(f"/api/v1/complaints/{complaint.reference}/evidence/")
    assert response.status_code == 200 and [f["id"] for f in response.json()] == [photo.pk]
    assert response["Deprecation"] == "true"
    assert f"/api/v1/complaints/{complaint.reference}/attachments/" in response["Link"]


def test_the_schema_documents_the_multipart_upload_and_the_deprecated_alias(client):
    schema = client.get("/api/schema/?format=json").json()
    upload = schema["paths"]["/api/v1/complaints/{reference}/attachments/"]["post"]
    body = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    component = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
    assert component["properties"]["file"] == {
        "type": "string",
        "format": "binary",
        "description": component["properties"]["file"]["description"],
    }
    assert component["required"] == ["file"] and component["properties"]["public"]["default"] is True
    assert "Idempotency-Key" in {p["name"] for p in upload["parameters"]}
    content = schema["paths"]["/api/v1/complaints/{reference}/attachments/{attachment_id}/content/"]["get"]
    assert {"image/jpeg", "application/pdf"} <= set(content["responses"]["200"]["content"])
    for method in ("get", "post"):
        assert schema["paths"]["/api/v1/complaints/{reference}/evidence/"][method]["deprecated"] is True
    assert "deprecated" not in upload
