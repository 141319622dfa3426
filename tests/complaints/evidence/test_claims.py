"""A compensation claim cites the complaint's files it relies on, and the claim pages show them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from complaints.compensation.models import CompensationClaim
from complaints.errors import InvalidInput
from complaints.evidence.services import IncomingFile, evidence_add, evidence_hide
from tests import evidence_files
from tests.complaints.compensation.factories import make_claim
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db


def _damaged_parcel():
    return make_complaint(category="damage", declared_value=Decimal("300.00"), shipping_fee=Decimal("15.00"))


def _attach(complaint, actor, *files, kind="photo"):
    return evidence_add(
        complaint=complaint,
        actor=actor,
        files=[IncomingFile(name, data) for name, data in files],
        kind=kind,
        visibility="internal",
    )


def test_an_agent_proposes_a_claim_citing_the_photos_and_the_receipt(fs_evidence_storage, agent_client, agent):
    # Given a damaged parcel with two photos and a receipt
    complaint = _damaged_parcel()
    photo, other_photo = _attach(
        complaint,
        agent,
        ("破损1.jpg", evidence_files.jpeg_with_gps()),
        ("破损2.png", evidence_files.png()),
    )
    [receipt] = _attach(complaint, agent, ("发票.pdf", evidence_files.pdf()), kind="receipt")
    url = reverse("admin:compensation_compensationclaim_add")

    # When the agent opens the proposal form, it offers the complaint's files
    page = agent_client.get(f"{url}?complaint={complaint.pk}").content.decode()
    assert "破损1.jpg" in page and "发票.pdf" in page

    # And proposes, citing one photo and the receipt
    response = agent_client.post(
        url,
        {
            "complaint": complaint.pk,
            "case": "damage",
            "damaged_share": "50",
            "proven_value": "280.00",
            "evidence": [photo.pk, receipt.pk],
            "_submit": "1",
        },
    )

    # Then the claim cites exactly those
    claim = CompensationClaim.objects.get()
    assert response.status_code == 302
    assert set(claim.evidence.all()) == {photo, receipt}

    # And the claim's page and its decision page show them, opening the files
    file_url = reverse("admin:complaints_complaint_evidence_file", args=[complaint.pk, receipt.pk])
    thumbnail = reverse("admin:complaints_complaint_evidence_thumbnail", args=[complaint.pk, photo.pk])
    for page_url in (
        reverse("admin:compensation_compensationclaim_change", args=[claim.pk]),
        reverse("admin:compensation_compensationclaim_approve", args=[claim.pk]),
    ):
        html = agent_client.get(page_url).content.decode()
        assert file_url in html and thumbnail in html and "发票.pdf" in html
        assert "破损2.png" not in html
    assert other_photo not in claim.evidence.all()


def test_a_claim_cannot_cite_another_complaints_file_or_a_hidden_one(fs_evidence_storage, agent):
    complaint, other = _damaged_parcel(), _damaged_parcel()
    [foreign] = _attach(other, agent, ("a.jpg", evidence_files.jpeg_with_gps()))
    [hidden] = _attach(complaint, agent, ("b.png", evidence_files.png()))
    evidence_hide(evidence=hidden, actor=agent, reason="不相关。")
    for cited in (foreign, hidden):
        with pytest.raises(InvalidInput) as refused:
            make_claim(actor=agent, complaint=complaint, case="damage", damaged_share=50, evidence=[cited])
        assert "evidence" in refused.value.fields
    assert not CompensationClaim.objects.exists()


def test_a_complaint_without_files_proposes_as_before(agent_client, agent):
    complaint = _damaged_parcel()
    page = agent_client.get(f"{reverse('admin:compensation_compensationclaim_add')}?complaint={complaint.pk}")
    assert page.status_code == 200 and 'name="evidence"' not in page.content.decode()
