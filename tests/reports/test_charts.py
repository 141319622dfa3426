"""Charts drawn on the server: SVG for the page, table bars for the email; unknown weeks are gaps, never zero."""

import re

import pytest
from django.utils import translation

from reports import charts
from reports import presentation as p
from tests.reports.sample_report import sample_report

pytestmark = pytest.mark.django_db


def test_a_week_with_unknown_dissatisfaction_is_a_gap_in_its_line():
    data = sample_report()
    with translation.override("en"):
        svg = str(charts.trend_svg(data, ("dissatisfaction_rate_pct",), title="t", unit=p.PCT, top=100))
    # W42 and W46 are unknown: three segments (W36-41, W43-45, W47), and no point for the unknown weeks
    assert svg.count("<polyline") == 3
    assert "2026-W42 Dissatisfaction rate" not in svg
    assert "2026-W47 Dissatisfaction rate: 12.5 %" in svg


def test_shares_are_of_the_weeks_complaints_largest_first():
    with translation.override("en"):
        items = p.shares(p.rows(sample_report(), "by_carrier"))
        svg = str(charts.shares_svg(items, title="Share by carrier", kind="carrier"))
    assert [(i["label"], i["pct"]) for i in items] == [
        ("ZTO Express", 54.7),
        ("SF Express", 31.2),
        ("KY Express", 14.1),
    ]
    assert len(re.findall(r"<rect ", svg)) == 3
    assert "ZTO Express: 70 (54.7 %)" in svg


def test_labels_from_the_data_are_escaped():
    items = [{"key": "x", "label": "<script>alert(1)</script>", "count": 1, "pct": 100.0}]
    assert "<script>" not in str(charts.shares_svg(items, title="t"))
    assert "<script>" not in str(charts.html_bars(items, title="t"))


def test_the_email_charts_are_tables_not_svg():
    with translation.override("en"):
        parts = charts.email_charts(sample_report())
    for html in parts.values():
        assert "<svg" not in html and "<table" in html
