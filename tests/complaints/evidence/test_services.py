"""Adding and hiding evidence files, on the filesystem storage and on a real S3-compatible server: the type comes from
the bytes, pictures are re-encoded without metadata, limits hold, the same bytes are stored once, and nothing is
half-written."""

import hashlib
import io
import os
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from PIL import ExifTags, Image

from complaints.choices import EventKind, Status, Visibility
from complaints.errors import FileTooLarge, IllegalTransition, InvalidInput, NotAllowed
from complaints.evidence import selectors
from complaints.evidence.choices import Contributor, EvidenceKind, EvidenceVisibility
from complaints.evidence.models import Evidence
from complaints.evidence.services import IncomingFile, evidence_add, evidence_hide, evidence_orphans
from complaints.evidence.storage import object_names, object_read
from complaints.services import complaint_close, complaint_resolve, complaint_transition
from tests import evidence_files
from tests.factories import CarrierUserFactory, make_complaint

pytestmark = pytest.mark.django_db


def _add(complaint, actor, *files, kind=EvidenceKind.PHOTO, visibility=EvidenceVisibility.PUBLIC, **kwargs):
    return evidence_add(
        complaint=complaint,
        actor=actor,
        files=[IncomingFile(name, data) for name, data in files],
        kind=kind,
        visibility=visibility,
        **kwargs,
    )


def _stored_image(evidence: Evidence) -> Image.Image:
    return Image.open(io.BytesIO(object_read(evidence.storage_name)))


# --- Never trust a file ----------------------------------------------------------------------------------------------


def test_a_photo_reaches_storage_without_its_exif_or_gps(evidence_storage, agent):
    # Given a phone photo whose EXIF says where it was taken (the complainant's home)
    complaint = make_complaint()
    original = evidence_files.jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    # When an agent attaches it
    [evidence] = _add(complaint, agent, ("门口.jpg", original))

    # Then the stored copy is a JPEG with no EXIF at all, no GPS, no comment: only pixels
    stored = object_read(evidence.storage_name)
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert b"Exif" not in stored and b"iPhone" not in stored and b"taken at home" not in stored
    assert "comment" not in image.info and "exif" not in image.info
    # And the record says what was sent and what is stored
    assert evidence.original_name == "门口.jpg"
    assert evidence.detected_type == evidence.content_type == "image/jpeg"
    assert evidence.size == len(original)
    assert evidence.sha256 == hashlib.sha256(original).hexdigest()
    assert evidence.stored_size == len(stored)
    assert evidence.stored_sha256 == hashlib.sha256(stored).hexdigest()
    assert (evidence.width, evidence.height) == (640, 480)
    assert evidence.added_by == agent and evidence.added_by_role == Contributor.AGENT


def test_the_photo_is_turned_the_way_its_orientation_tag_said_before_the_tag_goes(fs_evidence_storage, agent):
    # Given a 640 × 480 photo taken with the phone held upright (EXIF orientation 6: rotate 90° to view)
    complaint = make_complaint()

    # When it is attached
    [evidence] = _add(complaint, agent, ("upright.jpg", evidence_files.jpeg_with_gps(orientation=6)))

    # Then the stored picture stands upright without the tag: 480 wide, 640 high
    assert _stored_image(evidence).size == (480, 640)


def test_a_decompression_bomb_is_refused_before_it_is_decoded(evidence_storage, agent):
    # Given a valid PNG of 20,000 × 20,000 pixels (a few hundred kB that would decode to 400 million pixels)
    complaint = make_complaint()
    bomb = evidence_files.png_bomb(20_000, 20_000)
    assert len(bomb) < 1_000_000

    # When it is sent
    started = time.monotonic()
    with pytest.raises(InvalidInput) as refused:
        _add(complaint, agent, ("bomb.png", bomb))

    # Then it is refused at once, saying why, and nothing is stored
    assert time.monotonic() - started < 2
    assert refused.value.code == "image_too_large"
    assert "bomb.png" in refused.value.message
    assert not Evidence.objects.exists()
    assert list(object_names()) == []


