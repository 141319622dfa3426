"""The complainant's pages: the status page in their language, expired and tampered links, the survey from
resolution to answer (and reminder), and the public complaint form with its spam guards."""

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from complaints import services
from complaints.choices import Channel, EventKind, MessageKind, Status
from complaints.followups.planning import revisits_plan
from complaints.links import status_url, survey_url
from complaints.models import Complaint, ComplaintEvent, OutboundMessage, SurveyResponse
from tests.public_form import FORM, form_data, started_stamp

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
H = timedelta(hours=1)
DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def sms_to_tmp(settings, tmp_path):
    settings.REDRESS_SMS_FILE_DIR = str(tmp_path)


def at(moment):
    return time_machine.travel(moment, tick=False)


def path_of(url: str) -> str:
    return urlsplit(url).path


def templates(response):
    return [t.name for t in response.templates]


def new_complaint(**overrides):
    from tests.factories import make_complaint

    with at(T0):
        return make_complaint(**overrides)


def worked_on(complaint, agent):
    with at(T0 + H):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
        services.complaint_reply(complaint=complaint, actor=agent, message="PUBLIC-REPLY 我们正在联系网点核实。")
        services.complaint_add_note(complaint=complaint, actor=agent, message="SECRET-NOTE 网点主管电话 0571-88886666")
    return complaint


# --- Status page ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "title", "next_line"),
    [
        ("zh-hans", "您的投诉", "我们最迟将于 2026-11-03 11:00 前向您通报最新进展。"),
        ("en", "Your complaint", "Next update from us by 2026-11-03 11:00 at the latest."),
    ],
)
def test_status_page_shows_the_timeline_and_next_update_in_the_complainants_language(
    client, agent, language, title, next_line
):
    # Given a complaint an agent acknowledged and answered, with an internal note
    complaint = worked_on(new_complaint(language=language), agent)

    # When the complainant opens the link from our message
    with at(T0 + 2 * H):
        response = client.get(path_of(status_url(complaint.pk)))

    # Then the page is in their language, shows the public timeline and when the next update comes
    assert response.status_code == 200
    html = response.content.decode()
    assert title in html
    assert complaint.reference in html
    assert next_line in html
    assert "PUBLIC-REPLY" in html
    # and never an internal note
    assert "SECRET-NOTE" not in html
    assert "0571-88886666" not in html


def test_status_link_expires_with_a_clear_page(client, settings):
    # Given a status link sent at intake
    complaint = new_complaint()
    with at(T0):
        link = path_of(status_url(complaint.pk))

    # When it is opened a day before, and a day after, it expires
    with at(T0 + (settings.REDRESS_STATUS_LINK_DAYS - 1) * DAY):
        still = client.get(link)
    with at(T0 + (settings.REDRESS_STATUS_LINK_DAYS + 1) * DAY):
        expired = client.get(link)

    # Then the first works, the second says the link has expired (410), in Chinese by default
    assert still.status_code == 200
    assert expired.status_code == 410
    assert "链接已失效" in expired.content.decode()
    assert complaint.reference not in expired.content.decode()


