"""The file limits hold for every message that carries files, whatever the kinds of its files: at most 5 a message,
20 a complaint (the whole message fits or none of it is stored), 10 MB a file; through the status page too."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from complaints import services
from complaints.errors import FileTooLarge, InvalidInput
from complaints.evidence.models import Evidence
from complaints.evidence.services import IncomingFile, evidence_add
from complaints.evidence.storage import object_names
from complaints.links import status_token
from complaints.models import ComplaintEvent
from tests import evidence_files
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db


def _photos(n, start=0):
    return [IncomingFile(f"{i}.png", evidence_files.png(colour=(i, 10, 10))) for i in range(start, start + n)]


def _pdfs(n, start=0):
    return [IncomingFile(f"{i}.pdf", evidence_files.pdf(text=f"receipt {i}")) for i in range(start, start + n)]


def test_a_reply_takes_at_most_five_files_across_kinds(fs_evidence_storage):
    # Given a complaint
    complaint = make_complaint()

    # When the complainant replies with three photos and three PDFs (each kind under the limit, six in all)
    with pytest.raises(InvalidInput) as refused:
        services.complaint_receive_reply(
            complaint=complaint, channel="email", message="照片和发票", files=_photos(3) + _pdfs(3)
        )

    # Then the reply is refused as a whole, and nothing is written
    assert refused.value.code == "too_many_files"
    assert not Evidence.objects.exists() and list(object_names()) == []
    assert not ComplaintEvent.objects.filter(complaint=complaint, kind="complainant_reply").exists()

    # And five, of both kinds, are taken
    services.complaint_receive_reply(
        complaint=complaint, channel="email", message="照片和发票", files=_photos(3) + _pdfs(2)
    )
    assert sorted(Evidence.objects.values_list("kind", flat=True)) == ["document"] * 2 + ["photo"] * 3


def test_a_reply_that_would_pass_the_complaints_limit_stores_none_of_its_files(fs_evidence_storage, agent, settings):
    # Given a complaint with 18 of its 20 files
    settings.REDRESS_EVIDENCE_MAX_FILES_PER_COMPLAINT = 20
    complaint = make_complaint()
    for group in (_photos(5), _photos(5, 5), _pdfs(5), _pdfs(3, 5)):
        evidence_add(complaint=complaint, actor=agent, files=group, kind=None, visibility="internal")
    stored = set(object_names())

    # When the complainant replies with a photo and two PDFs: the photos would fit, the PDFs would not
    with pytest.raises(InvalidInput) as refused:
        services.complaint_receive_reply(
            complaint=complaint, channel="email", message="补充材料", files=_photos(1, 20) + _pdfs(2, 20)
        )

    # Then nothing of the reply is stored, in the database or in the storage
    assert refused.value.code == "too_many_files"
    assert Evidence.objects.count() == 18 and set(object_names()) == stored


def test_the_kind_follows_the_bytes_not_the_name(fs_evidence_storage):
    complaint = make_complaint()
    services.complaint_receive_reply(
        complaint=complaint, channel="email", message="", files=[IncomingFile("发票.pdf", evidence_files.png())]
    )
    [stored] = Evidence.objects.all()
    assert (stored.kind, stored.content_type) == ("photo", "image/png")


def test_a_reply_with_a_file_over_ten_megabytes_is_refused(fs_evidence_storage):
    complaint = make_complaint()
    with pytest.raises(FileTooLarge):
        services.complaint_receive_reply(
            complaint=complaint,
            channel="email",
            message="扫描件",
            files=[IncomingFile("scan.pdf", evidence_files.pdf(padding=11 * 1024 * 1024))],
        )
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("method", ["complaint_reply", "complaint_add_note"])
def test_an_agents_reply_or_note_takes_at_most_five_files_across_kinds(fs_evidence_storage, agent, method):
    complaint = make_complaint()
    with pytest.raises(InvalidInput) as refused:
        getattr(services, method)(complaint=complaint, actor=agent, message="见附件", files=_photos(4) + _pdfs(2))
    assert refused.value.code == "too_many_files" and not Evidence.objects.exists()


def test_the_status_page_refuses_six_files_in_its_error_shape(fs_evidence_storage, client):
    # Given a complaint's status page
    complaint = make_complaint()
    url = reverse("public:status", args=[status_token(complaint.pk)])
    uploads = [SimpleUploadedFile(item.name, item.data) for item in _photos(3) + _pdfs(3)]

    # When six files are sent with a reply
    response = client.post(url, {"message": "照片", "files": uploads})

    # Then the page answers 400 with the limit, and nothing is stored
    assert response.status_code == 400
    assert "5" in response.content.decode() and not Evidence.objects.exists()
