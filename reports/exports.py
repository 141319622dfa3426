"""A weekly report as files: CSV and XLSX (downloads and the email's attachment), text (the command) and HTML (the
email's body). All read the rows of reports.presentation, in the active language; unknown figures read "unknown".

CSV layout: one file in sections (a title row, a header row, the rows, a blank row), which is what a supervisor
opening it in Excel reads best; numbers are plain (no units, no grouping) so Excel treats them as numbers. It is
UTF-8 with a byte-order mark, without which Excel shows Chinese as mojibake."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any
from unicodedata import east_asian_width

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from reports import charts
from reports import presentation as p

SECTIONS = (
    "by_carrier",
    "by_category",
    "by_channel",
    "by_agent",
    "escalations_by_level",
    "breaches_by_clock",
    "compensation_by_case",
    "root_causes",
    "macros_used",
)

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filename(data: dict, extension: str) -> str:
    return f"redress-weekly-report-{data.get('week', 'week')}.{extension}"


def _plain(value: Any, unit: str | None) -> str:
    """A cell for CSV: the bare number, or "unknown"."""
    if value is None:
        return p.unknown()
    if unit is None:
        return str(value)
    number = p.number(value, unit)
    if isinstance(number, Decimal):
        return f"{number:.2f}"
    return str(number)


# --- CSV ------------------------------------------------------------------------------------------------------------


def report_csv(data: dict) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([p.week_title(data), p.week_span(data)])
    writer.writerow([])
    writer.writerow([_("Headline figures")])
    writer.writerow([_("Figure"), _("This week"), _("Previous week"), pgettext("week over week", "Change"), _("Unit")])
    for f in p.figures(data):
        writer.writerow(
            [
                f.label,
                _plain(f.value, f.unit),
                _plain(f.previous, f.unit),
                "" if f.change is None else _plain(f.change, f.unit),
                _unit_name(f.unit),
            ]
        )
    for section in (*SECTIONS, "trend"):
        title, columns = (_("Last 12 weeks"), p.TREND_COLUMNS) if section == "trend" else p.TABLES[section]
        writer.writerow([])
        writer.writerow([str(title)])
        writer.writerow([str(c.label) for c in columns])
        for row in p.table_rows(data, section):
            writer.writerow([_plain(row.get(c.key), c.unit) if c.key != "label" else row["label"] for c in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _unit_name(unit: str) -> str:
    return {
        p.COUNT: _("count"),
        p.PCT: _("%"),
        p.HOURS: _("hours"),
        p.RATE: _("per million parcels"),
        p.MONEY: _("CNY"),
        p.SCORE: _("score 1-5"),
    }.get(unit, "")


# --- XLSX -----------------------------------------------------------------------------------------------------------

NUMBER_FORMATS = {
    p.COUNT: "#,##0",
    p.PCT: '0.0" %"',
    p.HOURS: '0.0" h"',
    p.RATE: "0.0",
    p.MONEY: "#,##0.00",
    p.SCORE: "0.00",
}
CHANGE_FORMATS = {
    p.COUNT: "+#,##0;-#,##0;0",
    p.PCT: '+0.0" pts";-0.0" pts";0',
    p.HOURS: '+0.0" h";-0.0" h";0',
    p.RATE: "+0.0;-0.0;0",
    p.MONEY: "+#,##0.00;-#,##0.00;0.00",
    p.SCORE: "+0.00;-0.00;0",
}


def report_xlsx(data: dict) -> bytes:
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="E5E7EB")
    muted = Font(color="6B7280", italic=True)
    better, worse = Font(color="047857"), Font(color="B91C1C")

    book = Workbook()

    def sheet(title: str, headers: list[str], widths: list[int], first: bool = False):
        ws = book.active if first else book.create_sheet()
        ws.title = title[:31]
        ws.append([p.week_title(data), p.week_span(data)])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append(headers)
        for cell in ws[2]:
            cell.font, cell.fill = bold, header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "B3"  # the title, the header row and the name column stay in view
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        return ws

    def put(ws, row: int, column: int, value: Any, unit: str | None, formats=NUMBER_FORMATS):
        cell = ws.cell(row=row, column=column)
        if value is None:
            cell.value, cell.font = p.unknown(), muted
            cell.alignment = Alignment(horizontal="right")
        elif unit is None:
            cell.value = str(value)
        else:
            cell.value = p.number(value, unit)
            cell.number_format = formats[unit]
        return cell

    ws = sheet(
        _("Headline"),
        [_("Figure"), _("This week"), _("Previous week"), pgettext("week over week", "Change")],
        [44, 16, 16, 16],
        first=True,
    )
    for r, f in enumerate(p.figures(data), start=3):
        ws.cell(row=r, column=1, value=f.label)
        put(ws, r, 2, f.value, f.unit)
        put(ws, r, 3, f.previous, f.unit)
        change = put(ws, r, 4, f.change, f.unit, CHANGE_FORMATS)
        if f.change is None:
            change.value = "—"
        elif f.verdict in ("better", "worse"):
            change.font = better if f.verdict == "better" else worse

    names = {
        "by_carrier": _("Carriers"),
        "by_category": _("Categories"),
        "by_channel": _("Channels"),
        "by_agent": _("Agents"),
        "compensation_by_case": _("Compensation"),
        "root_causes": _("Root causes"),
        "macros_used": _("Canned replies used"),
    }
    for section, name in names.items():
        _title, columns = p.TABLES[section]
        ws = sheet(name, [str(c.label) for c in columns], [28] + [14] * (len(columns) - 1))
        _fill(ws, columns, p.table_rows(data, section), put)

    # Escalations and breaches side by side on one sheet.
    ws = sheet(
        _("Escalations and breaches"),
        [_("Escalation level"), _("Escalations"), "", _("Clock"), _("Breaches")],
        [28, 14, 4, 28, 14],
    )
    for r, row in enumerate(p.rows(data, "escalations_by_level"), start=3):
        ws.cell(row=r, column=1, value=row["label"])
        put(ws, r, 2, row.get("count"), p.COUNT)
    for r, row in enumerate(p.rows(data, "breaches_by_clock"), start=3):
        ws.cell(row=r, column=4, value=row["label"])
        put(ws, r, 5, row.get("count"), p.COUNT)

    ws = sheet(_("Trend"), [str(c.label) for c in p.TREND_COLUMNS], [12] + [16] * (len(p.TREND_COLUMNS) - 1))
    _fill(ws, p.TREND_COLUMNS, p.table_rows(data, "trend"), put)

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill(ws, columns, items, put) -> None:
    for r, row in enumerate(items, start=3):
        for c, column in enumerate(columns, start=1):
            value = row.get(column.key)
            if column.unit is None:
                ws.cell(row=r, column=c, value=str(value) if value not in (None, "") else p.unknown())
            else:
                put(ws, r, c, value, column.unit)


# --- Text (the command) ---------------------------------------------------------------------------------------------


def _table(headers: list[str], body: list[list[str]]) -> list[str]:
    def width(text: str) -> int:  # Chinese characters take two columns in a terminal
        return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in text)

    widths = [max([width(h)] + [width(row[i]) for row in body]) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            pad = " " * (widths[i] - width(cell))
            out.append(cell + pad if i == 0 else pad + cell)
        return "  ".join(out).rstrip()

    return [line(headers), "  ".join("-" * w for w in widths), *(line(row) for row in body)]


def report_text(data: dict) -> str:
    lines = [p.week_title(data), p.week_span(data), ""]
    lines += _table(
        [_("Figure"), _("This week"), _("Previous week"), pgettext("week over week", "Change")],
        [[f.label, f.value_text, f.previous_text, f"{f.change_text} {f.arrow}".strip()] for f in p.figures(data)],
    )
    for section in SECTIONS:
        title, columns = p.TABLES[section]
        items = p.table_rows(data, section)
        lines += ["", str(title)]
        if not items:
            lines.append(_("none"))
            continue
        lines += _table([str(c.label) for c in columns], [[p.cell_text(row, c) for c in columns] for row in items])
    return "\n".join(lines) + "\n"


# --- HTML (the email) -----------------------------------------------------------------------------------------------


def report_html(data: dict, *, page_url: str = "") -> str:
    """The email's HTML body: inline styles only (mail clients drop <style>), charts as table bars."""
    colours = {"better": "#047857", "worse": "#b91c1c", "neutral": "#374151", "same": "#6b7280"}
    context = {
        "data": data,
        "title": p.week_title(data),
        "span": p.week_span(data),
        "figures": [(f, colours[f.verdict]) for f in p.figures(data, p.EMAIL_KEYS)],
        "targets": p.targets(data),
        "carriers": p.rows(data, "by_carrier"),
        "root_causes": p.rows(data, "root_causes")[:5],
        "charts": charts.email_charts(data),
        "page_url": page_url,
    }
    return render_to_string("reports/email/weekly_report.html", context)
