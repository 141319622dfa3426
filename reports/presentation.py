"""How a weekly report's data (the dict of docs/metrics.md, stored in WeeklyReport.data) reads: labels in the reader's
language, units, which way is better, and figures formatted with "unknown" where the data says None.

Everything here is pure: it takes the dict and gives rows; the page, the exports and the email all read these rows,
so a figure reads the same everywhere. Call inside `translation.override(...)` for another language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from accounts.models import Carrier
from complaints.choices import Category, Channel, Clock, EscalationLevel, RootCauseArea
from complaints.compensation.choices import Case as CompensationCase
from reports.metrics import carrier_label, label_for

# Units: how a figure is formatted and what its change is measured in.
COUNT, PCT, HOURS, RATE, MONEY, SCORE = "count", "pct", "hours", "rate", "money", "score"
# Which way is better: a rise of a "down" figure is shown red.
UP, DOWN, NEUTRAL = "up", "down", "neutral"


@dataclass(frozen=True)
class Metric:
    key: str
    label: Any  # lazy
    unit: str
    better: str


HEADLINE_METRICS: tuple[Metric, ...] = (
    Metric("received", gettext_lazy("Received"), COUNT, NEUTRAL),
    Metric("resolved", gettext_lazy("Resolved"), COUNT, UP),
    Metric("backlog", gettext_lazy("Backlog at week end"), COUNT, DOWN),
    Metric("reopened", gettext_lazy("Reopened"), COUNT, DOWN),
    Metric("first_response_met_pct", gettext_lazy("First response within target"), PCT, UP),
    Metric("resolution_met_pct", gettext_lazy("Resolved within target"), PCT, UP),
    Metric("first_response_median_hours", gettext_lazy("First response, median"), HOURS, DOWN),
    Metric("first_response_p90_hours", gettext_lazy("First response, 90th percentile"), HOURS, DOWN),
    Metric("resolution_median_hours", gettext_lazy("Resolution, median"), HOURS, DOWN),
    Metric("resolution_p90_hours", gettext_lazy("Resolution, 90th percentile"), HOURS, DOWN),
    Metric("complaint_rate_per_million", gettext_lazy("Complaint rate (per million parcels)"), RATE, DOWN),
    Metric("omission_rate_pct", gettext_lazy("Omission rate"), PCT, DOWN),
    Metric("dissatisfaction_rate_pct", gettext_lazy("Dissatisfaction rate"), PCT, DOWN),
    Metric("survey_response_rate_pct", gettext_lazy("Survey response rate"), PCT, UP),
    Metric("survey_average_score", gettext_lazy("Average survey score (1-5)"), SCORE, UP),
    Metric("valid_complaints", gettext_lazy("Valid complaints (carrier liable)"), COUNT, DOWN),
    Metric("valid_rate_per_million", gettext_lazy("Valid complaints per million parcels"), RATE, DOWN),
    Metric(
        "regulator_valid_complaints", gettext_lazy("Valid 12305 complaints (regulator, carrier liable)"), COUNT, DOWN
    ),
    Metric("regulator_valid_rate_per_million", gettext_lazy("Valid 12305 complaints per million parcels"), RATE, DOWN),
    Metric("escalations", gettext_lazy("Escalations"), COUNT, DOWN),
    Metric("breaches", gettext_lazy("Targets missed (breaches)"), COUNT, DOWN),
    Metric("compensation_count", gettext_lazy("Compensation payments"), COUNT, DOWN),
    Metric("compensation_total", gettext_lazy("Compensation paid (CNY)"), MONEY, DOWN),
    Metric("chargeback_total", gettext_lazy("Charged back to carriers (CNY)"), MONEY, NEUTRAL),
)
METRICS = {m.key: m for m in HEADLINE_METRICS}

# The page's and the email's groups of headline figures.
VOLUME_KEYS = ("received", "resolved", "backlog", "reopened")
HAIER_KEYS = ("complaint_rate_per_million", "omission_rate_pct", "dissatisfaction_rate_pct")
SURVEY_KEYS = ("survey_response_rate_pct", "survey_average_score")
REGULATOR_KEYS = (
    "valid_complaints",
    "valid_rate_per_million",
    "regulator_valid_complaints",
    "regulator_valid_rate_per_million",
)
ESCALATION_KEYS = ("escalations", "breaches")
MONEY_KEYS = ("compensation_count", "compensation_total", "chargeback_total")
# The email's short list.
EMAIL_KEYS = (
    "received",
    "resolved",
    "backlog",
    "reopened",
    "first_response_met_pct",
    "resolution_met_pct",
    *HAIER_KEYS,
    "valid_complaints",
    "regulator_valid_rate_per_million",
    "escalations",
    "breaches",
    "compensation_total",
)

TREND_SERIES = {
    "received": gettext_lazy("Received"),
    "resolved": gettext_lazy("Resolved"),
    "backlog": gettext_lazy("Backlog"),
    "reopened": gettext_lazy("Reopened"),
    "first_response_met_pct": gettext_lazy("First response within target"),
    "resolution_met_pct": gettext_lazy("Resolved within target"),
    "dissatisfaction_rate_pct": gettext_lazy("Dissatisfaction rate"),
}


def unknown() -> str:
    return _("unknown")


# --- Formatting -----------------------------------------------------------------------------------------------------
# Grouped with commas and a decimal point in both languages: how amounts in CNY are written in Chinese too (Django's
# zh-hans formats would print 18452.50 without grouping).


def number_format(value, decimal_pos: int | None = None, force_grouping: bool = False) -> str:
    if decimal_pos is None:
        return f"{int(value):,}"
    return f"{Decimal(str(value)):,.{decimal_pos}f}"


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def number(value: Any, unit: str) -> int | float | Decimal | None:
    """The figure as a number a spreadsheet can compute with (money as Decimal); None stays None."""
    if value is None:
        return None
    if unit == MONEY:
        return _decimal(value)
    if unit == COUNT:
        return int(value)
    return float(value)


def fmt(value: Any, unit: str, *, with_unit: bool = True) -> str:
    """A figure for reading: "93.8 %", "19.5 h", "¥18,452.50", "unknown"."""
    if value is None:
        return unknown()
    if unit == COUNT:
        return number_format(int(value), force_grouping=True)
    if unit == MONEY:
        text = number_format(_decimal(value), decimal_pos=2, force_grouping=True)
        return f"¥{text}" if with_unit else text
    if unit == SCORE:
        return number_format(float(value), decimal_pos=2)
    text = number_format(float(value), decimal_pos=1, force_grouping=True)
    if not with_unit:
        return text
    if unit == PCT:
        return f"{text} %"
    if unit == HOURS:
        return _("%(n)s h") % {"n": text}
    return text


def fmt_change(change: Any, unit: str) -> str:
    """The week-over-week change, signed; percentages change in points. Unknown is a dash."""
    if change is None:
        return "—"
    value = _decimal(change)
    if value is None:
        return "—"
    if value == 0:
        return "±0"
    sign = "+" if value > 0 else "−"
    magnitude = abs(value)
    if unit == COUNT:
        text = number_format(int(magnitude), force_grouping=True)
    elif unit == MONEY:
        text = "¥" + number_format(magnitude, decimal_pos=2, force_grouping=True)
    elif unit == SCORE:
        text = number_format(magnitude, decimal_pos=2)
    else:
        text = number_format(magnitude, decimal_pos=1, force_grouping=True)
        if unit == PCT:
            text = _("%(n)s pts") % {"n": text}
        elif unit == HOURS:
            text = _("%(n)s h") % {"n": text}
    return f"{sign}{text}"


def direction(change: Any, better: str) -> tuple[str, str]:
    """(arrow, verdict): ("▲", "worse") for a rise of a lower-is-better figure; ("", "same") when unknown or flat."""
    value = _decimal(change)
    if value is None or value == 0:
        return ("" if value is None else "▶", "same")
    arrow = "▲" if value > 0 else "▼"
    if better == NEUTRAL:
        return arrow, "neutral"
    good = (value > 0) == (better == UP)
    return arrow, "better" if good else "worse"


# --- Labels in the reader's language --------------------------------------------------------------------------------


def relabel(key: Any, choices: type[models.Choices] | None, stored: str) -> str:
    """The choice's label in the active language if the key is one of ours, else the label stored with the data."""
    if choices is not None:
        try:
            return str(choices(key).label)
        except ValueError:
            pass
    return stored or str(key) or unknown()


