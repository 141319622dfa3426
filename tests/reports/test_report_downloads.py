"""Downloads from the report page and the explicit recompute."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from reports.models import WeeklyReport
from tests.factories import make_complaint
from tests.reports.sample_report import sample_report

pytestmark = pytest.mark.django_db
NOW = "2026-11-25T02:00:00+00:00"  # Wednesday of 2026-W48 in Shanghai


@pytest.fixture
def stored_w47(db):
    return WeeklyReport.objects.create(
        iso_week="2026-W47",
        week_start=date(2026, 11, 16),
        data=sample_report(),
        computed_at=datetime(2026, 11, 23, 0, 0, tzinfo=UTC),
    )


@time_machine.travel(NOW, tick=False)
def test_csv_download_is_the_stored_week(supervisor_client, stored_w47):
    response = supervisor_client.get(reverse("reports-weekly-csv", args=["2026-W47"]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="redress-weekly-report-2026-W47.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ["Received", "128", "110", "18", "count"] in rows


@time_machine.travel(NOW, tick=False)
def test_xlsx_download_opens(supervisor_client, stored_w47):
    response = supervisor_client.get(reverse("reports-weekly-xlsx", args=["2026-W47"]))
    assert response.status_code == 200
    assert 'filename="redress-weekly-report-2026-W47.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.worksheets[0].cell(row=3, column=2).value == 128


@time_machine.travel(NOW, tick=False)
def test_recompute_replaces_the_stored_figures_and_records_who(supervisor_client, supervisor, stored_w47):
    # given a stored week that says 128 received, while the database holds one complaint that week
    with time_machine.travel("2026-11-18T03:00:00+00:00", tick=False):
        make_complaint()
    # when a supervisor asks for the figures again
    response = supervisor_client.post(reverse("reports-weekly-recompute", args=["2026-W47"]))
    # then the snapshot holds what the database says, computed by them
    assert response.status_code == 302
    stored_w47.refresh_from_db()
    assert stored_w47.data["headline"]["received"]["value"] == 1
    assert stored_w47.computed_by == supervisor


@time_machine.travel(NOW, tick=False)
def test_reading_does_not_recompute_and_get_cannot_recompute(supervisor_client, stored_w47):
    with time_machine.travel("2026-11-18T03:00:00+00:00", tick=False):
        make_complaint()
    supervisor_client.get(reverse("reports-weekly-week", args=["2026-W47"]))
    assert supervisor_client.get(reverse("reports-weekly-recompute", args=["2026-W47"])).status_code == 405
    stored_w47.refresh_from_db()
    assert stored_w47.data["headline"]["received"]["value"] == 128


@time_machine.travel(NOW, tick=False)
def test_the_week_in_progress_cannot_be_stored(supervisor_client):
    response = supervisor_client.post(
        reverse("reports-weekly-recompute", args=["2026-W48"]), HTTP_ACCEPT_LANGUAGE="en", follow=True
    )
    assert not WeeklyReport.objects.filter(iso_week="2026-W48").exists()
    # the supervisor is back on the week's live page with the reason
    assert response.redirect_chain[-1][0] == reverse("reports-weekly-week", args=["2026-W48"])
    assert "2026-W48 is not over yet; only a complete week is stored." in response.content.decode()
