"""Evidence on the complainant's status page: public files through the signed link only."""

import pytest
from django.core import signing
from django.urls import reverse

from complaints.evidence.services import IncomingFile, evidence_add, evidence_hide
from complaints.links import status_token
from tests import evidence_files
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db


def _attach(complaint, actor, name, data, visibility, **kwargs):
    return evidence_add(
        complaint=complaint, actor=actor, files=[IncomingFile(name, data)], kind=None, visibility=visibility, **kwargs
    )[0]


def test_the_complainant_sees_and_opens_the_public_files_only(evidence_storage, client, agent):
    # Given a public photo, a file for the carrier and a hidden public file
    complaint = make_complaint()
    photo = _attach(complaint, agent, "门口.jpg", evidence_files.jpeg_with_gps(), "public")
    for_carrier = _attach(complaint, agent, "pod.pdf", evidence_files.pdf(), "carrier")
    hidden = _attach(complaint, agent, "x.png", evidence_files.png(), "public")
    evidence_hide(evidence=hidden, actor=agent, reason="发错了。")
    token = status_token(complaint.pk)

    # When the complainant opens the status page
    page = client.get(reverse("public:status", args=[token])).content.decode()

    # Then the timeline says a photo was added, with its thumbnail, and only the public file is offered
    assert "已添加 1 张照片" in page
    assert reverse("public:evidence_thumbnail", args=[token, photo.pk]) in page
    assert "pod.pdf" not in page and "x.png" not in page

    # And it opens through the link; the others are not found
    opened = client.get(reverse("public:evidence_file", args=[token, photo.pk]))
    assert opened.status_code == 200 and opened["Content-Type"] == "image/jpeg"
    assert opened["X-Content-Type-Options"] == "nosniff"
    for other in (for_carrier, hidden):
        assert client.get(reverse("public:evidence_file", args=[token, other.pk])).status_code == 404


def test_a_link_to_another_complaint_does_not_open_its_files(fs_evidence_storage, client, agent):
    complaint, other = make_complaint(), make_complaint()
    photo = _attach(complaint, agent, "a.jpg", evidence_files.jpeg_with_gps(), "public")
    response = client.get(reverse("public:evidence_file", args=[status_token(other.pk), photo.pk]))
    assert response.status_code == 404


def test_a_forged_or_expired_link_opens_nothing(fs_evidence_storage, client, agent, settings):
    complaint = make_complaint()
    photo = _attach(complaint, agent, "a.jpg", evidence_files.jpeg_with_gps(), "public")
    forged = signing.dumps({"c": complaint.pk}, salt="something else", compress=True)
    assert client.get(reverse("public:evidence_file", args=[forged, photo.pk])).status_code == 400
    settings.REDRESS_STATUS_LINK_DAYS = -1
    assert client.get(reverse("public:evidence_file", args=[status_token(complaint.pk), photo.pk])).status_code == 410
