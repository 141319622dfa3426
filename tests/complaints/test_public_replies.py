"""The complainant's reply on the status page (words and files, CSRF-protected, limited per complaint, refused on a
closed complaint and on expired or forged links) and photos on the public complaint form."""

from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from complaints import services
from complaints.choices import EventKind, MessageKind, Status
from complaints.evidence.choices import Contributor
from complaints.evidence.models import Evidence
from complaints.links import status_url
from complaints.models import Complaint, ComplaintEvent, OutboundMessage
from complaints.public.limits import REPLY_LIMIT
from tests import public_form
from tests.evidence_files import jpeg_with_gps, png
from tests.factories import make_complaint
from tests.public_form import FORM, started_stamp

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
H = timedelta(hours=1)
DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def files_and_sms_to_tmp(settings, tmp_path, fs_evidence_storage):
    settings.REDRESS_SMS_FILE_DIR = str(tmp_path)


def at(moment):
    return time_machine.travel(moment, tick=False)


def link_of(complaint) -> str:
    with at(T0):
        return urlsplit(status_url(complaint.pk)).path


def awaiting_complainant(agent):
    """Received at T0, owned by the agent, acknowledged at T0 + 1 h, waiting on the complainant from T0 + 2 h."""
    with at(T0):
        complaint = make_complaint(language="en")
        services.complaint_assign(complaint=complaint, actor=agent, owner=agent)
    with at(T0 + H):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
    with at(T0 + 2 * H):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.AWAITING_CUSTOMER)
    complaint.refresh_from_db()
    return complaint


def photo(name="parcel.jpg", colour=(200, 30, 30)):
    return SimpleUploadedFile(name, jpeg_with_gps(colour=colour), content_type="image/jpeg")


def replies(complaint):
    return ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.COMPLAINANT_REPLY)


def test_a_reply_with_a_photo_reaches_the_agent_and_resumes_the_complaint(client, agent):
    # Given a complaint waiting on the complainant, and its status page
    complaint = awaiting_complainant(agent)
    link = link_of(complaint)
    progress_due = complaint.progress_due_at

    # When the complainant writes a reply with a photo from the page, 10 hours later
    with at(T0 + 12 * H):
        page = client.get(link)
        assert page.status_code == 200 and "Write to us" in page.content.decode()
        response = client.post(link, {"message": "The box was crushed, photo attached.", "files": [photo()]})

    # Then they are sent back to the page, which thanks them and shows the reply with its photo
    assert response.status_code == 302
    assert response["Location"] == link + "?sent=1"
    with at(T0 + 12 * H):
        after = client.get(response["Location"])
    html = after.content.decode()
    assert "we have your message" in html
    assert "The box was crushed, photo attached." in html
    evidence = Evidence.objects.get(complaint=complaint)
    assert reverse("public:evidence_thumbnail", args=[link.rstrip("/").rsplit("/", 1)[-1], evidence.pk]) in html
    # and the photo is the complainant's, attached to the public reply event
    reply = replies(complaint).get()
    assert (evidence.event_id, evidence.added_by_role) == (reply.pk, Contributor.COMPLAINANT)
    assert reply.data["channel"] == "status_page"
    # and the complaint left "awaiting complainant" with its own event
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS
    assert ComplaintEvent.objects.filter(
        complaint=complaint, kind=EventKind.STATUS_CHANGED, data__to=Status.IN_PROGRESS
    ).exists()
    # and the owner is alerted
    assert OutboundMessage.objects.filter(complaint=complaint, kind=MessageKind.STAFF_ALERT, recipient=agent.email)
    # and the reply is not a progress update: the complainant still hears from us when they were due to
    assert complaint.progress_due_at == progress_due


def test_a_closed_complaint_refuses_replies_with_a_clear_page(client, agent):
    # Given a closed complaint
    complaint = awaiting_complainant(agent)
    with at(T0 + 3 * H):
        services.complaint_resolve(
            complaint=complaint, actor=agent, summary="Parcel delivered again.", root_cause="Wrong sorting."
        )
        services.complaint_close(complaint=complaint, actor=agent)
    link = link_of(complaint)

    # When its status page is opened and a reply is posted anyway
    with at(T0 + 4 * H):
        page = client.get(link)
        response = client.post(link, {"message": "Hello?", "files": [photo()]})

    # Then the page offers no form, and the post is refused with a clear page; nothing is written
    assert "Write to us" not in page.content.decode()
    assert response.status_code == 409
    assert "This complaint is closed" in response.content.decode()
    assert not replies(complaint).exists()
    assert not Evidence.objects.exists()


def test_an_expired_link_refuses_a_reply_with_the_expired_page(client, agent, settings):
    # Given a status link sent at T0
    complaint = awaiting_complainant(agent)
    link = link_of(complaint)

    # When a reply is posted after the link expired
    with at(T0 + (settings.REDRESS_STATUS_LINK_DAYS + 1) * DAY):
        response = client.post(link, {"message": "Still waiting."})

    # Then the existing "expired" page, and nothing is written
    assert response.status_code == 410
    assert not replies(complaint).exists()


def test_a_forged_link_refuses_a_reply_with_the_not_valid_page(client, agent):
    # Given a status link changed by hand
    complaint = awaiting_complainant(agent)
    forged = link_of(complaint).rstrip("/")[:-4] + "abcd/"

    # When a reply is posted to it
    with at(T0 + 3 * H):
        response = client.post(forged, {"message": "Hi."})

    # Then the existing "not valid" page, and nothing is written
    assert response.status_code == 400
    assert not replies(complaint).exists()