def test_a_png_named_pdf_is_stored_as_the_png_it_is(evidence_storage, agent):
    # Given a PNG picture whose name says PDF
    complaint = make_complaint()

    # When it is attached as a document
    [evidence] = _add(complaint, agent, ("invoice.pdf", evidence_files.png()), kind=EvidenceKind.DOCUMENT)

    # Then it is stored as a PNG, by its bytes
    assert evidence.detected_type == evidence.content_type == "image/png"
    assert evidence.storage_name.endswith(".png")
    assert _stored_image(evidence).format == "PNG"
    assert evidence.original_name == "invoice.pdf"


def test_an_html_page_named_jpg_is_refused_naming_the_allowed_types(evidence_storage, agent):
    # Given an HTML page with a script, named like a photo
    complaint = make_complaint()

    # When it is sent
    with pytest.raises(InvalidInput) as refused:
        _add(complaint, agent, ("photo.jpg", evidence_files.HTML_PAGE))

    # Then it is refused with the types that are allowed, and nothing is stored
    assert refused.value.code == "file_type_not_allowed"
    assert "photo.jpg" in refused.value.message
    assert "JPEG, PNG, WebP, HEIC, PDF" in refused.value.message
    assert list(object_names()) == []


def test_a_pdf_is_stored_as_sent(evidence_storage, agent):
    # Given a PDF receipt
    complaint = make_complaint()
    receipt = evidence_files.pdf()

    # When it is attached
    [evidence] = _add(complaint, agent, ("收据.pdf", receipt), kind=EvidenceKind.RECEIPT)

    # Then the very bytes are stored, as a PDF
    assert evidence.content_type == "application/pdf"
    assert object_read(evidence.storage_name) == receipt
    assert evidence.thumbnail_name == ""


def test_a_pdf_without_a_valid_header_or_end_is_refused(fs_evidence_storage, agent):
    complaint = make_complaint()
    with pytest.raises(InvalidInput) as no_header:
        _add(complaint, agent, ("a.pdf", b"%PDX-1.4\n" + evidence_files.pdf()[9:]), kind=EvidenceKind.DOCUMENT)
    assert no_header.value.code == "file_type_not_allowed"
    with pytest.raises(InvalidInput) as cut_off:
        _add(complaint, agent, ("b.pdf", evidence_files.pdf()[:-200]), kind=EvidenceKind.DOCUMENT)
    assert cut_off.value.code == "file_damaged"


def test_an_eleven_megabyte_file_is_refused_with_a_size_code(evidence_storage, agent):
    # Given an otherwise valid PDF of 11 MB (the limit is 10 MB)
    complaint = make_complaint()
    big = evidence_files.pdf(padding=11 * 1024 * 1024)
    assert len(big) > 11 * 1024 * 1024

    # When it is sent
    with pytest.raises(FileTooLarge) as refused:
        _add(complaint, agent, ("scan.pdf", big), kind=EvidenceKind.DOCUMENT)

    # Then it is refused for its size, an InvalidInput with the size code, and nothing is stored
    assert isinstance(refused.value, InvalidInput)
    assert refused.value.code == "file_too_large"
    assert "10.0 MB" in refused.value.message
    assert list(object_names()) == []


def test_a_heic_photo_is_stored_as_a_jpeg_without_gps(fs_evidence_storage, agent):
    # Given an iPhone's HEIC photo with GPS
    complaint = make_complaint()

    # When it is attached
    [evidence] = _add(complaint, agent, ("IMG_0001.HEIC", evidence_files.heic_with_gps()))

    # Then it is detected as HEIC and stored as a JPEG browsers can show, without EXIF
    assert evidence.detected_type == "image/heic"
    assert evidence.content_type == "image/jpeg"
    image = _stored_image(evidence)
    assert image.format == "JPEG" and dict(image.getexif()) == {}


def test_webp_keeps_its_type_and_loses_its_metadata(fs_evidence_storage, agent):
    complaint = make_complaint()
    [evidence] = _add(complaint, agent, ("p.webp", evidence_files.webp()))
    image = _stored_image(evidence)
    assert image.format == "WEBP" and dict(image.getexif()) == {}


