"""The report as files: CSV that Excel opens (Chinese included), a workbook holding the figures, text and HTML.
Unknown figures read "unknown", never 0."""

import csv
import io
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook

from reports import exports
from tests.reports.sample_report import sample_report

pytestmark = pytest.mark.django_db


def _csv_rows(data, language="en"):
    with translation.override(language):
        raw = exports.report_csv(data)
    assert raw.startswith("\ufeff".encode("utf-8"))  # Excel needs the BOM to read UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def _section(rows, title):
    start = next(i for i, row in enumerate(rows) if row == [title])
    header = rows[start + 1]
    body = []
    for row in rows[start + 2 :]:
        if not row:
            break
        body.append(dict(zip(header, row)))
    return body


def test_csv_parses_into_sections_with_plain_numbers():
    rows = _csv_rows(sample_report())
    headline = {r["Figure"]: r for r in _section(rows, "Headline figures")}
    assert headline["Received"]["This week"] == "128"
    assert headline["Received"]["Previous week"] == "110"
    assert headline["Received"]["Change"] == "18"
    assert headline["Compensation paid (CNY)"]["This week"] == "18452.50"
    carriers = {r["Carrier"]: r for r in _section(rows, "Carriers")}
    assert carriers["ZTO Express"]["Complaints per million parcels"] == "2.8"
    assert len(_section(rows, "Last 12 weeks")) == 12


def test_csv_shows_unknown_never_zero():
    rows = _csv_rows(sample_report())
    headline = {r["Figure"]: r for r in _section(rows, "Headline figures")}
    # nobody answered a survey the week before: unknown previous, no change
    assert headline["Dissatisfaction rate"]["Previous week"] == "unknown"
    assert headline["Dissatisfaction rate"]["Change"] == ""
    ky = {r["Carrier"]: r for r in _section(rows, "Carriers")}["KY Express"]
    assert ky["Parcels"] == "unknown"
    assert ky["Complaints per million parcels"] == "unknown"


def test_csv_in_chinese_keeps_chinese_labels_readable():
    with translation.override("zh-hans"):
        text = exports.report_csv(sample_report()).decode("utf-8-sig")
    assert "延误" in text  # the category, re-labelled from its key


def test_xlsx_opens_and_holds_the_figures_with_number_formats():
    with translation.override("en"):
        book = load_workbook(io.BytesIO(exports.report_xlsx(sample_report())))
    assert book.sheetnames == [
        "Headline",
        "Carriers",
        "Categories",
        "Channels",
        "Agents",
        "Compensation",
        "Root causes",
        "Canned replies used",
        "Escalations and breaches",
        "Trend",
    ]
    sheet = book["Headline"]
    assert sheet.freeze_panes == "B3"
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=3)}
    received = rows["Received"]
    assert (received[1].value, received[2].value, received[3].value) == (128, 110, 18)
    assert received[1].number_format == "#,##0"
    assert rows["First response within target"][1].value == pytest.approx(93.8)
    assert rows["Compensation paid (CNY)"][1].value == pytest.approx(Decimal("18452.50"))
    assert rows["Dissatisfaction rate"][2].value == "unknown"
    carriers = {row[0].value: row for row in book["Carriers"].iter_rows(min_row=3)}
    assert carriers["KY Express"][6].value == "unknown"  # complaints per million parcels
    assert carriers["ZTO Express"][5].value == 25_000_000
    assert book["Trend"].max_row == 2 + 12


def test_text_and_html_read_unknown_and_the_figures():
    data = sample_report()
    with translation.override("en"):
        text = exports.report_text(data)
        html = exports.report_html(data, page_url="https://redress.example.com/admin/reports/weekly/2026-W47/")
    assert "Weekly report 2026-W47" in text
    assert "unknown" in text
    received = next(line for line in text.splitlines() if line.startswith("Received"))
    assert "128" in received and "+18" in received
    assert "<svg" not in html  # mail clients: bars are table cells
    assert "width:" in html and "128" in html and "unknown" in html
    assert "https://redress.example.com/admin/reports/weekly/2026-W47/" in html


def test_an_empty_week_exports_without_errors():
    data = sample_report(
        by_carrier=[],
        by_category=[],
        by_channel=[],
        by_agent=[],
        root_causes=[],
        compensation_by_case=[],
        escalations_by_level=[],
        breaches_by_clock=[],
    )
    with translation.override("en"):
        assert exports.report_csv(data)
        assert load_workbook(io.BytesIO(exports.report_xlsx(data)))
        assert "none" in exports.report_text(data)
        assert "No complaints this week." in exports.report_html(data)
