"""Canned replies in the admin: supervisors write them (an unknown placeholder is shown as an error on the form, never
a 400 or a 500), agents read them; the complaint's reply form offers those that fit, filled in for the complaint, and
sending one records which it was and moves the complaint to its next status."""

import html
from datetime import datetime

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from complaints.choices import Category, EventKind, Language, Status, Visibility
from complaints.macros.models import Macro
from complaints.macros.services import macro_render, macro_save
from complaints.models import Complaint
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db

MACRO_ADD = "admin:macros_macro_add"


def _macro_form(**overrides):
    data = {
        "name": "Ask for photos",
        "category": "",
        "language": Language.EN,
        "body": "Dear {complainant_name}, please send photos of parcel {waybill} ({reference}).",
        "next_status": Status.AWAITING_CUSTOMER,
        "visibility": Visibility.PUBLIC,
        "is_active": "on",
    }
    return {**data, **overrides}


def _change_url(complaint):
    return reverse("admin:complaints_complaint_change", args=[complaint.pk])


def _reply_url(complaint):
    return reverse("admin:complaints_complaint_action", args=[complaint.pk, "reply"])


def _messages(response):
    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)]


def _acknowledged(**fields):
    complaint = make_complaint(**fields)
    Complaint.objects.filter(pk=complaint.pk).update(
        status=Status.ACKNOWLEDGED,
        progress_due_at=timezone.make_aware(datetime(2026, 12, 1, 9, 30)),
        resolution_due_at=timezone.make_aware(datetime(2026, 12, 3, 18, 0)),
    )
    return Complaint.objects.select_related("carrier").get(pk=complaint.pk)


# --- Writing macros -------------------------------------------------------------------------------------------------


def test_a_supervisor_adds_a_macro_through_the_service(supervisor_client, supervisor):
    response = supervisor_client.post(reverse(MACRO_ADD), _macro_form())

    assert response.status_code == 302
    macro = Macro.objects.get()
    assert (macro.name, macro.next_status, macro.created_by) == ("Ask for photos", Status.AWAITING_CUSTOMER, supervisor)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_unknown_placeholder_is_an_error_on_the_form_naming_it_and_the_allowed_ones(supervisor_client, language):
    # When a supervisor saves a text with a placeholder the macros do not know
    response = supervisor_client.post(
        reverse(MACRO_ADD), _macro_form(body="Hello {customer}, ref {reference}"), HTTP_ACCEPT_LANGUAGE=language
    )

    # Then the form comes back (not a 400, not a 500) with the error on the text, naming the placeholder and listing
    # the allowed ones, and nothing is stored
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["body"]
    assert len(errors) == 1
    assert "customer" in errors[0]
    for known in ("{reference}", "{waybill}", "{carrier}", "{complainant_name}", "{next_update}", "{due}"):
        assert known in errors[0]
    assert html.escape(errors[0]) in response.content.decode()
    assert not Macro.objects.exists()


def test_changing_a_macro_to_an_unknown_placeholder_is_refused_on_the_form(supervisor_client, supervisor):
    macro = macro_save(actor=supervisor, name="Progress", language=Language.EN, body="Ref {reference}")

    response = supervisor_client.post(
        reverse("admin:macros_macro_change", args=[macro.pk]), _macro_form(body="Ref {reference:>10}")
    )

    assert response.status_code == 200
    assert "body" in response.context["adminform"].form.errors
    macro.refresh_from_db()
    assert macro.body == "Ref {reference}"