def _reader_half(label: str) -> str:
    """Carriers are stored as "中通快递 / ZTO Express" when computed in Chinese: the page shows the reader's half."""
    if " / " in label:
        zh, en = label.split(" / ", 1)
        return zh if (get_language() or "zh-hans").startswith("zh") else en
    return label


GROUP_CHOICES: dict[str, type[models.Choices] | None] = {
    "by_category": Category,
    "by_channel": Channel,
    "escalations_by_level": EscalationLevel,
    "breaches_by_clock": Clock,
    "compensation_by_case": CompensationCase,
    "root_causes": RootCauseArea,
    "by_agent": None,
    "macros_used": None,
}


def rows(data: dict, section: str) -> list[dict]:
    """A breakdown's rows with `label` re-labelled in the reader's language (reports.metrics.label_for, the
    metrics' own vocabulary); agents keep their stored names."""
    items = data.get(section) or []
    carriers = (
        {c.code: c for c in Carrier.objects.filter(code__in=[r.get("key") for r in items if r.get("key")])}
        if section == "by_carrier"
        else {}
    )
    out = []
    for row in items:
        row = dict(row)
        if section == "by_carrier":
            code = row.get("key")
            if not code:
                row["label"] = carrier_label(None)
            elif code in carriers:
                row["label"] = carrier_label(carriers[code])
        elif section not in ("by_agent", "macros_used"):  # names as written, not translated
            try:
                row["label"] = label_for(section, row.get("key"))
            except (KeyError, ValueError, TypeError):
                row["label"] = relabel(row.get("key"), GROUP_CHOICES.get(section), row.get("label", ""))
        if section == "by_carrier":
            row["label"] = _reader_half(row["label"])
        row["label"] = row["label"] or unknown()
        out.append(row)
    return out


