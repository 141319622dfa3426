"""Evidence in the agents' admin: files with a reply or a note, the files panel, thumbnails on the timeline, hiding,
and files streamed only to users who may see the complaint."""

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from complaints.choices import EventKind, Visibility
from complaints.evidence.models import Evidence
from complaints.evidence.services import IncomingFile, evidence_add
from complaints.evidence.storage import object_names
from tests import evidence_files
from tests.factories import UserFactory, make_complaint

pytestmark = pytest.mark.django_db


def _messages(response):
    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)]


def _action_url(complaint, name):
    return reverse("admin:complaints_complaint_action", args=[complaint.pk, name])


def _file_url(evidence, view="file"):
    return reverse(f"admin:complaints_complaint_evidence_{view}", args=[evidence.complaint_id, evidence.pk])


def _upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_an_agent_replies_with_photos_the_complainant_will_see(evidence_storage, agent_client, agent):
    # Given a complaint
    complaint = make_complaint()

    # When the agent sends a reply with two photos (the browser claims one is a PDF)
    response = agent_client.post(
        _action_url(complaint, "reply"),
        {
            "reply-message": "您好，请看这两张照片。",
            "reply-expected_version": complaint.version,
            "reply-files": [
                _upload("门口.jpg", evidence_files.jpeg_with_gps(), "image/jpeg"),
                _upload("box.pdf", evidence_files.png(), "application/pdf"),
            ],
        },
    )

    # Then the reply is recorded with both files attached to it, visible to the complainant
    assert response.status_code == 302
    assert [level for level, _ in _messages(response)] == [message_levels.SUCCESS]
    reply = complaint.events.get(kind=EventKind.PUBLIC_REPLY)
    files = list(reply.evidence.order_by("id"))
    assert [f.content_type for f in files] == ["image/jpeg", "image/png"]
    assert {f.visibility for f in files} == {"public"}
    assert {f.kind for f in files} == {"photo"}
    # And no separate "files added" event: they came with the reply
    assert not complaint.events.filter(kind=EventKind.EVIDENCE_ADDED).exists()

    # And the change page shows them as thumbnails on the timeline and in the files panel
    page = agent_client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk]))
    html = page.content.decode()
    assert "已添加 2 张照片" in html
    assert html.count(_file_url(files[0], "thumbnail")) == 2  # the timeline and the panel
    assert "门口.jpg" in html


def test_a_note_with_a_file_is_for_the_agents_only(fs_evidence_storage, agent_client):
    complaint = make_complaint()
    agent_client.post(
        _action_url(complaint, "note"),
        {
            "note-message": "快递员提供的签收单。",
            "note-expected_version": complaint.version,
            "note-files": [_upload("签收单.pdf", evidence_files.pdf())],
        },
    )
    note = complaint.events.get(kind=EventKind.INTERNAL_NOTE)
    [file] = note.evidence.all()
    assert file.visibility == "internal" and file.kind == "document" and note.visibility == Visibility.INTERNAL


def test_an_eleven_megabyte_file_on_a_reply_saves_nothing_and_says_why(fs_evidence_storage, agent_client):
    # Given a complaint
    complaint = make_complaint()

    # When the agent replies with an 11 MB file
    response = agent_client.post(
        _action_url(complaint, "reply"),
        {
            "reply-message": "附件如下。",
            "reply-expected_version": complaint.version,
            "reply-files": [_upload("scan.pdf", evidence_files.pdf(padding=11 * 1024 * 1024))],
        },
    )

    # Then neither the reply nor the file is saved, and the agent reads why
    [(level, text)] = _messages(response)
    assert level == message_levels.ERROR and "scan.pdf" in text and "10.0 MB" in text
    assert not complaint.events.filter(kind=EventKind.PUBLIC_REPLY).exists()
    assert not Evidence.objects.exists() and list(object_names()) == []


def test_the_files_panel_adds_files_for_the_carrier(evidence_storage, agent_client, agent):
    complaint = make_complaint()
    response = agent_client.post(
        reverse("admin:complaints_complaint_evidence_add", args=[complaint.pk]),
        {
            "evidence-files": [_upload("pod.jpg", evidence_files.jpeg_with_gps())],
            "evidence-kind": "proof_of_delivery",
            "evidence-visibility": "carrier",
            "evidence-expected_version": complaint.version,
        },
    )
    assert response.status_code == 302 and response.url.endswith("#evidence")
    [file] = complaint.evidence.all()
    assert (file.kind, file.visibility, file.added_by) == ("proof_of_delivery", "carrier", agent)
    event = complaint.events.get(kind=EventKind.EVIDENCE_ADDED)
    assert event.visibility == Visibility.INTERNAL and event.data["visibility"] == "carrier"


def test_an_agent_hides_a_file_with_a_reason(fs_evidence_storage, agent_client, agent):
    complaint = make_complaint()
    [photo] = evidence_add(
        complaint=complaint,
        actor=agent,
        files=[IncomingFile("x.jpg", evidence_files.jpeg_with_gps())],
        kind="photo",
        visibility="public",
    )
    response = agent_client.post(_file_url(photo, "hide"), {"hide-reason": "照片里有别人的身份证。"})
    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.is_hidden and photo.hidden_reason == "照片里有别人的身份证。"
    page = agent_client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk])).content.decode()
    assert "照片里有别人的身份证。" in page


def test_files_are_streamed_to_agents_with_safe_headers(evidence_storage, agent_client, agent):
    # Given a photo and a PDF on a complaint
    complaint = make_complaint()
    photo, receipt = evidence_add(
        complaint=complaint,
        actor=agent,
        files=[IncomingFile("p.jpg", evidence_files.jpeg_with_gps()), IncomingFile("r.pdf", evidence_files.pdf())],
        kind=None,
        visibility="internal",
    )

    # When the agent opens them
    image = agent_client.get(_file_url(photo))
    document = agent_client.get(_file_url(receipt))
    thumbnail = agent_client.get(_file_url(photo, "thumbnail"))

    # Then the picture shows in the browser, the PDF downloads, and the browser never guesses a type
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert image["Content-Disposition"].startswith("inline")
    assert document["Content-Type"] == "application/pdf"
    assert document["Content-Disposition"] == 'attachment; filename="r.pdf"'
    assert b"".join(document.streaming_content) == evidence_files.pdf()
    for response in (image, document, thumbnail):
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
        assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert thumbnail["Content-Type"] == "image/jpeg"


def test_files_are_not_streamed_to_users_who_may_not_see_the_complaint(fs_evidence_storage, client, agent):
    # Given a file, and a staff user without any permission on complaints
    complaint = make_complaint()
    [photo] = evidence_add(
        complaint=complaint,
        actor=agent,
        files=[IncomingFile("p.jpg", evidence_files.jpeg_with_gps())],
        kind="photo",
        visibility="public",
    )
    client.force_login(UserFactory(username="intern", is_staff=True))

    # Then the file is refused to them, and to nobody logged in
    assert client.get(_file_url(photo)).status_code == 403
    client.logout()
    assert client.get(_file_url(photo)).status_code == 302  # to the login page


def test_a_file_is_reached_only_through_its_own_complaint(fs_evidence_storage, agent_client, agent):
    complaint, other = make_complaint(), make_complaint()
    [photo] = evidence_add(
        complaint=complaint,
        actor=agent,
        files=[IncomingFile("p.jpg", evidence_files.jpeg_with_gps())],
        kind="photo",
        visibility="internal",
    )
    url = reverse("admin:complaints_complaint_evidence_file", args=[other.pk, photo.pk])
    assert agent_client.get(url).status_code == 404