def test_a_reply_needs_the_csrf_token(agent):
    # Given a browser that enforces CSRF like production, and a complaint's status page
    complaint = awaiting_complainant(agent)
    link = link_of(complaint)
    browser = Client(enforce_csrf_checks=True)

    with at(T0 + 3 * H):
        # When a reply is posted without the page's token (a forged cross-site post)
        forged = browser.post(link, {"message": "Cross-site"})
        # and then from the page itself, with its token
        page = browser.get(link)
        token = page.context["csrf_token"]
        real = browser.post(link, {"message": "From the page", "csrfmiddlewaretoken": str(token)})

    # Then the first is refused and writes nothing, the second is taken
    assert forged.status_code == 403
    assert real.status_code == 302
    assert list(replies(complaint).values_list("message", flat=True)) == ["From the page"]


def test_over_the_limit_a_reply_is_refused_and_nothing_written(client, agent):
    # Given a complainant who sent the most replies allowed in a few minutes
    complaint = awaiting_complainant(agent)
    link = link_of(complaint)
    for i in range(REPLY_LIMIT):
        with at(T0 + 3 * H + i * timedelta(minutes=1)):
            assert client.post(link, {"message": f"Message {i}"}).status_code == 302

    # When they send one more within the window
    with at(T0 + 3 * H + REPLY_LIMIT * timedelta(minutes=1)):
        refused = client.post(link, {"message": "One too many", "files": [photo()]})

    # Then it is refused with a clear page (not a 500), and neither the message nor its file is written
    assert refused.status_code == 429
    assert "Please wait a few minutes" in refused.content.decode()
    assert replies(complaint).count() == REPLY_LIMIT
    assert not Evidence.objects.exists()

    # And once the window has passed, replies are taken again
    with at(T0 + 3 * H + 11 * timedelta(minutes=1)):
        assert client.post(link, {"message": "Later"}).status_code == 302
    assert replies(complaint).count() == REPLY_LIMIT + 1


def test_a_reply_with_six_files_is_refused_naming_the_limit(client, agent, settings):
    # Given a complaint's status page (at most 5 files a message)
    complaint = awaiting_complainant(agent)
    link = link_of(complaint)
    assert settings.REDRESS_EVIDENCE_MAX_FILES_PER_MESSAGE == 5

    # When a reply comes with six photos
    files = [photo(f"p{i}.jpg", colour=(20 * i, 30, 30)) for i in range(6)]
    with at(T0 + 3 * H):
        response = client.post(link, {"message": "Six photos", "files": files})

    # Then the form comes back saying at most 5 files, and nothing is written
    assert response.status_code == 400
    assert "At most 5 files at a time." in response.content.decode()
    assert not replies(complaint).exists()
    assert not Evidence.objects.exists()
    complaint.refresh_from_db()
    assert complaint.status == Status.AWAITING_CUSTOMER


def test_an_empty_reply_is_a_form_error(client, agent):
    # Given a complaint's status page
    complaint = awaiting_complainant(agent)

    # When the form is sent with neither words nor files
    with at(T0 + 3 * H):
        response = client.post(link_of(complaint), {"message": "  "})

    # Then the form comes back with an error, not a 500, and nothing is written
    assert response.status_code == 400
    assert response.context["reply_form"].errors
    assert not replies(complaint).exists()


def test_a_file_that_is_not_a_picture_is_refused_on_the_form(client, agent):
    # Given a complaint's status page
    complaint = awaiting_complainant(agent)

    # When a reply comes with a file pretending to be a photo
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not a picture at all", content_type="image/jpeg")
    with at(T0 + 3 * H):
        response = client.post(link_of(complaint), {"message": "See photo", "files": [fake]})

    # Then the form names the file, and nothing is written
    assert response.status_code == 400
    assert "photo.jpg" in response.content.decode()
    assert not replies(complaint).exists()


# --- The public complaint form with photos ---------------------------------------------------------------------------


def form_data(started, **overrides):
    # A damaged parcel: what the photos show.
    return public_form.form_data(started, category="damage", description="外箱压坏了，里面的杯子碎了。", **overrides)


def test_the_public_form_stores_its_photos_with_the_complaint(client):
    # Given the public form, opened at T0
    started = started_stamp(client, T0)

    # When it is sent with two photos
    with at(T0 + timedelta(seconds=30)):
        response = client.post(
            FORM,
            form_data(started, files=[photo(), SimpleUploadedFile("label.png", png(), content_type="image/png")]),
        )

    # Then the complaint exists with both photos, the complainant's own, public, on its "created" event
    assert response.status_code == 201
    complaint = Complaint.objects.get()
    created = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.CREATED)
    stored = list(Evidence.objects.filter(complaint=complaint).order_by("id"))
    assert [e.original_name for e in stored] == ["parcel.jpg", "label.png"]
    assert {(e.event_id, e.added_by_role, e.visibility) for e in stored} == {
        (created.pk, Contributor.COMPLAINANT, "public")
    }


def test_the_public_form_with_a_bad_file_writes_nothing(client):
    # Given the public form
    started = started_stamp(client, T0)

    # When it is sent with a file that is not a picture
    fake = SimpleUploadedFile("photo.jpg", b"not a picture", content_type="image/jpeg")
    with at(T0 + timedelta(seconds=30)):
        response = client.post(FORM, form_data(started, files=[fake]))

    # Then the form comes back naming the file, and no complaint is written
    assert response.status_code == 200
    assert "photo.jpg" in response.content.decode()
    assert not Complaint.objects.exists()
    assert not Evidence.objects.exists()
