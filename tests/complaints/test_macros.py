"""Canned replies: placeholders checked when saved, filled in for a complaint in the macro's language, sent as a reply
that records which macro it came from."""

from datetime import datetime

import pytest
from django.utils import timezone

from complaints.choices import Category, EventKind, Language, Status, Visibility
from complaints.errors import InvalidInput
from complaints.macros.models import Macro
from complaints.macros.services import macro_apply, macro_render, macro_save, macros_for
from complaints.models import Complaint, WebhookDelivery, WebhookEndpoint
from tests.factories import make_complaint
from tests.fixtures.partner_api import detail_url

pytestmark = pytest.mark.django_db

BODY_ZH = (
    "{complainant_name}您好，投诉 {reference}（运单 {waybill}，{carrier}）正在处理，"
    "下次更新 {next_update}，最迟 {due}。"
)
BODY_EN = (
    "Dear {complainant_name}, complaint {reference} (waybill {waybill}, {carrier}): "
    "next update {next_update}, due {due}."
)


def _with_clocks(complaint):
    Complaint.objects.filter(pk=complaint.pk).update(
        progress_due_at=timezone.make_aware(datetime(2026, 12, 1, 9, 30)),
        resolution_due_at=timezone.make_aware(datetime(2026, 12, 3, 18, 0)),
    )
    return Complaint.objects.select_related("carrier").get(pk=complaint.pk)


@pytest.mark.parametrize(
    ("language", "body", "expected"),
    [
        (
            Language.ZH_HANS,
            BODY_ZH,
            "张伟您好，投诉 {ref}（运单 ZT1234567890，中通快递）正在处理，"
            "下次更新 2026-12-01 09:30，最迟 2026-12-03 18:00。",
        ),
        (
            Language.EN,
            BODY_EN,
            "Dear 张伟, complaint {ref} (waybill ZT1234567890, ZTO Express): next update 2026-12-01 09:30, "
            "due 2026-12-03 18:00.",
        ),
    ],
    ids=["zh-hans", "en"],
)
def test_a_macro_renders_its_placeholders_in_its_language(language, body, expected, supervisor):
    # Given a complaint with a carrier and running clocks, and a macro in one language
    complaint = _with_clocks(make_complaint(waybill_number="ZT1234567890", language=language))
    macro = macro_save(actor=supervisor, name="Progress", language=language, body=body)

    # When it is filled in for the complaint
    text = macro_render(macro=macro, complaint=complaint)

    # Then every placeholder is replaced, the carrier named in the macro's language
    assert text == expected.format(ref=complaint.reference)


@pytest.mark.parametrize(
    "body",
    ["Hello {customer}", "Due {due:%Y}", "Ref {reference.upper}", "Broken {reference", "Empty {}"],
    ids=["unknown-name", "format-spec", "attribute", "unclosed", "positional"],
)
def test_a_macro_with_an_unknown_placeholder_is_refused_and_not_saved(body, supervisor):
    # When a supervisor saves a macro with a placeholder that is not known
    with pytest.raises(InvalidInput) as refused:
        macro_save(actor=supervisor, name="Bad", language=Language.EN, body=body)

    # Then it is refused, naming the text, and nothing is stored
    assert "body" in refused.value.fields
    assert not Macro.objects.exists()


def test_changing_a_macro_to_an_unknown_placeholder_is_refused(supervisor):
    macro = macro_save(actor=supervisor, name="Ok", language=Language.EN, body="Hi {complainant_name}")

    with pytest.raises(InvalidInput):
        macro_save(actor=supervisor, macro=macro, body="Hi {name}")

    macro.refresh_from_db()
    assert macro.body == "Hi {complainant_name}"