def test_an_agent_reads_macros_but_cannot_write_them(agent_client, supervisor):
    macro = macro_save(actor=supervisor, name="Progress", language=Language.EN, body="Ref {reference}")

    assert agent_client.get(reverse("admin:macros_macro_changelist")).status_code == 200
    page = agent_client.get(reverse("admin:macros_macro_change", args=[macro.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert agent_client.get(reverse(MACRO_ADD)).status_code == 403
    refused = agent_client.post(reverse("admin:macros_macro_change", args=[macro.pk]), _macro_form(body="changed"))
    assert refused.status_code == 403
    macro.refresh_from_db()
    assert macro.body == "Ref {reference}"


# --- The picker in the reply form -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "body", "expected"),
    [
        (Language.EN, "Dear {complainant_name}, {reference} with {carrier}, due {due}.", "Dear 张伟, {ref} with ZTO "
         "Express, due 2026-12-03 18:00."),
        (Language.ZH_HANS, "{complainant_name}您好，{reference}（{carrier}）最迟 {due} 处理完毕。", "张伟您好，{ref}"
         "（中通快递）最迟 2026-12-03 18:00 处理完毕。"),
    ],
    ids=["en", "zh-hans"],
)  # fmt: skip
def test_the_reply_form_offers_the_macros_filled_in_for_the_complaint(
    agent_client, supervisor, language, body, expected
):
    # Given a complaint in one language, a macro in its language and one in the other language, of another category
    complaint = _acknowledged(language=language, category=Category.DELAY)
    macro = macro_save(actor=supervisor, name="Status", language=language, body=body, next_status=Status.IN_PROGRESS)
    other = Language.ZH_HANS if language == Language.EN else Language.EN
    macro_save(actor=supervisor, name="Other language", language=other, body="{reference}")
    macro_save(actor=supervisor, name="Loss only", language=language, category=Category.LOSS, body="x")

    # When the agent opens the complaint
    page = agent_client.get(_change_url(complaint)).content.decode()

    # Then the reply form has the picker, its option carrying the text filled in for this complaint
    text = expected.format(ref=complaint.reference)
    assert 'class="redress-macro-picker"' in page
    assert f'data-text="{html.escape(text)}"' in page
    assert f'data-next-status="{Status.IN_PROGRESS}"' in page
    assert f'value="{macro.pk}"' in page
    assert "Other language" in page
    assert "Loss only" not in page
    # And the script that copies it into the form is a static file, not inline
    assert "complaints/macro_picker.js" in page


def test_without_macros_the_reply_form_has_no_picker(agent_client):
    complaint = _acknowledged()

    page = agent_client.get(_change_url(complaint)).content.decode()

    assert 'name="reply-message"' in page
    assert 'class="redress-macro-picker"' not in page


def test_sending_a_reply_with_a_macro_records_it_and_sets_the_next_status(agent_client, agent, supervisor):
    # Given an acknowledged complaint and an "ask for photos" macro that then waits on the complainant
    complaint = _acknowledged(language=Language.EN)
    macro = macro_save(
        actor=supervisor,
        name="Ask for photos",
        language=Language.EN,
        body="Please send photos of parcel {waybill}.",
        next_status=Status.AWAITING_CUSTOMER,
    )
    text = macro_render(macro=macro, complaint=complaint) + " Thanks."

    # When the agent sends the edited text with the macro's settings, as the picker left them
    response = agent_client.post(
        _reply_url(complaint),
        {
            "reply-expected_version": complaint.version,
            "reply-macro": macro.pk,
            "reply-message": text,
            "reply-visibility": Visibility.PUBLIC,
            "reply-next_status": Status.AWAITING_CUSTOMER,
        },
    )

    # Then the reply is on the timeline with the macro recorded, and the complaint waits on the complainant
    assert response.status_code == 302
    assert [level for level, _ in _messages(response)] == [message_levels.SUCCESS]
    complaint.refresh_from_db()
    reply = complaint.events.get(kind=EventKind.PUBLIC_REPLY)
    assert (reply.message, reply.data, reply.actor) == (text, {"macro": macro.pk}, agent)
    assert complaint.status == Status.AWAITING_CUSTOMER
    assert complaint.events.filter(kind=EventKind.STATUS_CHANGED, data__to=Status.AWAITING_CUSTOMER).count() == 1


def test_a_reply_sent_as_an_internal_note_stays_internal(agent_client, supervisor):
    complaint = _acknowledged()
    macro = macro_save(actor=supervisor, name="Called", language=Language.ZH_HANS, body="已致电 {carrier}")

    agent_client.post(
        _reply_url(complaint),
        {
            "reply-expected_version": complaint.version,
            "reply-macro": macro.pk,
            "reply-message": "已致电中通快递网点。",
            "reply-visibility": Visibility.INTERNAL,
        },
    )

    note = Complaint.objects.get(pk=complaint.pk).events.get(kind=EventKind.INTERNAL_NOTE)
    assert (note.message, note.data, note.visibility) == (
        "已致电中通快递网点。",
        {"macro": macro.pk},
        Visibility.INTERNAL,
    )
    assert not complaint.events.filter(kind=EventKind.PUBLIC_REPLY).exists()


def test_a_status_the_complaint_cannot_take_sends_nothing(agent_client):
    # Given a new complaint (it cannot wait on the complainant before it is acknowledged)
    complaint = make_complaint()
    events = complaint.events.count()

    # When the agent sends a reply asking for that status
    response = agent_client.post(
        _reply_url(complaint),
        {
            "reply-expected_version": complaint.version,
            "reply-message": "请补充照片。",
            "reply-next_status": Status.AWAITING_CUSTOMER,
        },
    )

    # Then they are told why, and neither the reply nor the status change was written
    assert [level for level, _ in _messages(response)] == [message_levels.ERROR]
    after = Complaint.objects.get(pk=complaint.pk)
    assert after.events.count() == events
    assert after.status == Status.NEW


def test_a_macro_no_longer_in_use_sends_nothing(agent_client, supervisor):
    complaint = _acknowledged()
    macro = macro_save(actor=supervisor, name="Old", language=Language.ZH_HANS, body="旧文本", is_active=False)

    response = agent_client.post(
        _reply_url(complaint),
        {"reply-expected_version": complaint.version, "reply-macro": macro.pk, "reply-message": "旧文本"},
    )

    assert [level for level, _ in _messages(response)] == [message_levels.ERROR]
    assert not complaint.events.filter(kind=EventKind.PUBLIC_REPLY).exists()


def test_a_reply_without_a_macro_records_none(agent_client):
    complaint = _acknowledged()

    agent_client.post(
        _reply_url(complaint), {"reply-expected_version": complaint.version, "reply-message": "我们正在处理。"}
    )

    reply = complaint.events.get(kind=EventKind.PUBLIC_REPLY)
    assert reply.data == {}