def test_the_longest_side_is_capped(fs_evidence_storage, agent, settings):
    # Given a panorama 5000 px wide (the cap is 4096)
    complaint = make_complaint()

    # When it is attached
    [evidence] = _add(complaint, agent, ("pano.png", evidence_files.png(size=(5000, 1000))))

    # Then it is scaled down to 4096 on its longest side, keeping its shape
    assert _stored_image(evidence).size == (4096, 819)
    assert (evidence.width, evidence.height) == (4096, 819)


# --- Limits, duplicates, all or nothing ----------------------------------------------------------------------------


def test_the_same_bytes_twice_on_one_complaint_are_stored_once(evidence_storage, agent):
    # Given a photo already attached
    complaint = make_complaint()
    photo = evidence_files.jpeg_with_gps()
    [first] = _add(complaint, agent, ("a.jpg", photo))
    events = complaint.events.count()

    # When the same bytes are sent again, under another name, twice in one message
    again = _add(complaint, agent, ("b.jpg", photo), ("c.jpg", photo))

    # Then the stored file is returned, nothing is written and no event is recorded
    assert [e.pk for e in again] == [first.pk, first.pk]
    assert Evidence.objects.count() == 1
    assert len(list(object_names())) == 2  # the file and its thumbnail
    assert complaint.events.count() == events


def test_the_same_bytes_on_another_complaint_are_its_own_file(fs_evidence_storage, agent):
    photo = evidence_files.jpeg_with_gps()
    [a] = _add(make_complaint(), agent, ("a.jpg", photo))
    [b] = _add(make_complaint(), agent, ("a.jpg", photo))
    assert a.pk != b.pk and a.storage_name != b.storage_name


def test_one_bad_file_refuses_the_whole_message(evidence_storage, agent):
    # Given a good photo and an HTML page sent together
    complaint = make_complaint()

    # When they are sent
    with pytest.raises(InvalidInput) as refused:
        _add(complaint, agent, ("ok.jpg", evidence_files.jpeg_with_gps()), ("evil.jpg", evidence_files.HTML_PAGE))

    # Then neither is stored, and the error names the bad one
    assert "evil.jpg" in refused.value.message
    assert not Evidence.objects.exists()
    assert list(object_names()) == []
    assert not complaint.events.filter(kind=EventKind.EVIDENCE_ADDED).exists()


def test_at_most_five_files_a_message(fs_evidence_storage, agent):
    complaint = make_complaint()
    files = [(f"{i}.png", evidence_files.png(colour=(i, i, i))) for i in range(6)]
    with pytest.raises(InvalidInput) as refused:
        _add(complaint, agent, *files)
    assert refused.value.code == "too_many_files"
    assert not Evidence.objects.exists()


def test_at_most_twenty_files_a_complaint(fs_evidence_storage, agent):
    # Given a complaint with 20 files
    complaint = make_complaint()
    for batch in range(4):
        _add(complaint, agent, *[(f"{batch}-{i}.png", evidence_files.png(colour=(batch, i, 0))) for i in range(5)])
    assert complaint.evidence.count() == 20

    # When one more is sent
    with pytest.raises(InvalidInput) as refused:
        _add(complaint, agent, ("21.png", evidence_files.png(colour=(9, 9, 9))))

    # Then it is refused, saying how many the complaint has
    assert refused.value.code == "too_many_files"
    assert "20" in refused.value.message
    assert complaint.evidence.count() == 20


# --- The event, visibility, hiding ---------------------------------------------------------------------------------


def test_one_event_says_how_many_photos_were_added(fs_evidence_storage, agent):
    # Given a Chinese complainant's complaint
    complaint = make_complaint()
    version = complaint.version

    # When an agent adds three public photos
    added = _add(complaint, agent, *[(f"{i}.png", evidence_files.png(colour=(i, 0, 0))) for i in range(3)])

    # Then one public event records them, and the files point at it
    [event] = complaint.events.filter(kind=EventKind.EVIDENCE_ADDED)
    assert event.visibility == Visibility.PUBLIC
    assert event.message == "已添加 3 张照片"
    assert event.data["count"] == 3 and event.data["visibility"] == "public"
    assert {e.event_id for e in added} == {event.pk}
    complaint.refresh_from_db()
    assert complaint.version == version + 1


