"""A constant, small number of queries per request, however many complaints a page holds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_complaint
from tests.fixtures.partner_api import detail_url

pytestmark = pytest.mark.django_db


def _queries(call):
    call()  # the same request just before: the key is in the cache (for a few seconds) whatever the test's pace
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_list_and_detail_cost_the_same_few_queries_at_any_size(zto_api, zto):
    complaint = make_complaint(carrier=zto)
    zto_api.get("/api/v1/complaints/")  # the key's first use is recorded once; measure after it
    small_list = _queries(lambda: zto_api.get("/api/v1/complaints/"))
    for _ in range(30):
        make_complaint(carrier=zto)
    big_list = _queries(lambda: zto_api.get("/api/v1/complaints/", {"page_size": "100"}))
    detail = _queries(lambda: zto_api.get(detail_url(complaint)))
    assert small_list == big_list <= 4
    assert detail <= 4
