"""What the sections of the weekly report share: the headline's figures and units, the tally the sections add their
grouped rows into, the SQL building blocks, and the arithmetic that turns counts into figures (docs/metrics.md)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import connections
from django.db.models import Aggregate, F, FloatField, Func, Q

from complaints.choices import EventKind, Status
from complaints.models import REOPENING, Complaint, ComplaintEvent
from reports.routers import reading_from
from reports.weeks import IsoWeek

SCHEMA_VERSION = 1
TREND_WEEKS = 12

HEADLINE_FIELDS = (
    "received",
    "resolved",
    "backlog",
    "reopened",
    "first_response_met_pct",
    "resolution_met_pct",
    "first_response_median_hours",
    "first_response_p90_hours",
    "resolution_median_hours",
    "resolution_p90_hours",
    "complaint_rate_per_million",
    "omission_rate_pct",
    "dissatisfaction_rate_pct",
    "survey_response_rate_pct",
    "survey_average_score",
    "valid_complaints",
    "valid_rate_per_million",
    "regulator_valid_complaints",
    "regulator_valid_rate_per_million",
    "escalations",
    "breaches",
    "compensation_count",
    "compensation_total",
    "chargeback_total",
)
# How each headline figure is written: count, pct (points), hours, rate, score, money.
HEADLINE_UNITS = {
    **dict.fromkeys(
        (
            "received",
            "resolved",
            "backlog",
            "reopened",
            "valid_complaints",
            "regulator_valid_complaints",
            "escalations",
            "breaches",
            "compensation_count",
        ),
        "count",
    ),
    **{name: "pct" for name in HEADLINE_FIELDS if name.endswith("_pct")},
    **{name: "hours" for name in HEADLINE_FIELDS if name.endswith("_hours")},
    **{name: "rate" for name in HEADLINE_FIELDS if name.endswith("_per_million")},
    "survey_average_score": "score",
    "compensation_total": "money",
    "chargeback_total": "money",
}

# The splits of the week's flows (the complaint's current carrier, category and channel).
DIMS = ("carrier", "category", "channel")


@dataclass
class Tally:
    """The grouped counts the sections add up, before they become figures.

    `weeks`: the trend's weeks computed from the rows, oldest first, ending with `week` (older ones come from their
    stored reports). `trend[w]`: counts per week. `split[dim][key]`: this week's counts per carrier, category and
    channel. `per_carrier[w][carrier_id]`: the counts behind the rates, for this week and the previous one.
    `backlog_split[dim][key]`: complaints open at the week's end per carrier, category, channel and owner."""

    week: IsoWeek
    weeks: list[IsoWeek]
    # The weeks the daily roll-up gives (reports.metrics.rolled): the sections count the others from the rows.
    rolled: set[IsoWeek] = field(default_factory=set)
    trend: dict[IsoWeek, dict] = field(init=False)
    split: dict[str, dict] = field(init=False)
    per_carrier: dict[IsoWeek, dict] = field(init=False)
    backlog_split: dict[str, dict] = field(init=False)

    def __post_init__(self):
        self.trend = {w: defaultdict(int) for w in self.weeks}
        self.split = {d: defaultdict(lambda: defaultdict(int)) for d in DIMS}
        self.per_carrier = {w: defaultdict(lambda: defaultdict(int)) for w in (self.week, self.prev)}
        self.backlog_split = {d: defaultdict(int) for d in (*DIMS, "owner")}

    @property
    def prev(self) -> IsoWeek:
        return self.week.previous()

    @property
    def direct(self) -> list[IsoWeek]:
        """The weeks counted from the rows, oldest first (the week and the previous one are both or neither)."""
        return [w for w in self.weeks if w not in self.rolled]

    @property
    def direct_older(self) -> list[IsoWeek]:
        """Those of them before the previous week (the trend's queries)."""
        return [w for w in self.direct if w < self.prev]

    @property
    def recent_direct(self) -> bool:
        """Whether this week and the previous one are counted from the rows (the split's queries)."""
        return self.week not in self.rolled


def span(weeks: list[IsoWeek]) -> tuple[datetime, datetime]:
    """From the start of the first week to the end of the last (rows of weeks in between not listed are skipped)."""
    return weeks[0].start, weeks[-1].end


# --- SQL building blocks --------------------------------------------------------------------------------------------


