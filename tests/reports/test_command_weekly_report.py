"""`manage.py weekly_report` for operators."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook

from reports.models import WeeklyReport
from tests.factories import make_complaint
from tests.reports.sample_report import sample_report

pytestmark = pytest.mark.django_db
NOW = "2026-11-25T02:00:00+00:00"


@pytest.fixture
def stored_w47(db):
    return WeeklyReport.objects.create(
        iso_week="2026-W47",
        week_start=date(2026, 11, 16),
        data=sample_report(),
        computed_at=datetime(2026, 11, 23, 0, 0, tzinfo=UTC),
    )


@time_machine.travel(NOW, tick=False)
def test_default_is_the_last_complete_week_as_text(stored_w47):
    out = io.StringIO()
    call_command("weekly_report", "--language", "en", stdout=out)
    text = out.getvalue()
    assert text.startswith("Weekly report 2026-W47")
    assert "unknown" in text


@time_machine.travel(NOW, tick=False)
def test_writes_csv_xlsx_and_html_files(stored_w47, tmp_path):
    for fmt in ("csv", "xlsx", "html"):
        call_command(
            "weekly_report",
            "--week",
            "2026-W47",
            "--format",
            fmt,
            "--output",
            str(tmp_path / f"r.{fmt}"),
            "--language",
            "en",
            stderr=io.StringIO(),
        )
    rows = list(csv.reader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8-sig"))))
    assert ["Received", "128", "110", "18", "count"] in rows
    assert load_workbook(tmp_path / "r.xlsx").worksheets[0].cell(row=3, column=2).value == 128
    assert "128" in (tmp_path / "r.html").read_text(encoding="utf-8")


@time_machine.travel(NOW, tick=False)
def test_recompute_replaces_the_stored_figures(stored_w47):
    with time_machine.travel("2026-11-18T03:00:00+00:00", tick=False):
        make_complaint()
    call_command("weekly_report", "--week", "2026-W47", "--recompute", stdout=io.StringIO())
    stored_w47.refresh_from_db()
    assert stored_w47.data["headline"]["received"]["value"] == 1


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("week", ["2026-W99", "47", "2026-47"])
def test_a_bad_week_is_refused_clearly(week):
    with pytest.raises(CommandError, match="2026-W47"):
        call_command("weekly_report", "--week", week)


@time_machine.travel(NOW, tick=False)
def test_a_week_not_started_or_not_over_cannot_be_stored():
    with pytest.raises(CommandError):
        call_command("weekly_report", "--week", "2026-W52")
    with translation.override("en"), pytest.raises(CommandError, match="2026-W48 is not over yet"):
        call_command("weekly_report", "--week", "2026-W48", "--recompute")
    assert not WeeklyReport.objects.exists()