def test_the_macros_offered_fit_the_category_the_complaints_language_first(supervisor):
    # Given macros for any category, the complaint's, another one, another language, and one no longer in use
    complaint = make_complaint(category=Category.DELAY, language=Language.EN)
    any_category = macro_save(actor=supervisor, name="B", language=Language.EN, body="x")
    delay = macro_save(actor=supervisor, name="C", language=Language.EN, category=Category.DELAY, body="y")
    macro_save(actor=supervisor, name="D", language=Language.EN, category=Category.LOSS, body="z")
    chinese = macro_save(actor=supervisor, name="A", language=Language.ZH_HANS, body="z")
    macro_save(actor=supervisor, name="E", language=Language.EN, body="z", is_active=False)

    # Then the complaint is offered the active ones of its category or any, those in its language first
    offered = list(macros_for(complaint=complaint))
    assert offered == [any_category, delay, chinese]
    assert [m.same_language for m in offered] == [1, 1, 0]


def test_applying_a_macro_sends_the_edited_text_records_the_macro_and_sets_the_next_status(agent, supervisor):
    # Given an acknowledged complaint and an "ask for photos" macro that then waits on the complainant
    complaint = make_complaint(language=Language.EN)
    Complaint.objects.filter(pk=complaint.pk).update(status=Status.ACKNOWLEDGED)
    complaint.refresh_from_db()
    macro = macro_save(
        actor=supervisor,
        name="Ask for photos",
        language=Language.EN,
        body="Please send photos of parcel {waybill}.",
        next_status=Status.AWAITING_CUSTOMER,
    )

    # When the agent sends it after editing
    text = macro_render(macro=macro, complaint=complaint) + " Thank you."
    complaint = macro_apply(macro=macro, complaint=complaint, actor=agent, message=text)

    # Then the reply is on the timeline with the macro recorded, and the complaint waits on the complainant
    reply = complaint.events.get(kind=EventKind.PUBLIC_REPLY)
    assert reply.message == f"Please send photos of parcel {complaint.waybill_number}. Thank you."
    assert reply.data == {"macro": macro.pk}
    assert reply.visibility == Visibility.PUBLIC
    assert complaint.status == Status.AWAITING_CUSTOMER


def test_an_internal_macro_is_added_as_an_internal_note(agent, supervisor):
    complaint = make_complaint()
    macro = macro_save(
        actor=supervisor,
        name="Note",
        language=Language.ZH_HANS,
        body="已联系 {carrier}",
        visibility=Visibility.INTERNAL,
    )

    macro_apply(macro=macro, complaint=complaint, actor=agent, message=macro_render(macro=macro, complaint=complaint))

    note = complaint.events.get(kind=EventKind.INTERNAL_NOTE)
    assert note.message == "已联系 中通快递" and note.data == {"macro": macro.pk}
    assert not complaint.events.filter(kind=EventKind.PUBLIC_REPLY).exists()


def test_the_carrier_never_learns_which_canned_reply_was_used(supervisor, agent, zto, zto_api):
    # Given ZTO listens for its complaints' events
    WebhookEndpoint.objects.create(carrier=zto, url="https://hooks.zto.example/redress", secret="s" * 32)
    complaint = make_complaint(carrier=zto)
    macro = macro_save(actor=supervisor, name="Asked the outlet", language=Language.ZH_HANS, body="已联系网点核实。")

    # When an agent answers the complainant with the macro
    macro_apply(macro=macro, complaint=complaint, actor=agent, message="已联系网点核实。")

    # Then the reply reaches the carrier, without the macro's id, through the API and the webhook
    reply = EventKind.PUBLIC_REPLY
    assert complaint.events.get(kind=reply).data["macro"] == macro.pk  # the agents' report counts it
    [listed] = [e for e in zto_api.get(detail_url(complaint, "events/")).json() if e["kind"] == reply]
    assert listed["message"] == "已联系网点核实。" and "macro" not in listed["data"]
    [delivery] = [
        d for d in WebhookDelivery.objects.filter(complaint=complaint) if d.payload["data"]["event"]["kind"] == reply
    ]
    assert delivery.payload["data"]["event"]["message"] == "已联系网点核实。"
    assert "macro" not in delivery.payload["data"]["event"]["data"]