# --- Headline rows --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str
    value: Any
    previous: Any
    change: Any
    value_text: str
    previous_text: str
    change_text: str
    arrow: str
    verdict: str  # better / worse / neutral / same

    @property
    def is_unknown(self) -> bool:
        return self.value is None


def figure(data: dict, key: str) -> Figure:
    metric = METRICS[key]
    entry = (data.get("headline") or {}).get(key) or {}
    value, previous, change = entry.get("value"), entry.get("previous"), entry.get("change")
    arrow, verdict = direction(change, metric.better)
    return Figure(
        key=key,
        label=str(metric.label),
        unit=metric.unit,
        value=value,
        previous=previous,
        change=change,
        value_text=fmt(value, metric.unit),
        previous_text=fmt(previous, metric.unit),
        change_text=fmt_change(change, metric.unit),
        arrow=arrow,
        verdict=verdict,
    )


def figures(data: dict, keys: tuple[str, ...] | None = None) -> list[Figure]:
    return [figure(data, key) for key in (keys or tuple(METRICS))]


@dataclass(frozen=True)
class Target:
    """A clock's results against the published commitment."""

    label: str
    commitment_hours: int | None
    met: Figure
    median: Figure
    p90: Figure


def targets(data: dict) -> list[Target]:
    commitment = data.get("commitment") or {}
    return [
        Target(
            _("First response"),
            commitment.get("first_response_hours"),
            figure(data, "first_response_met_pct"),
            figure(data, "first_response_median_hours"),
            figure(data, "first_response_p90_hours"),
        ),
        Target(
            _("Resolution"),
            commitment.get("resolution_hours"),
            figure(data, "resolution_met_pct"),
            figure(data, "resolution_median_hours"),
            figure(data, "resolution_p90_hours"),
        ),
    ]


def p90_over_commitment(target: Target) -> bool | None:
    """Whether one complaint in ten waited longer than the commitment; None when unknown."""
    if target.p90.value is None or target.commitment_hours is None:
        return None
    return float(target.p90.value) > float(target.commitment_hours)


# --- Tables shared by the page, CSV, XLSX, text and HTML ------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    unit: str | None  # None: text


def _columns(*specs: tuple[str, Any, str | None]) -> tuple[Column, ...]:
    return tuple(Column(*spec) for spec in specs)


