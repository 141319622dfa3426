"""The partner API and merged duplicates: `merged_into` names the complaint the work goes on in, for the carrier of
both; another carrier sees neither, and a primary that is no longer the carrier's is never named."""

import pytest

from complaints import services
from complaints.choices import Status
from tests.factories import make_complaint
from tests.fixtures.partner_api import detail_url

pytestmark = pytest.mark.django_db

WAYBILL = "ZT880055555555"


@pytest.fixture
def merged(zto, agent):
    primary = make_complaint(carrier=zto, waybill_number=WAYBILL)
    duplicate = make_complaint(carrier=zto, waybill_number=WAYBILL)
    services.complaint_merge(duplicate=duplicate, primary=primary, actor=agent)
    return primary, duplicate


def test_the_carrier_reads_merged_into_on_the_duplicate_in_detail_and_list(zto_api, merged):
    primary, duplicate = merged

    # When ZTO reads the duplicate, the primary, and its list
    detail = zto_api.get(detail_url(duplicate)).json()
    primary_body = zto_api.get(detail_url(primary)).json()
    listed = {row["reference"]: row for row in zto_api.get("/api/v1/complaints/").json()["results"]}

    # Then the duplicate is merged into the primary, in both representations; the primary is merged into nothing
    assert detail["status"] == Status.MERGED
    assert detail["merged_into"] == primary.reference
    assert listed[duplicate.reference]["merged_into"] == primary.reference
    assert listed[duplicate.reference] == detail
    assert primary_body["merged_into"] is None and listed[primary.reference]["merged_into"] is None


def test_another_carrier_sees_nothing_of_the_merge(sf_api, merged):
    primary, duplicate = merged
    assert sf_api.get(detail_url(duplicate)).status_code == 404
    assert sf_api.get(detail_url(primary)).status_code == 404
    references = [row["reference"] for row in sf_api.get("/api/v1/complaints/").json()["results"]]
    assert duplicate.reference not in references


def test_a_primary_moved_to_another_carrier_is_no_longer_named(zto_api, sf, agent, merged):
    # Given the primary's carrier corrected to SF after the merge
    primary, duplicate = merged
    services.complaint_update(complaint=primary, actor=agent, expected_version=None, changes={"carrier": sf})

    # Then ZTO still reads its duplicate as merged, but not into which complaint
    detail = zto_api.get(detail_url(duplicate)).json()
    assert detail["status"] == Status.MERGED
    assert detail["merged_into"] is None
    listed = {row["reference"]: row for row in zto_api.get("/api/v1/complaints/").json()["results"]}
    assert listed[duplicate.reference]["merged_into"] is None


def test_the_merged_event_is_in_the_duplicates_timeline(zto_api, merged):
    primary, duplicate = merged
    events = zto_api.get(detail_url(duplicate, "events/")).json()
    assert events[-1]["kind"] == "merged"
    assert events[-1]["data"]["merged_into"] == primary.reference
