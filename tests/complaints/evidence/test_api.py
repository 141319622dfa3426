"""Evidence in the partner API: a carrier sees only its complaints' public and carrier files, downloads them with its
key, and attaches its own; limits answer in the one error shape (413 for a file over 10 MB)."""

import io
import uuid

import pytest
from PIL import Image
from rest_framework.test import APIClient

from accounts.services import api_key_issue
from complaints.evidence.models import Evidence
from complaints.evidence.services import IncomingFile, evidence_add, evidence_hide
from complaints.evidence.storage import object_names
from tests import evidence_files
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def zto_files_api(zto):
    _key, raw = api_key_issue(carrier=zto, name="ERP")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def _url(complaint, suffix=""):
    return f"/api/v1/complaints/{complaint.reference}/evidence/{suffix}"


def _attach(complaint, actor, name, data, visibility):
    return evidence_add(
        complaint=complaint, actor=actor, files=[IncomingFile(name, data)], kind=None, visibility=visibility
    )[0]


def _post(client, complaint, files, **fields):
    return client.post(
        _url(complaint),
        {"files": files, **fields},
        format="multipart",
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )


def _named(name, data):
    upload = io.BytesIO(data)
    upload.name = name
    return upload


def test_a_carrier_sees_only_the_files_meant_for_it(evidence_storage, zto_files_api, zto, agent):
    # Given a ZTO complaint with a public photo, a file for carriers, one for the agents and one hidden
    complaint = make_complaint(carrier=zto)
    public = _attach(complaint, agent, "a.jpg", evidence_files.jpeg_with_gps(), "public")
    for_carrier = _attach(complaint, agent, "b.pdf", evidence_files.pdf(), "carrier")
    _attach(complaint, agent, "c.png", evidence_files.png(), "internal")
    hidden = _attach(complaint, agent, "d.png", evidence_files.png(colour=(1, 1, 1)), "public")
    evidence_hide(evidence=hidden, actor=agent, reason="错误上传。")

    # When ZTO lists them
    response = zto_files_api.get(_url(complaint))

    # Then it sees the public and the carrier file, with where to download them
    assert response.status_code == 200
    assert [f["id"] for f in response.json()] == [public.pk, for_carrier.pk]
    first = response.json()[0]
    assert first["content_type"] == "image/jpeg" and first["download"] == _url(complaint, f"{public.pk}/")

    # And downloads them with its key; the agents' and the hidden file are not found
    image = zto_files_api.get(first["download"])
    assert image.status_code == 200 and image["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(b"".join(image.streaming_content))).format == "JPEG"
    document = zto_files_api.get(_url(complaint, f"{for_carrier.pk}/"))
    assert document["Content-Disposition"].startswith("attachment")
    for evidence in Evidence.objects.exclude(pk__in=[public.pk, for_carrier.pk]):
        answer = zto_files_api.get(_url(complaint, f"{evidence.pk}/"))
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"


def test_another_carriers_complaint_and_files_are_not_found(fs_evidence_storage, zto_files_api, sf, agent):
    complaint = make_complaint(carrier=sf, waybill_number="SF1234567890123")
    photo = _attach(complaint, agent, "a.jpg", evidence_files.jpeg_with_gps(), "public")
    assert zto_files_api.get(_url(complaint)).status_code == 404
    assert zto_files_api.get(_url(complaint, f"{photo.pk}/")).status_code == 404


def test_a_carrier_attaches_a_proof_of_delivery_without_its_gps(evidence_storage, zto_files_api, zto):
    # Given a ZTO complaint
    complaint = make_complaint(carrier=zto)

    # When ZTO uploads a photo with GPS as proof of delivery
    response = _post(
        zto_files_api, complaint, [_named("签收.jpg", evidence_files.jpeg_with_gps())], kind="proof_of_delivery"
    )

    # Then it is stored for the carrier and the agents, without metadata
    assert response.status_code == 201, response.json()
    [stored] = response.json()
    assert (stored["kind"], stored["visibility"], stored["added_by"]) == ("proof_of_delivery", "carrier", "carrier")
    download = zto_files_api.get(stored["download"])
    assert dict(Image.open(io.BytesIO(b"".join(download.streaming_content))).getexif()) == {}


def test_an_eleven_megabyte_file_is_413_in_the_error_shape(evidence_storage, zto_files_api, zto):
    # Given a ZTO complaint
    complaint = make_complaint(carrier=zto)

    # When ZTO uploads an 11 MB PDF
    response = _post(
        zto_files_api, complaint, [_named("scan.pdf", evidence_files.pdf(padding=11 * 1024 * 1024))], kind="document"
    )

    # Then it is refused with 413 in the one error shape, naming the file, and nothing is stored
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "file_too_large" and "scan.pdf" in error["message"]
    assert not Evidence.objects.exists() and list(object_names()) == []


def test_a_body_larger_than_a_messages_files_is_413_before_it_is_read(
    fs_evidence_storage, zto_files_api, zto, settings
):
    settings.REDRESS_EVIDENCE_MAX_FILE_BYTES = 1024
    complaint = make_complaint(carrier=zto)
    response = _post(
        zto_files_api, complaint, [_named("big.pdf", evidence_files.pdf(padding=200_000))], kind="document"
    )
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"


def test_an_html_page_and_too_many_files_are_400_in_the_error_shape(fs_evidence_storage, zto_files_api, zto):
    complaint = make_complaint(carrier=zto)
    html = _post(zto_files_api, complaint, [_named("photo.jpg", evidence_files.HTML_PAGE)], kind="photo")
    assert html.status_code == 400
    assert html.json()["error"]["code"] == "file_type_not_allowed"
    assert "JPEG, PNG, WebP, HEIC, PDF" in html.json()["error"]["message"]
    six = [_named(f"{i}.png", evidence_files.png(colour=(i, 0, 0))) for i in range(6)]
    many = _post(zto_files_api, complaint, six, kind="photo")
    assert many.status_code == 400 and many.json()["error"]["code"] == "too_many_files"


def test_a_carrier_cannot_add_files_for_the_agents_only(fs_evidence_storage, zto_files_api, zto):
    complaint = make_complaint(carrier=zto)
    response = _post(
        zto_files_api, complaint, [_named("a.png", evidence_files.png())], kind="photo", visibility="internal"
    )
    assert response.status_code == 400 and "visibility" in response.json()["error"]["fields"]


def test_the_carriers_timeline_shows_files_added_for_it_and_not_the_agents_ones(
    fs_evidence_storage, zto_files_api, zto, agent
):
    # Given files added for the carrier, and files for the agents only
    complaint = make_complaint(carrier=zto)
    _attach(complaint, agent, "pod.jpg", evidence_files.jpeg_with_gps(), "carrier")
    _attach(complaint, agent, "note.pdf", evidence_files.pdf(), "internal")

    # When ZTO reads the timeline
    events = zto_files_api.get(f"/api/v1/complaints/{complaint.reference}/events/").json()

    # Then it sees the one "files added" event meant for it
    added = [e for e in events if e["kind"] == "evidence_added"]
    assert len(added) == 1 and added[0]["data"]["visibility"] == "carrier"
