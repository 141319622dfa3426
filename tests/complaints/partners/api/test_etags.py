"""ETags: every read carries one; a write with a stale If-Match gets 412 and changes nothing."""

import pytest

from complaints import services
from complaints.models import Complaint, ComplaintEvent
from tests.fixtures.partner_api import detail_url

pytestmark = pytest.mark.django_db


def test_detail_etag_changes_with_every_write(zto_api, handed_to_zto):
    first = zto_api.get(detail_url(handed_to_zto))["ETag"]
    assert first == zto_api.get(detail_url(handed_to_zto))["ETag"]
    zto_api.post(detail_url(handed_to_zto, "accept/"))
    assert zto_api.get(detail_url(handed_to_zto))["ETag"] != first


def test_if_none_match_gives_304_until_it_changes(zto_api, handed_to_zto):
    etag = zto_api.get(detail_url(handed_to_zto))["ETag"]
    not_modified = zto_api.get(detail_url(handed_to_zto), HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304 and not_modified["ETag"] == etag
    zto_api.post(detail_url(handed_to_zto, "replies/"), {"message": "好", "public": False})
    assert zto_api.get(detail_url(handed_to_zto), HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_lists_and_timelines_carry_an_etag_too(zto_api, handed_to_zto):
    for path in ("/api/v1/complaints/", detail_url(handed_to_zto, "events/")):
        response = zto_api.get(path)
        assert response["ETag"]
        assert zto_api.get(path, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


@pytest.mark.parametrize(
    ("suffix", "body"),
    [
        ("accept/", {}),
        ("replies/", {"message": "已安排重新派送。", "public": True}),
        ("replies/", {"message": "内部说明。", "public": False}),
        ("resolution-proposals/", {"summary": "已重新派送。", "root_cause": "分拣错误。"}),
    ],
)
def test_stale_if_match_is_412_and_changes_nothing(zto_api, handed_to_zto, agent, suffix, body):
    # Given the carrier read the complaint, then an agent changed it
    etag = zto_api.get(detail_url(handed_to_zto))["ETag"]
    services.complaint_add_note(complaint=handed_to_zto, actor=agent, message="客户来电催促。")
    before = (Complaint.objects.get(pk=handed_to_zto.pk).version, ComplaintEvent.objects.count())

    # when the carrier writes with its old ETag
    response = zto_api.post(detail_url(handed_to_zto, suffix), body, HTTP_IF_MATCH=etag)

    # then it is refused with 412 and nothing changed
    assert response.status_code == 412
    assert response.json()["error"]["code"] == "precondition_failed"
    assert (Complaint.objects.get(pk=handed_to_zto.pk).version, ComplaintEvent.objects.count()) == before


def test_current_if_match_lets_the_write_through_and_returns_the_new_etag(zto_api, handed_to_zto):
    etag = zto_api.get(detail_url(handed_to_zto))["ETag"]
    response = zto_api.post(detail_url(handed_to_zto, "accept/"), HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag and response["ETag"] == zto_api.get(detail_url(handed_to_zto))["ETag"]
