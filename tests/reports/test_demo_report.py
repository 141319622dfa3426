"""The demo data makes a meaningful report: every resolution says where the problem arose and who is liable."""

from io import StringIO

from django.core.management import call_command
from django.utils import timezone, translation

from complaints.choices import EventKind, RootCauseArea
from complaints.models import Complaint, ComplaintEvent
from reports.metrics import week_compute
from reports.weeks import IsoWeek


def test_demo_resolutions_record_root_cause_area_and_liability(db, monkeypatch):
    # Given the demo data (fewer complaints, to keep the test short)
    monkeypatch.setattr("complaints.devtools.demo.plan.COMPLAINT_COUNT", 60)
    with translation.override("en"):
        call_command("seed_demo", stdout=StringIO())

    # Then every resolution recorded an area and whether the carrier is liable
    resolutions = ComplaintEvent.objects.filter(kind=EventKind.RESOLVED)
    assert resolutions.exists()
    assert all(e.data["root_cause_area"] in RootCauseArea.values for e in resolutions)
    assert all(e.data["carrier_liable"] in (True, False) for e in resolutions)
    assert not Complaint.objects.filter(resolved_at__isnull=False, root_cause_area="").exists()

    # And the report of a week with resolutions lists its root causes and valid complaints
    week = IsoWeek.of(resolutions.order_by("-created_at").first().created_at)
    data = week_compute(week=week, now=timezone.now())
    assert data["root_causes"] and all(r["key"] in RootCauseArea.values for r in data["root_causes"])
    assert sum(r["count"] for r in data["root_causes"]) == data["headline"]["resolved"]["value"]
