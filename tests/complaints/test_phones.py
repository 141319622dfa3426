"""Phone numbers are one number however typed: stored in E.164, compared in E.164 by repeat detection and the
admin's search, and converted by the data migration (what does not parse is left as it was)."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from complaints.errors import InvalidInput
from complaints.models import Complaint, OutboundMessage
from complaints.phones import phone_parse
from tests.factories import make_complaint

SPELLINGS = ("138-1234-5678", "+86 138 1234 5678", "13812345678")


@pytest.mark.parametrize("typed", [*SPELLINGS, "１３８１２３４５６７８", "(+86) 138.1234.5678", "008613812345678"])
def test_every_spelling_of_a_mobile_is_the_same_number(typed):
    assert phone_parse(typed) == "+8613812345678"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("010-6552 9988", "+861065529988"),
        ("(010) 65529988", "+861065529988"),
        ("+86 10 6552 9988", "+861065529988"),
        ("0571-8888 6666", "+8657188886666"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_landlines_and_foreign_numbers_are_numbers_too(typed, stored):
    assert phone_parse(typed) == stored


@pytest.mark.parametrize("typed", ["12345", "10086", "1381234567a", "138 1234 567", "1-800-FLOWERS", "tel:138"])
def test_what_is_not_a_phone_number_stays_a_validation_error(db, typed):
    # When a complaint is recorded with something that is not a phone number
    with pytest.raises(InvalidInput) as refused:
        make_complaint(complainant_phone=typed)

    # Then the phone field is refused, saying what a number looks like
    assert "complainant_phone" in refused.value.fields
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_the_three_spellings_are_one_complainant_for_repeat_detection():
    # Given complaints about three parcels, the number typed three ways
    first, second, third = (make_complaint(complainant_phone=typed) for typed in SPELLINGS)

    # Then they share one stored number, and each later one is a repeat of the one before
    assert {c.complainant_phone for c in (first, second, third)} == {"+8613812345678"}
    assert (second.repeat_of, third.repeat_of) == (first, second)
    assert second.risk_repeat and third.risk_repeat


@pytest.mark.django_db
@pytest.mark.parametrize(
    "term",
    [
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "13812345678",
        "+8613812345678",
        "１３８ １２３４ ５６７８",
    ],
)
def test_the_admin_search_finds_a_number_typed_any_way(agent_client, term):
    # Given a complaint from 138 1234 5678 among others
    target = make_complaint(complainant_phone="13812345678", waybill_number="SF1234567890123")
    make_complaint(complainant_phone="13912345678")
    make_complaint(complainant_phone="010-6552 9988")

    # When the agent searches for the number, however they type it
    response = agent_client.get(reverse("admin:complaints_complaint_changelist"), {"q": term})

    # Then that complaint is found, and only it
    assert response.status_code == 200
    assert {c.reference for c in response.context["cl"].result_list} == {target.reference}


@pytest.mark.django_db
def test_the_admin_search_still_finds_an_all_digit_waybill_number(agent_client):
    # Given a complaint whose waybill number is all digits (as some carriers' are)
    target = make_complaint(waybill_number="773012345678901")
    make_complaint()

    # When the agent searches for it
    response = agent_client.get(reverse("admin:complaints_complaint_changelist"), {"q": "773012345678901"})

    # Then it is found (the number-like term is also tried as a phone number, not only)
    assert {c.reference for c in response.context["cl"].result_list} == {target.reference}


@pytest.mark.django_db
def test_the_data_migration_converts_what_parses_and_leaves_the_rest():
    # Given complaints stored before E.164, as the old normalisation wrote them, and one number that never parsed
    mobile, landline, broken = (make_complaint() for _ in range(3))
    Complaint.objects.filter(pk=mobile.pk).update(complainant_phone="13812345678")
    Complaint.objects.filter(pk=landline.pk).update(complainant_phone="010-65529988")
    Complaint.objects.filter(pk=broken.pk).update(complainant_phone="+123")
    pending = OutboundMessage.objects.get(complaint=mobile)
    OutboundMessage.objects.filter(pk=pending.pk).update(recipient="13812345678")

    # When the migration's conversion runs
    migration = importlib.import_module("complaints.migrations.0019_phones_e164")
    migration.phones_to_e164(apps, SimpleNamespace(connection=connection))

    # Then the numbers that parse are in E.164, the waiting SMS too, and the broken one is as it was
    stored = dict(Complaint.objects.values_list("pk", "complainant_phone"))
    assert stored[mobile.pk] == "+8613812345678"
    assert stored[landline.pk] == "+861065529988"
    assert stored[broken.pk] == "+123"
    assert OutboundMessage.objects.get(pk=pending.pk).recipient == "+8613812345678"