@pytest.mark.parametrize("name", ["public:status", "public:survey"])
@pytest.mark.parametrize(
    "mangle",
    [lambda t: t[:-4] + "abcd", lambda t: t[: len(t) // 2], lambda t: "not-a-token", lambda t: "x" * 300],
    ids=["changed", "cut", "garbage", "long"],
)
def test_tampered_links_give_a_400_page_never_a_500(client, name, mangle):
    # Given a valid link for a complaint
    complaint = new_complaint()
    with at(T0):
        token = urlsplit(status_url(complaint.pk) if name == "public:status" else survey_url(complaint.pk, 0)).path
        token = token.rstrip("/").rsplit("/", 1)[-1]

    # When it is changed or cut off
    with at(T0 + H):
        response = client.get(reverse(name, args=[mangle(token)]))

    # Then a clear "not valid" page
    assert response.status_code == 400
    assert "链接无效" in response.content.decode()


def test_status_token_for_a_deleted_complaint_gives_a_clear_page(client):
    # Given a link to a complaint that no longer exists
    with at(T0):
        link = path_of(status_url(987654))
        response = client.get(link)
    # Then a clear page, not a 500
    assert response.status_code == 400


# --- The survey -----------------------------------------------------------------------------------------------------


def resolved(agent, **overrides):
    complaint = new_complaint(**overrides)
    with at(T0 + H):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.IN_PROGRESS)
    with at(T0 + 2 * H):
        services.complaint_resolve(
            complaint=complaint, actor=agent, summary="已补发同款商品并退还运费。", root_cause="转运中心分拣错误。"
        )
    return complaint


RESOLVED_AT = T0 + 2 * H


def survey_link_from_outbox(complaint, kind=MessageKind.SURVEY) -> str:
    message = OutboundMessage.objects.get(complaint=complaint, kind=kind)
    match = re.search(r"/c/survey/[^/\s]+/", message.body)
    assert match, message.body
    return match.group(0)


def test_survey_end_to_end_with_a_good_score(client, agent):
    # Given a complaint resolved at RESOLVED_AT
    complaint = resolved(agent)

    # When the revisit planner runs just before 3 days, Then no survey yet
    with at(RESOLVED_AT + 3 * DAY - H):
        assert revisits_plan().planned == 0
    assert not OutboundMessage.objects.filter(complaint=complaint, kind=MessageKind.SURVEY).exists()

    # When it runs 3 days after resolution, Then the survey message is queued with its link
    with at(RESOLVED_AT + 3 * DAY):
        assert revisits_plan().planned == 1
    link = survey_link_from_outbox(complaint)

    # When the complainant opens it and answers 5
    with at(RESOLVED_AT + 3 * DAY + H):
        page = client.get(link)
        answered = client.post(link, {"score": "5", "comment": "很满意"})

    # Then the form is shown, the answer thanked, and recorded once
    assert page.status_code == 200
    assert "complaints/public/survey.html" in templates(page)
    assert answered.status_code == 200
    assert "complaints/public/thanks.html" in templates(answered)
    assert "感谢您的评价" in answered.content.decode()
    response = SurveyResponse.objects.get(complaint=complaint)
    assert (response.score, response.cycle, response.comment) == (5, 0, "很满意")
    assert Complaint.objects.get(pk=complaint.pk).status == Status.RESOLVED

    # When they post again
    with at(RESOLVED_AT + 3 * DAY + 2 * H):
        again = client.post(link, {"score": "1", "comment": "再来一次"})

    # Then they are told they already answered, and nothing changes
    assert again.status_code == 200
    assert "您已提交过评价" in again.content.decode()
    assert SurveyResponse.objects.filter(complaint=complaint).count() == 1
    assert Complaint.objects.get(pk=complaint.pk).status == Status.RESOLVED


def test_a_low_score_reopens_and_escalates_with_the_comment_in_the_timeline(client, agent):
    # Given a resolved complaint whose survey went out
    complaint = resolved(agent)
    with at(RESOLVED_AT + 3 * DAY):
        revisits_plan()
    link = survey_link_from_outbox(complaint)

    # When the complainant answers 1 with a comment
    with at(RESOLVED_AT + 3 * DAY + H):
        response = client.post(link, {"score": "1", "comment": "补发的货还是没收到！"})

    # Then they are thanked and told it is reopened
    assert response.status_code == 200
    assert "complaints/public/thanks.html" in templates(response)
    # and the complaint is reopened, at supervisor level, back in the queue
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.status == Status.REOPENED
    assert complaint.escalation_level >= 1
    assert complaint.owner is None
    assert complaint.reopen_count == 1
    # and the comment is in the timeline, visible on the status page
    event = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.SURVEY_ANSWERED)
    assert event.message == "补发的货还是没收到！"
    assert event.data["score"] == 1
    with at(RESOLVED_AT + 3 * DAY + 2 * H):
        status = client.get(path_of(status_url(complaint.pk)))
    assert "补发的货还是没收到！" in status.content.decode()
    # and the reopened complaint's clocks run again
    assert complaint.resolution_due_at is not None


def test_a_reminder_follows_three_days_after_an_unanswered_survey(agent):
    # Given a resolved complaint whose survey went out and was not answered
    complaint = resolved(agent)
    with at(RESOLVED_AT + 3 * DAY):
        revisits_plan()

    # When the planner runs again 3 days later, and once more after that
    with at(RESOLVED_AT + 6 * DAY - H):
        assert revisits_plan().planned == 0
    with at(RESOLVED_AT + 6 * DAY):
        assert revisits_plan().planned == 1
    with at(RESOLVED_AT + 9 * DAY):
        assert revisits_plan().planned == 0

    # Then exactly one reminder, with a working survey link
    reminders = OutboundMessage.objects.filter(complaint=complaint, kind=MessageKind.SURVEY_REMINDER)
    assert reminders.count() == 1
    survey_link_from_outbox(complaint, MessageKind.SURVEY_REMINDER)


