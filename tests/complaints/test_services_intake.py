"""complaint_create: what intake accepts, what it refuses, and what it works out by itself (risk, repeats,
references). Every refusal must leave the database untouched."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import override_settings

from complaints.choices import (
    Category,
    Channel,
    ContactChannel,
    EscalationLevel,
    EventKind,
    Priority,
    Status,
    Visibility,
)
from complaints.errors import InvalidInput
from complaints.models import Complaint, ComplaintEvent
from complaints.services import complaint_create
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db

UTC = UTC


def _counts():
    return Complaint.objects.count(), ComplaintEvent.objects.count()


# --- Refusals ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"category": "lost_parrot"}, "category", id="unknown-category"),
        pytest.param({"channel": "carrier_pigeon"}, "channel", id="unknown-channel"),
        pytest.param({"complainant_phone": "12345"}, "complainant_phone", id="phone-too-short"),
        pytest.param({"complainant_phone": "1381234567a"}, "complainant_phone", id="phone-with-letter"),
        pytest.param(
            {"complainant_phone": "", "complainant_email": "wang.at.example.com"},
            "complainant_email",
            id="email-without-at",
        ),
        pytest.param({"complainant_email": "wang@"}, "complainant_email", id="email-without-domain"),
        pytest.param({"declared_value": Decimal("-1.00")}, "declared_value", id="negative-declared-value"),
        pytest.param({"insured_value": "-0.01"}, "insured_value", id="negative-insured-value"),
        pytest.param({"shipping_fee": -12}, "shipping_fee", id="negative-shipping-fee"),
        pytest.param({"declared_value": "abc"}, "declared_value", id="non-numeric-declared-value"),
        pytest.param({"shipping_fee": "twelve"}, "shipping_fee", id="non-numeric-shipping-fee"),
        pytest.param({"description": ""}, "description", id="empty-description"),
        pytest.param({"description": "   \n\t "}, "description", id="whitespace-description"),
        pytest.param({"waybill_number": "ZT12345"}, "waybill_number", id="waybill-7-chars"),
        pytest.param({"waybill_number": "Z" * 31}, "waybill_number", id="waybill-31-chars"),
        pytest.param({"waybill_number": "ZT-7500-0001"}, "waybill_number", id="waybill-with-dashes"),
        pytest.param({"waybill_number": "ZT7500 0001"}, "waybill_number", id="waybill-with-space"),
        pytest.param({"waybill_number": "中通75000001"}, "waybill_number", id="waybill-with-chinese"),
        pytest.param({"waybill_number": ""}, "waybill_number", id="waybill-empty"),
    ],
)
def test_intake_refuses_invalid_input_naming_the_field_and_writes_nothing(overrides, field):
    # Given an empty back office
    before = _counts()

    # When a complaint arrives with one bad field
    with pytest.raises(InvalidInput) as caught:
        make_complaint(**overrides)

    # Then the error names that field, with a message for the person typing
    assert field in caught.value.fields, caught.value.fields
    assert all(msg.strip() for msg in caught.value.fields[field])
    # And nothing was written
    assert _counts() == before


def test_intake_accepts_the_boundaries_of_a_waybill_number():
    # Given waybill numbers of exactly 8 and exactly 30 letters and digits
    # When they are recorded
    short = make_complaint(waybill_number="ab345678")
    long = make_complaint(waybill_number="SF" + "1" * 28)

    # Then both are accepted, stored upper-case
    assert short.waybill_number == "AB345678"
    assert len(long.waybill_number) == 30


def test_intake_without_any_contact_is_refused_naming_the_contact_fields():
    # Given a complainant who left neither a phone number nor an email address
    before = _counts()

    # When the complaint is recorded
    with pytest.raises(InvalidInput) as caught:
        make_complaint(complainant_phone="", complainant_email="")

    # Then the error points at the contact fields, so a form or API client can show it next to them
    assert {"complainant_phone", "complainant_email"} & set(caught.value.fields), caught.value.fields
    # And nothing was written
    assert _counts() == before


def test_intake_asking_for_sms_without_a_phone_is_refused_naming_the_phone():
    # Given a complainant who wants SMS but only gave an email address
    before = _counts()

    # When the complaint is recorded
    with pytest.raises(InvalidInput) as caught:
        make_complaint(complainant_phone="", complainant_email="wang@example.com", contact_channel=ContactChannel.SMS)

    # Then the error points at the phone number
    assert "complainant_phone" in caught.value.fields, caught.value.fields
    # And nothing was written
    assert _counts() == before


def test_intake_asking_for_email_without_an_email_is_refused():
    # Given a complainant who wants email but only gave a phone number
    before = _counts()

    # When the complaint is recorded
    with pytest.raises(InvalidInput) as caught:
        make_complaint(complainant_email="", contact_channel=ContactChannel.EMAIL)

    # Then it is refused naming the email address, and nothing was written
    assert "complainant_email" in caught.value.fields, caught.value.fields
    assert _counts() == before


def test_intake_with_only_an_email_defaults_to_email_contact():
    # Given a complainant reachable by email only
    # When the complaint is recorded without a preferred contact
    complaint = make_complaint(complainant_phone="", complainant_email="  wang@example.com ")

    # Then they will be contacted by email, at the trimmed address
    assert complaint.contact_channel == ContactChannel.EMAIL
    assert complaint.complainant_email == "wang@example.com"


# --- Normalisation ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("138 1234 5678", "+8613812345678"),
        (" 13812345678 ", "+8613812345678"),
        ("138-1234-5678", "+8613812345678"),
        ("+86 138 1234 5678", "+8613812345678"),
        ("+8613812345678", "+8613812345678"),
        ("+86-138-1234-5678", "+8613812345678"),
        ("１３８１２３４５６７８", "+8613812345678"),
        ("(010) 6552 9988", "+861065529988"),
        ("010-65529988", "+861065529988"),
        ("0755-8601 3388", "+8675586013388"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_intake_normalises_phone_numbers_as_people_type_them(typed, stored):
    # Given a phone number typed with spaces, brackets, dashes or the +86 country code
    # When the complaint is recorded
    complaint = make_complaint(complainant_phone=typed)

    # Then the number is stored in one form, E.164 (so repeat detection, search and SMS replies find it)
    complaint.refresh_from_db()
    assert complaint.complainant_phone == stored


def test_a_phone_typed_with_the_country_code_is_recognised_as_a_repeat():
    # Given a complaint from 13812345678
    first = make_complaint(complainant_phone="13812345678")

    # When the same person complains again giving +86 and spaces
    second = make_complaint(complainant_phone="+86 138 1234 5678")

    # Then it is recognised as a repeat of the first
    assert second.risk_repeat is True
    assert second.repeat_of == first


# --- Risk flags -------------------------------------------------------------------------------------------------------


def test_an_ordinary_complaint_has_no_risk_and_stays_at_the_frontline():
    # Given an ordinary delay complaint by phone
    # When it is recorded
    complaint = make_complaint(channel=Channel.PHONE, declared_value=Decimal("200.00"))

    # Then it carries no risk flag, normal priority, level 0
    assert complaint.risk_flags == []
    assert complaint.priority == Priority.NORMAL
    assert complaint.escalation_level == EscalationLevel.FRONTLINE


@pytest.mark.parametrize(
    ("overrides", "flag"),
    [
        pytest.param({"channel": Channel.REGULATOR}, "regulator", id="regulator-channel"),
        pytest.param({"channel": Channel.SOCIAL_MEDIA}, "social_media", id="social-media-channel"),
        pytest.param({"risk_social_media": True}, "social_media", id="social-media-flag"),
        pytest.param({"risk_medical": True}, "medical", id="medical-goods"),
    ],
)
def test_high_risk_complaints_start_with_a_supervisor_at_high_priority(overrides, flag):
    # Given a complaint with one high-risk trait
    # When it is recorded
    complaint = make_complaint(**overrides)

    # Then it is flagged, starts at the supervisor level and at least high priority
    complaint.refresh_from_db()
    assert complaint.risk_flags == [flag]
    assert complaint.escalation_level == EscalationLevel.SUPERVISOR
    assert complaint.priority == Priority.HIGH


def test_a_high_risk_complaint_already_urgent_stays_urgent():
    # Given an urgent complaint about medical goods
    # When it is recorded
    complaint = make_complaint(risk_medical=True, priority=Priority.URGENT)

    # Then escalation does not lower its priority
    assert complaint.priority == Priority.URGENT
    assert complaint.escalation_level == EscalationLevel.SUPERVISOR


@override_settings(REDRESS_HIGH_VALUE_THRESHOLD="3000.00")
def test_high_declared_value_is_measured_against_the_configured_threshold():
    # Given a threshold of ¥3000
    # When parcels worth 2999.99, 3000 and 8000 are complained about
    below = make_complaint(declared_value=Decimal("2999.99"))
    at = make_complaint(declared_value=Decimal("3000.00"))
    above = make_complaint(declared_value="8000")

    # Then only those at or above the threshold are high-value, high-priority, at the supervisor level
    assert below.risk_high_value is False
    assert below.escalation_level == EscalationLevel.FRONTLINE
    for complaint in (at, above):
        complaint.refresh_from_db()
        assert complaint.risk_high_value is True
        assert complaint.escalation_level == EscalationLevel.SUPERVISOR
        assert complaint.priority == Priority.HIGH


# --- Repeats ----------------------------------------------------------------------------------------------------------


def test_same_waybill_within_30_days_is_a_repeat_of_the_latest():
    # Given two complaints about waybill ZT7500000001, 20 and 5 days ago
    now = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)
    older = make_complaint(waybill_number="ZT7500000001", at=now - timedelta(days=20))
    latest = make_complaint(waybill_number="ZT7500000001", at=now - timedelta(days=5))

    # When a third complaint about the same waybill arrives from another phone
    third = make_complaint(waybill_number="zt7500000001", at=now)

    # Then it is a repeat, linked to the latest one, high-risk from the start
    third.refresh_from_db()
    assert third.risk_repeat is True
    assert third.repeat_of == latest != older
    assert third.escalation_level == EscalationLevel.SUPERVISOR
    assert third.priority == Priority.HIGH
    assert third.events.get().data["repeat_of"] == latest.reference


def test_same_phone_within_30_days_is_a_repeat_even_for_another_waybill():
    # Given a complaint from 13900001111 29 days ago
    now = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)
    earlier = make_complaint(complainant_phone="13900001111", at=now - timedelta(days=29))

    # When the same phone complains about a different parcel
    again = make_complaint(complainant_phone="13900001111", at=now)

    # Then it is a repeat of the earlier one
    assert again.risk_repeat is True
    assert again.repeat_of == earlier


def test_a_complaint_older_than_30_days_does_not_make_a_repeat():
    # Given a complaint about a waybill, from a phone, 31 days ago
    now = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)
    make_complaint(waybill_number="ZT7500000002", complainant_phone="13900002222", at=now - timedelta(days=31))

    # When the same waybill and phone come back today
    today = make_complaint(waybill_number="ZT7500000002", complainant_phone="13900002222", at=now)

    # Then it is not a repeat and stays at the frontline
    assert today.risk_repeat is False
    assert today.repeat_of is None
    assert today.escalation_level == EscalationLevel.FRONTLINE


def test_a_different_waybill_and_phone_is_not_a_repeat():
    # Given an earlier complaint
    make_complaint(waybill_number="ZT7500000003", complainant_phone="13900003333")

    # When an unrelated complaint arrives
    other = make_complaint(waybill_number="ZT7500000004", complainant_phone="13900004444")

    # Then it is not a repeat
    assert other.risk_repeat is False
    assert other.repeat_of is None


# --- References -------------------------------------------------------------------------------------------------------


def test_reference_uses_the_local_date_in_shanghai():
    # Given a complaint received at 17:30 UTC on 22 November, which is 01:30 on 23 November in Shanghai
    at = datetime(2026, 11, 22, 17, 30, tzinfo=UTC)

    # When it is recorded
    complaint = make_complaint(at=at)

    # Then its reference carries the Shanghai date
    assert complaint.reference == "C2611230001"


def test_references_are_sequential_per_local_day_and_restart_each_day():
    # Given three complaints one day and one the next (Shanghai time)
    day1 = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
    refs = [make_complaint(at=day1 + timedelta(minutes=i)).reference for i in range(3)]
    next_day = make_complaint(at=datetime(2026, 11, 22, 16, 0, tzinfo=UTC)).reference

    # Then they are numbered 1, 2, 3 that day, and 1 again the next
    assert refs == ["C2611220001", "C2611220002", "C2611220003"]
    assert next_day == "C2611230001"


def test_a_refused_complaint_does_not_use_up_a_reference():
    # Given one complaint recorded today and one refused
    at = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
    make_complaint(at=at)
    with pytest.raises(InvalidInput):
        make_complaint(at=at, waybill_number="bad")

    # When the next valid complaint arrives
    nxt = make_complaint(at=at)

    # Then it takes the next number, with no gap
    assert nxt.reference == "C2611220002"


# --- What is recorded -------------------------------------------------------------------------------------------------


def test_intake_records_exactly_one_created_event(agent, zto):
    # Given an agent taking a complaint on the phone
    at = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)

    # When it is recorded
    complaint = complaint_create(
        actor=agent,
        channel=Channel.PHONE,
        category=Category.LOSS,
        waybill_number=" zt7500000099 ",
        description="  包裹显示已签收但我没有收到。 ",
        complainant_name=" 刘洋 ",
        complainant_phone="13912345678",
        carrier=zto,
        declared_value="350.50",
        at=at,
    )

    # Then the complaint is new, received at that time, with cleaned-up fields
    complaint.refresh_from_db()
    assert complaint.status == Status.NEW
    assert complaint.received_at == at
    assert complaint.version == 1
    assert complaint.waybill_number == "ZT7500000099"
    assert complaint.description == "包裹显示已签收但我没有收到。"
    assert complaint.complainant_name == "刘洋"
    assert complaint.declared_value == Decimal("350.50")
    assert complaint.owner is None
    # And exactly one `created` event, public, by the agent, carrying the description
    event = ComplaintEvent.objects.get(complaint=complaint)
    assert event.kind == EventKind.CREATED
    assert event.actor == agent
    assert event.actor_role == "agent"
    assert event.visibility == Visibility.PUBLIC
    assert event.message == "包裹显示已签收但我没有收到。"
    assert event.created_at == at
    assert event.data["category"] == Category.LOSS
    assert event.data["repeat_of"] is None


def test_intake_by_the_system_is_recorded_as_the_system():
    # Given a complaint arriving with no person behind it (an import or the partner API)
    # When it is recorded
    complaint = make_complaint(actor=None)

    # Then its created event names the system
    event = complaint.events.get()
    assert event.actor is None
    assert event.actor_role == "system"


def test_intake_refuses_an_inactive_carrier(zto):
    # Given a carrier that is no longer a partner
    zto.is_active = False
    zto.save()
    before = _counts()

    # When a complaint names it
    with pytest.raises(InvalidInput) as caught:
        make_complaint(carrier=zto)

    # Then it is refused naming the carrier, and nothing is written
    assert "carrier" in caught.value.fields
    assert _counts() == before
