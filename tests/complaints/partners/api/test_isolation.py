"""Each carrier sees and touches its own complaints only: another carrier's complaint is 404 on every route, never
403, and never in a list."""

import pytest

from complaints.models import Complaint, ComplaintEvent, ResolutionProposal
from reports.models import ParcelVolume
from tests.factories import make_complaint
from tests.fixtures.partner_api import detail_url

pytestmark = pytest.mark.django_db

ROUTES = [
    ("get", ""),
    ("get", "events/"),
    ("post", "accept/"),
    ("post", "replies/"),
    ("post", "resolution-proposals/"),
]
BODIES = {
    "replies/": {"message": "我们来处理。", "public": True},
    "resolution-proposals/": {"summary": "已赔付。", "root_cause": "分拣错误。"},
}


@pytest.mark.parametrize(("method", "suffix"), ROUTES)
def test_other_carriers_complaint_is_404_on_every_route(zto_api, sf_complaint, method, suffix):
    # Given an SF complaint, when ZTO's key reaches for it on any route
    before = (sf_complaint.version, ComplaintEvent.objects.count())
    call = getattr(zto_api, method)
    response = (
        call(detail_url(sf_complaint, suffix), BODIES.get(suffix, {}))
        if method == "post"
        else call(detail_url(sf_complaint, suffix))
    )

    # then it does not exist for ZTO (404, not 403), and nothing changed
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert (Complaint.objects.get(pk=sf_complaint.pk).version, ComplaintEvent.objects.count()) == before
    assert not ResolutionProposal.objects.exists()


@pytest.mark.parametrize(("method", "suffix"), ROUTES)
def test_own_complaint_is_found_on_every_route(zto_api, handed_to_zto, method, suffix):
    call = getattr(zto_api, method)
    response = (
        call(detail_url(handed_to_zto, suffix), BODIES.get(suffix, {}))
        if method == "post"
        else call(detail_url(handed_to_zto, suffix))
    )
    assert response.status_code in (200, 201)


def test_lists_show_each_carrier_its_own_complaints_only(zto_api, sf_api, zto, sf):
    # Given complaints of ZTO, of SF and of no carrier
    zto_refs = {make_complaint(carrier=zto).reference for _ in range(3)}
    sf_refs = {make_complaint(carrier=sf).reference for _ in range(2)}
    make_complaint(carrier=None)

    # when each lists, then each sees exactly its own, with every filter too
    for api, refs in ((zto_api, zto_refs), (sf_api, sf_refs)):
        for params in ({}, {"status": "new"}, {"category": "delay"}, {"overdue": "false"}):
            listed = {c["reference"] for c in api.get("/api/v1/complaints/", params).json()["results"]}
            assert listed == refs


def test_created_complaint_belongs_to_the_caller_whatever_the_body_says(zto_api, sf_api, zto):
    # Given ZTO forwards a complaint, then SF cannot see it
    response = zto_api.post(
        "/api/v1/complaints/",
        {
            "waybill_number": "ZT75000099999",
            "category": "loss",
            "description": "丢件。",
            "complainant_name": "李雷",
            "complainant_phone": "13912345678",
        },
    )
    assert response.status_code == 201
    reference = response.json()["reference"]
    assert Complaint.objects.get(reference=reference).carrier == zto
    assert sf_api.get(f"/api/v1/complaints/{reference}/").status_code == 404


def test_volumes_are_the_callers(zto_api, sf_api, zto, sf):
    zto_api.put("/api/v1/volumes/2026-W47/", {"parcels": 100})
    sf_api.put("/api/v1/volumes/2026-W47/", {"parcels": 7})
    assert ParcelVolume.objects.get(carrier=zto).parcels == 100
    assert ParcelVolume.objects.get(carrier=sf).parcels == 7
