"""Cursor pagination: newest first, page_size 1-100 with a clear error outside, links to follow."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_complaint

pytestmark = pytest.mark.django_db


def test_following_next_walks_every_complaint_once_newest_first(zto_api, zto):
    # Given seven complaints received one hour apart
    now = timezone.now()
    made = [make_complaint(carrier=zto, at=now - timedelta(hours=i)).reference for i in range(7)]

    # when the carrier pages through three at a time
    seen, url, pages = [], "/api/v1/complaints/?page_size=3", 0
    while url:
        body = zto_api.get(url).json()
        seen += [c["reference"] for c in body["results"]]
        url, pages = body["next"], pages + 1

    # then it sees each once, newest first, in three pages
    assert seen == made and pages == 3


def test_the_default_page_is_25(zto_api, zto):
    for _ in range(26):
        make_complaint(carrier=zto)
    body = zto_api.get("/api/v1/complaints/").json()
    assert len(body["results"]) == 25 and body["next"] and body["previous"] is None


@pytest.mark.parametrize("size", ["101", "0", "-1", "ten", "1000"])
def test_page_size_outside_1_to_100_is_a_clear_400(zto_api, size):
    response = zto_api.get("/api/v1/complaints/", {"page_size": size})
    assert response.status_code == 400
    assert "100" in response.json()["error"]["fields"]["page_size"][0]


def test_page_size_100_is_allowed(zto_api, zto):
    assert zto_api.get("/api/v1/complaints/", {"page_size": "100"}).status_code == 200


def test_a_forged_cursor_is_400(zto_api):
    response = zto_api.get("/api/v1/complaints/", {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert "cursor" in response.json()["error"]["fields"]