class HoursBetween(Func):
    """Hours from the second timestamp to the first, as a float, on PostgreSQL and SQLite."""

    arity = 2
    arg_joiner = " - "
    output_field = FloatField()
    template = "(EXTRACT(EPOCH FROM (%(expressions)s))::double precision / 3600.0)"

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 24.0)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


class PercentileCont(Aggregate):
    """`percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)`: PostgreSQL only."""

    function = "percentile_cont"
    name = "PercentileCont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def percentile_cont(sorted_values: list[float], fraction: float) -> float | None:
    """What `percentile_cont` computes (linear interpolation between the two nearest ranks), for SQLite."""
    if not sorted_values:
        return None
    position = fraction * (len(sorted_values) - 1)
    low, high = math.floor(position), math.ceil(position)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def aggregates_tune(connection) -> None:
    """For the current transaction on PostgreSQL (call inside one): JIT compilation costs more than it saves on the
    report's short aggregate queries (seconds at 1M rows, docs/benchmarks.md); enough memory to group in a hash table
    rather than sort on disk; and SSD costs, so a week's or a day's rows are joined to their complaints by key rather
    than by scanning every complaint (the default cost assumes spinning disks)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'; SET LOCAL random_page_cost = 1.1")


def percentiles_in_db() -> bool:
    return connections[reading_from()].vendor == "postgresql"


def reopen_q() -> Q:
    """Events that reopen a complaint: the reopen action, and a survey answer of 1-2 (which reopens by itself).
    The same condition as the partial index `event_reopening`, so PostgreSQL can use it."""
    return REOPENING


# A merged duplicate counts once, through the complaint it was merged into (docs/metrics.md, "Merged duplicates"):
# that one keeps the first contact's receipt and carries the clocks on. So the volume and clock figures leave out the
# merged complaints and what happened to them before the merge (an escalation, a breach, a resolution later reopened).
def counted_complaints() -> Q:
    return ~Q(status=Status.MERGED)


def counted_rows() -> Q:
    """For events and clock alerts: not those of a merged complaint (few: a hashed NOT IN on PostgreSQL)."""
    return ~Q(complaint_id__in=Complaint.objects.filter(status=Status.MERGED).values("pk"))


# The clocks' outcomes are recorded when each clock ends (complaints/sla/outcomes.py): the first human reply sets
# `Complaint.first_response_met` (no first-response breach was recorded); a resolution records on its `resolved`
# event `clock_met` (no resolution breach in its cycle) and `cycle_started_at` (receipt or the latest reopening before
# it). The sweep only breaches running clocks, under the same lock, so these are the definitions of docs/metrics.md,
# read as plain columns instead of probing the breaches and reopenings of every row.
RESOLVED_ON_TIME = Q(kind=EventKind.RESOLVED, clock_met=True)


def resolutions(start: datetime, end: datetime):
    """`resolved` events in [start, end) with their duration in hours (from the start of their cycle)."""
    events = ComplaintEvent.objects.filter(
        counted_rows(), kind=EventKind.RESOLVED, created_at__gte=start, created_at__lt=end
    )
    return events.annotate(hours=HoursBetween(F("created_at"), F("cycle_started_at")))


def first_responses(start: datetime, end: datetime):
    """Complaints whose first human reply was in [start, end), with the hours it took."""
    complaints = Complaint.objects.filter(counted_complaints(), first_response_at__gte=start, first_response_at__lt=end)
    return complaints.annotate(hours=HoursBetween(F("first_response_at"), F("received_at")))


def week_of(value: datetime) -> IsoWeek:
    return IsoWeek.of(value)


# --- Arithmetic on figures ------------------------------------------------------------------------------------------


def pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def per_million(count: int, parcels: int | None) -> float | None:
    return round(count * 1_000_000 / parcels, 1) if parcels else None


def rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(float(value), digits)


def money(value: Decimal | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))


def met(counts: dict, on_time: str, missed: str) -> float | None:
    """The share on time of a clock's outcomes: on time ÷ (on time + breaches)."""
    return pct(counts[on_time], counts[on_time] + counts[missed])


def change(name: str, value, previous):
    """Week over week: a plain difference for counts, money and hours, percentage points for percentages."""
    if value is None or previous is None:
        return None
    unit = HEADLINE_UNITS[name]
    if unit == "money":
        return money(Decimal(value) - Decimal(previous))
    if unit == "count":
        return value - previous
    return round(value - previous, 2 if unit == "score" else 1)


def entry(name: str, value, previous) -> dict:
    return {"value": value, "previous": previous, "change": change(name, value, previous)}