GROUP_COLUMNS = _columns(
    ("label", gettext_lazy("Name"), None),
    ("received", gettext_lazy("Received"), COUNT),
    ("resolved", gettext_lazy("Resolved"), COUNT),
    ("backlog", gettext_lazy("Backlog"), COUNT),
    ("reopened", gettext_lazy("Reopened"), COUNT),
)
TABLES: dict[str, tuple[Any, tuple[Column, ...]]] = {
    "by_carrier": (
        gettext_lazy("Carriers"),
        _columns(
            ("label", gettext_lazy("Carrier"), None),
            ("received", gettext_lazy("Received"), COUNT),
            ("resolved", gettext_lazy("Resolved"), COUNT),
            ("backlog", gettext_lazy("Backlog"), COUNT),
            ("reopened", gettext_lazy("Reopened"), COUNT),
            ("parcels", gettext_lazy("Parcels"), COUNT),
            ("complaint_rate_per_million", gettext_lazy("Complaints per million parcels"), RATE),
            ("valid_complaints", gettext_lazy("Valid complaints"), COUNT),
            ("valid_rate_per_million", gettext_lazy("Valid complaints per million parcels"), RATE),
            ("regulator_valid_complaints", gettext_lazy("Valid 12305 complaints"), COUNT),
            ("regulator_valid_rate_per_million", gettext_lazy("Valid 12305 complaints per million parcels"), RATE),
            ("first_response_met_pct", gettext_lazy("First response within target"), PCT),
            ("resolution_met_pct", gettext_lazy("Resolved within target"), PCT),
            ("escalations", gettext_lazy("Escalations"), COUNT),
            ("compensation_count", gettext_lazy("Compensation payments"), COUNT),
            ("compensation_total", gettext_lazy("Compensation paid (CNY)"), MONEY),
            ("chargeback_total", gettext_lazy("Charged back (CNY)"), MONEY),
        ),
    ),
    "by_category": (gettext_lazy("Categories"), GROUP_COLUMNS),
    "by_channel": (gettext_lazy("Channels"), GROUP_COLUMNS),
    "by_agent": (
        gettext_lazy("Agents"),
        _columns(
            ("label", gettext_lazy("Agent"), None),
            ("resolved", gettext_lazy("Resolved"), COUNT),
            ("backlog", gettext_lazy("Backlog"), COUNT),
            ("reopened", gettext_lazy("Reopened"), COUNT),
            ("first_response_met_pct", gettext_lazy("First response within target"), PCT),
            ("resolution_met_pct", gettext_lazy("Resolved within target"), PCT),
        ),
    ),
    "escalations_by_level": (
        gettext_lazy("Escalations by level"),
        _columns(("label", gettext_lazy("Level"), None), ("count", gettext_lazy("Escalations"), COUNT)),
    ),
    "breaches_by_clock": (
        gettext_lazy("Targets missed by clock"),
        _columns(("label", gettext_lazy("Clock"), None), ("count", gettext_lazy("Breaches"), COUNT)),
    ),
    "compensation_by_case": (
        gettext_lazy("Compensation by case"),
        _columns(
            ("label", gettext_lazy("Case"), None),
            ("count", gettext_lazy("Payments"), COUNT),
            ("total", gettext_lazy("Total (CNY)"), MONEY),
        ),
    ),
    "root_causes": (
        gettext_lazy("Root causes"),
        _columns(
            ("label", gettext_lazy("Where the problem arose"), None),
            ("count", gettext_lazy("Complaints"), COUNT),
            ("valid", gettext_lazy("Carrier liable"), COUNT),
        ),
    ),
    "macros_used": (
        gettext_lazy("Canned replies used"),
        _columns(
            ("label", gettext_lazy("Canned reply"), None),
            ("count", gettext_lazy("Times used"), COUNT),
            ("replies", gettext_lazy("As replies"), COUNT),
            ("notes", gettext_lazy("As internal notes"), COUNT),
        ),
    ),
}
# The page's carrier scorecards: the rates first, the counts behind them after.
SCORECARD_KEYS = (
    "label",
    "received",
    "parcels",
    "complaint_rate_per_million",
    "valid_complaints",
    "valid_rate_per_million",
    "regulator_valid_rate_per_million",
    "first_response_met_pct",
    "resolution_met_pct",
    "escalations",
    "compensation_total",
    "chargeback_total",
)
SCORECARD_COLUMNS = tuple(c for key in SCORECARD_KEYS for c in TABLES["by_carrier"][1] if c.key == key)
TREND_COLUMNS = _columns(
    ("week", gettext_lazy("Week"), None),
    *((key, label, PCT if key.endswith("_pct") else COUNT) for key, label in TREND_SERIES.items()),
)


def table_rows(data: dict, section: str) -> list[dict]:
    if section == "trend":
        return [dict(row) for row in data.get("trend") or []]
    return rows(data, section)


def cell_text(row: dict, column: Column) -> str:
    value = row.get(column.key)
    if column.unit is None:
        return str(value) if value not in (None, "") else unknown()
    return fmt(value, column.unit)


def shares(items: list[dict], field: str = "received") -> list[dict]:
    """Each row's share of the total (percent, 1 decimal) for the share charts; rows with nothing are left out."""
    total = sum(int(row.get(field) or 0) for row in items)
    out = []
    for row in items:
        count = int(row.get(field) or 0)
        if count and total:
            out.append(
                {"key": row.get("key"), "label": row["label"], "count": count, "pct": round(100 * count / total, 1)}
            )
    return sorted(out, key=lambda r: -r["count"])


def week_title(data: dict) -> str:
    return _("Weekly report %(week)s") % {"week": data.get("week", "")}


def week_span(data: dict) -> str:
    """ "2026-11-16 – 2026-11-22 (Asia/Shanghai)": the Monday to the Sunday, local dates."""
    try:
        start = datetime.fromisoformat(data["start"]).date()
        end = datetime.fromisoformat(data["end"]).date() - timedelta(days=1)
    except (KeyError, TypeError, ValueError):
        return ""
    return f"{start:%Y-%m-%d} – {end:%Y-%m-%d} ({data.get('time_zone', '')})"