def test_no_reminder_when_the_survey_was_answered(client, agent):
    # Given a resolved complaint whose survey was answered the day after it went out
    complaint = resolved(agent)
    with at(RESOLVED_AT + 3 * DAY):
        revisits_plan()
    with at(RESOLVED_AT + 4 * DAY):
        client.post(survey_link_from_outbox(complaint), {"score": "4"})
    assert SurveyResponse.objects.filter(complaint=complaint).count() == 1

    # When the planner runs when the reminder would have been due
    with at(RESOLVED_AT + 6 * DAY):
        revisits_plan()

    # Then no reminder is queued
    assert not OutboundMessage.objects.filter(complaint=complaint, kind=MessageKind.SURVEY_REMINDER).exists()


def test_expired_survey_link_gives_the_expired_page(client, settings, agent):
    # Given a survey link
    complaint = resolved(agent)
    with at(RESOLVED_AT + 3 * DAY):
        revisits_plan()
    link = survey_link_from_outbox(complaint)

    # When it is opened after it expired
    with at(RESOLVED_AT + 3 * DAY + (settings.REDRESS_SURVEY_LINK_DAYS + 1) * DAY):
        response = client.post(link, {"score": "5"})

    # Then a 410 page and no answer recorded
    assert response.status_code == 410
    assert not SurveyResponse.objects.exists()


def test_invalid_score_shows_the_form_again(client, agent):
    complaint = resolved(agent)
    with at(RESOLVED_AT + 3 * DAY):
        revisits_plan()
        response = client.post(survey_link_from_outbox(complaint), {"score": "9"})
    assert response.status_code == 200
    assert "complaints/public/survey.html" in templates(response)
    assert response.context["form"].errors["score"]
    assert not SurveyResponse.objects.exists()


# --- The public form ------------------------------------------------------------------------------------------------


def nothing_written():
    return not (Complaint.objects.exists() or ComplaintEvent.objects.exists() or OutboundMessage.objects.exists())


def test_public_form_creates_a_web_complaint(client):
    # Given the form, opened at T0
    started = started_stamp(client, T0)

    # When it is sent 20 seconds later
    with at(T0 + timedelta(seconds=20)):
        response = client.post(FORM, form_data(started))

    # Then a web complaint exists, with its acknowledgement, and the page links to its status
    assert response.status_code == 201
    complaint = Complaint.objects.get()
    assert complaint.channel == Channel.WEB
    assert complaint.waybill_number == "SF1234567890123"
    assert complaint.received_at == T0 + timedelta(seconds=20)
    assert complaint.reference in response.content.decode()
    assert OutboundMessage.objects.filter(complaint=complaint, kind=MessageKind.ACKNOWLEDGEMENT).count() == 1
    assert "/c/status/" in response.content.decode()


def test_honeypot_filled_is_refused(client):
    started = started_stamp(client, T0)
    with at(T0 + timedelta(seconds=20)):
        response = client.post(FORM, form_data(started, website="http://spam.example.com"))
    assert response.status_code == 400
    assert nothing_written()


def test_too_fast_is_a_form_error(client):
    # Given the form opened at T0, When it is sent after 1 second
    started = started_stamp(client, T0)
    with at(T0 + timedelta(seconds=1)):
        response = client.post(FORM, form_data(started))
    # Then it is shown again with an error and nothing is written
    assert response.status_code == 200
    assert "提交速度过快" in response.content.decode()
    assert nothing_written()


def test_forged_started_stamp_is_a_form_error(client):
    with at(T0):
        response = client.post(FORM, form_data("form:forged:stamp"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert nothing_written()


def test_invalid_waybill_is_a_field_error_and_nothing_is_written(client):
    started = started_stamp(client, T0)
    with at(T0 + timedelta(seconds=20)):
        response = client.post(FORM, form_data(started, waybill_number="SF-12"))
    assert response.status_code == 200
    assert response.context["form"].errors["waybill_number"]
    assert nothing_written()


@pytest.mark.parametrize(("language", "label"), [("zh-hans", "已受理"), ("en", "Acknowledged")])
def test_status_changes_in_the_timeline_are_named_in_the_complainants_language(client, agent, language, label):
    # Given a complaint an agent acknowledged
    complaint = worked_on(new_complaint(language=language), agent)

    # When the complainant opens the status page
    with at(T0 + 2 * H):
        html = client.get(path_of(status_url(complaint.pk))).content.decode()

    # Then the status change reads as words in their language, not as the internal code
    assert label in html
    assert "acknowledged" not in html
