"""The complaint list serialises its rows from `.values()` (complaints/partners/api/rows.py) for speed: a carrier must
see exactly what ComplaintSerializer, the detail's serializer, says about each complaint."""

import json
from decimal import Decimal

import pytest
from rest_framework.renderers import JSONRenderer

from complaints.choices import Status
from complaints.partners.api.serializers import ComplaintSerializer
from complaints.services import complaint_resolve, complaint_transition
from tests.factories import make_complaint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]


def _as_detail_says(complaint):
    return json.loads(JSONRenderer().render(ComplaintSerializer(complaint).data))


def test_the_list_says_of_each_complaint_what_the_serializer_says(zto, agent, zto_api, handed_to_zto):
    # Given complaints in different states: clocks running (handed to the carrier), resolved (no clocks), and odd
    # amounts and English text
    resolved = make_complaint(carrier=zto, declared_value=Decimal("1234.5"), shipping_fee=Decimal("0"))
    for status in (Status.ACKNOWLEDGED, Status.IN_PROGRESS):
        complaint_transition(complaint=resolved, actor=agent, to_status=status)
    complaint_resolve(complaint=resolved, actor=agent, summary="Refunded.", root_cause="Lost at the depot.")
    english = make_complaint(
        carrier=zto, language="en", complainant_name="Ann Lee", complainant_email="ann@example.com"
    )

    # When the carrier lists its complaints
    response = zto_api.get("/api/v1/complaints/")

    # Then each row is what the serializer gives for that complaint, field for field and in the same order
    assert response.status_code == 200
    rows = response.json()["results"]
    by_reference = {row["reference"]: row for row in rows}
    for complaint in (handed_to_zto, resolved, english):
        complaint.refresh_from_db()
        expected = _as_detail_says(complaint)
        assert by_reference[complaint.reference] == expected
        assert list(by_reference[complaint.reference]) == list(expected)
    assert by_reference[handed_to_zto.reference]["due"], "the running clocks' due times are listed"