def test_files_for_agents_only_are_an_internal_event(fs_evidence_storage, agent):
    complaint = make_complaint()
    _add(complaint, agent, ("x.pdf", evidence_files.pdf()), kind=EvidenceKind.DOCUMENT, visibility="internal")
    assert complaint.events.get(kind=EventKind.EVIDENCE_ADDED).visibility == Visibility.INTERNAL


def test_who_sees_which_file(fs_evidence_storage, agent):
    # Given one file of each visibility
    complaint = make_complaint()
    public, carrier, internal = (
        _add(complaint, agent, (f"{v}.png", evidence_files.png(colour=(n, 0, 0))), visibility=v)[0]
        for n, v in enumerate(EvidenceVisibility.values)
    )

    # Then the complainant sees the public one, the carrier also its own, the agents all three
    assert list(selectors.evidence_for_complainant(complaint=complaint)) == [public]
    assert list(selectors.evidence_for_carrier(complaint=complaint)) == [public, carrier]
    assert list(selectors.evidence_for_staff(complaint=complaint)) == [public, carrier, internal]


def test_a_hidden_file_is_seen_by_the_agents_only_and_the_hiding_is_an_event(fs_evidence_storage, agent):
    # Given a public photo
    complaint = make_complaint()
    [photo] = _add(complaint, agent, ("wrong.jpg", evidence_files.jpeg_with_gps()))

    # When an agent hides it, with a reason, twice
    evidence_hide(evidence=photo, actor=agent, reason="发错了照片，含他人信息。")
    evidence_hide(evidence=photo, actor=agent, reason="again")

    # Then it is hidden once, for the complainant and the carrier, and still stored for the agents
    photo.refresh_from_db()
    assert photo.is_hidden and photo.hidden_by == agent and photo.hidden_reason == "发错了照片，含他人信息。"
    assert list(selectors.evidence_for_complainant(complaint=complaint)) == []
    assert list(selectors.evidence_for_carrier(complaint=complaint)) == []
    assert list(selectors.evidence_for_staff(complaint=complaint)) == [photo]
    assert object_read(photo.storage_name)
    [event] = complaint.events.filter(kind=EventKind.EVIDENCE_HIDDEN)
    assert event.visibility == Visibility.INTERNAL and event.message == "发错了照片，含他人信息。"


def test_files_are_never_edited_or_deleted(fs_evidence_storage, agent):
    complaint = make_complaint()
    [photo] = _add(complaint, agent, ("a.jpg", evidence_files.jpeg_with_gps()))
    photo.original_name = "renamed.jpg"
    with pytest.raises(TypeError):
        photo.save()
    with pytest.raises(TypeError):
        photo.delete()
    with pytest.raises(TypeError):
        Evidence.objects.all().delete()


def test_a_carrier_cannot_hide_a_file(fs_evidence_storage, agent, zto):
    complaint = make_complaint(carrier=zto)
    [photo] = _add(complaint, agent, ("a.jpg", evidence_files.jpeg_with_gps()))
    with pytest.raises(NotAllowed):
        evidence_hide(evidence=photo, actor=CarrierUserFactory(carrier=zto), reason="no")


def test_the_complainant_adds_public_files_recorded_as_the_complainants(fs_evidence_storage):
    complaint = make_complaint()
    [photo] = _add(complaint, None, ("破损.jpg", evidence_files.jpeg_with_gps()), complainant=True)
    assert photo.added_by is None and photo.added_by_role == Contributor.COMPLAINANT
    with pytest.raises(InvalidInput):
        _add(complaint, None, ("x.png", evidence_files.png()), complainant=True, visibility="internal")


def test_a_carrier_adds_files_only_to_its_own_complaints(fs_evidence_storage, zto, sf):
    zto_user = CarrierUserFactory(carrier=zto)
    [pod] = _add(
        make_complaint(carrier=zto), zto_user, ("pod.jpg", evidence_files.jpeg_with_gps()), kind="proof_of_delivery"
    )
    assert pod.added_by_role == Contributor.CARRIER
    with pytest.raises(NotAllowed):
        _add(make_complaint(carrier=sf), zto_user, ("pod.jpg", evidence_files.jpeg_with_gps()))


def test_a_closed_complaint_takes_files_for_the_agents_only(fs_evidence_storage, agent):
    complaint = make_complaint()
    for status in (Status.ACKNOWLEDGED, Status.IN_PROGRESS):
        complaint_transition(complaint=complaint, actor=agent, to_status=status)
    complaint_resolve(complaint=complaint, actor=agent, summary="已赔付。", root_cause="网点遗失。")
    complaint_close(complaint=complaint, actor=agent)
    with pytest.raises(IllegalTransition):
        _add(complaint, agent, ("a.png", evidence_files.png()))
    assert _add(complaint, agent, ("a.png", evidence_files.png()), visibility="internal")


# --- Storage writes and rollbacks -----------------------------------------------------------------------------------


def test_objects_of_a_rolled_back_transaction_are_found_and_deleted_by_the_orphan_sweep(evidence_storage, agent):
    # Given files added inside a caller's transaction that then rolls back
    complaint = make_complaint()
    kept = _add(complaint, agent, ("kept.png", evidence_files.png(colour=(1, 2, 3))))[0]
    with pytest.raises(RuntimeError), transaction.atomic():
        _add(complaint, agent, ("lost.jpg", evidence_files.jpeg_with_gps()))
        raise RuntimeError("the caller failed after the files were written")
    assert Evidence.objects.count() == 1
    left_behind = set(object_names()) - {kept.storage_name, kept.thumbnail_name}
    assert len(left_behind) == 2

    # When the orphan sweep runs (counting objects of any age)
    found = evidence_orphans(older_than=-timedelta(minutes=1), delete=True)

    # Then it deletes exactly those, and the complaint's file stays
    assert set(found) == left_behind
    assert set(object_names()) == {kept.storage_name, kept.thumbnail_name}


def test_the_orphan_command_lists_then_deletes_only_objects_nobody_names(fs_evidence_storage, agent):
    # Given an object left by a rolled-back transaction an hour and a half ago, and a complaint's file
    complaint = make_complaint()
    kept = _add(complaint, agent, ("kept.png", evidence_files.png()))[0]
    with pytest.raises(RuntimeError), transaction.atomic():
        _add(complaint, agent, ("lost.pdf", evidence_files.pdf()), kind=EvidenceKind.DOCUMENT)
        raise RuntimeError("rolled back")
    [orphan] = set(object_names()) - {kept.storage_name, kept.thumbnail_name}
    old = time.time() - 90 * 60
    os.utime(fs_evidence_storage / orphan, (old, old))

    # When the command runs without, then with --delete
    listed, deleted = io.StringIO(), io.StringIO()
    call_command("evidence_orphans", stdout=listed)
    assert orphan in listed.getvalue() and orphan in set(object_names())
    call_command("evidence_orphans", "--delete", stdout=deleted)

    # Then only the orphan is gone
    assert orphan in deleted.getvalue()
    assert set(object_names()) == {kept.storage_name, kept.thumbnail_name}


@pytest.mark.parametrize(
    ("mode", "colour", "save", "stored_mode"),
    [
        ("CMYK", (0, 100, 100, 0), {"format": "JPEG"}, "RGB"),
        ("I;16", 300, {"format": "PNG"}, "RGB"),
        ("P", 3, {"format": "PNG", "transparency": 3}, "RGBA"),
        ("LA", (100, 50), {"format": "PNG"}, "LA"),
        ("1", 1, {"format": "PNG"}, "RGB"),
        ("RGBA", (1, 2, 3, 4), {"format": "WEBP"}, "RGBA"),
    ],
)
def test_pictures_of_every_colour_mode_are_stored(fs_evidence_storage, agent, mode, colour, save, stored_mode):
    out = io.BytesIO()
    Image.new(mode, (50, 40), colour).save(out, **save)
    [evidence] = _add(make_complaint(), agent, (f"x.{save['format'].lower()}", out.getvalue()))
    assert _stored_image(evidence).mode == stored_mode


def test_a_truncated_picture_is_refused_as_damaged(fs_evidence_storage, agent):
    with pytest.raises(InvalidInput) as refused:
        _add(make_complaint(), agent, ("cut.jpg", evidence_files.jpeg_with_gps(size=(800, 600))[:400]))
    assert refused.value.code == "file_damaged"
