"""The weekly report's figures, computed in the database. Definitions: docs/metrics.md (the report uses exactly those).

`week_compute(week=IsoWeek)` returns the dict described in REPORT_SCHEMA.md. Every figure comes from a constant
number of aggregate queries (about twenty, plus a few lookups, whatever the number of complaints): conditional
aggregates (`COUNT(*) FILTER (WHERE …)`), `date_trunc('week', …)` in the operation's time zone for the 12-week trend,
and `percentile_cont(…) WITHIN GROUP` on PostgreSQL. SQLite (the default install) has no percentile aggregate: there the
percentiles come from one sorted query of just the durations, interpolated exactly as `percentile_cont` does.
Python only adds up grouped rows (tens or hundreds of them), never complaints.

Helpers for the page, exports and email (all translate in the active language):
`headline_label`, `HEADLINE_FIELDS`, `HEADLINE_UNITS`, `carrier_label`, `category_label`, `channel_label`,
`clock_label`, `level_label`, `root_cause_label`, `compensation_case_label`, `label_for`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Concat, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Carrier, User
from complaints.choices import (
    OPEN_STATUSES,
    AlertKind,
    Category,
    Channel,
    Clock,
    EscalationLevel,
    EventKind,
    MessageKind,
    MessageState,
    RootCauseArea,
    Status,
)
from complaints.models import (
    REOPENING,
    ClockAlert,
    Complaint,
    ComplaintEvent,
    OutboundMessage,
    SlaPolicy,
    SurveyResponse,
)
from complaints.services import LOW_SCORES
from reports.models import ParcelVolume
from reports.weeks import IsoWeek

SCHEMA_VERSION = 1
TREND_WEEKS = 12
# A progress update or survey sent more than this after it fell due counts as missed (the dispatcher runs every
# minute; an hour late is not an accident of scheduling any more). docs/metrics.md, "Omission rate".
OMISSION_GRACE = timedelta(hours=1)
# The published commitment when no catch-all policy exists (DOMAIN.md: 24 h first response, 72 h resolution).
DEFAULT_COMMITMENT = {"first_response_hours": 24, "resolution_hours": 72}

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
    "escalations",
    "breaches",
    "compensation_count",
    "compensation_total",
    "chargeback_total",
)
_HEADLINE_LABELS = {
    "received": gettext_lazy("Received"),
    "resolved": gettext_lazy("Resolved"),
    "backlog": gettext_lazy("Open at week end"),
    "reopened": gettext_lazy("Reopened"),
    "first_response_met_pct": gettext_lazy("First response on time (%)"),
    "resolution_met_pct": gettext_lazy("Resolution on time (%)"),
    "first_response_median_hours": gettext_lazy("First response, median (h)"),
    "first_response_p90_hours": gettext_lazy("First response, 90th percentile (h)"),
    "resolution_median_hours": gettext_lazy("Resolution, median (h)"),
    "resolution_p90_hours": gettext_lazy("Resolution, 90th percentile (h)"),
    "complaint_rate_per_million": gettext_lazy("Complaints per million parcels"),
    "omission_rate_pct": gettext_lazy("Omission rate (%)"),
    "dissatisfaction_rate_pct": gettext_lazy("Dissatisfaction rate (%)"),
    "survey_response_rate_pct": gettext_lazy("Survey response rate (%)"),
    "survey_average_score": gettext_lazy("Average survey score (1-5)"),
    "valid_complaints": gettext_lazy("Valid complaints (carrier liable)"),
    "valid_rate_per_million": gettext_lazy("Valid complaints per million parcels"),
    "escalations": gettext_lazy("Escalations"),
    "breaches": gettext_lazy("Targets missed"),
    "compensation_count": gettext_lazy("Compensation claims approved"),
    "compensation_total": gettext_lazy("Compensation approved (CNY)"),
    "chargeback_total": gettext_lazy("Charged back to carriers (CNY)"),
}
# How each headline figure is written: count, pct (points), hours, rate, score, money.
HEADLINE_UNITS = {
    **dict.fromkeys(
        (
            "received",
            "resolved",
            "backlog",
            "reopened",
            "valid_complaints",
            "escalations",
            "breaches",
            "compensation_count",
        ),
        "count",
    ),
    **{name: "pct" for name in HEADLINE_FIELDS if name.endswith("_pct")},
    **{name: "hours" for name in HEADLINE_FIELDS if name.endswith("_hours")},
    "complaint_rate_per_million": "rate",
    "valid_rate_per_million": "rate",
    "survey_average_score": "score",
    "compensation_total": "money",
    "chargeback_total": "money",
}


# --- Labels for the page, exports and email -------------------------------------------------------------------------


def headline_label(name: str) -> str:
    """The translated caption of a headline figure (`received` → "Received")."""
    return str(_HEADLINE_LABELS.get(name, name))


def _choice_label(choices, key, fallback: str | None = None) -> str:
    try:
        return str(choices(key).label)
    except ValueError:
        return fallback if fallback is not None else str(key)


def category_label(key: str) -> str:
    return _choice_label(Category, key)


def channel_label(key: str) -> str:
    return _choice_label(Channel, key)


def clock_label(key: str) -> str:
    return _choice_label(Clock, key)


def level_label(key: int) -> str:
    return _choice_label(EscalationLevel, int(key))


def root_cause_label(key: str) -> str:
    """`""` (a resolution that did not say where the problem arose) reads "Not recorded"."""
    if not key:
        return _("Not recorded")
    return _choice_label(RootCauseArea, key)


def compensation_case_label(key: str) -> str:
    try:
        from complaints.compensation.choices import Case as CompensationCase
    except ImportError:  # pragma: no cover - without the compensation app
        return _choice_label(Category, key)
    return _choice_label(CompensationCase, key)


def carrier_label(carrier: Carrier | None, language: str | None = None) -> str:
    """`中通快递 / ZTO Express` in Chinese, `ZTO Express` in English; "No carrier" for complaints without one."""
    if carrier is None:
        return _("No carrier")
    from django.utils.translation import get_language

    language = language or get_language() or settings.LANGUAGE_CODE
    return f"{carrier.name_zh} / {carrier.name_en}" if language.startswith("zh") else carrier.name_en


def label_for(section: str, key: Any) -> str:
    """The label of a row's key in any section of the report, in the active language (for re-labelling a stored
    snapshot in the reader's language). Carriers are looked up by code."""
    if section == "by_carrier":
        return carrier_label(Carrier.objects.filter(code=key).first() if key else None)
    if section == "by_agent":
        user = User.objects.filter(username=key).first()
        return (user.get_full_name() or user.username) if user else str(key)
    return {
        "by_category": category_label,
        "by_channel": channel_label,
        "escalations_by_level": level_label,
        "breaches_by_clock": clock_label,
        "root_causes": root_cause_label,
        "compensation_by_case": compensation_case_label,
        "headline": headline_label,
    }[section](key)


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


def _percentiles_in_db() -> bool:
    return connection.vendor == "postgresql"


def reopen_q() -> Q:
    """Events that reopen a complaint: the reopen action, and a survey answer of 1-2 (which reopens by itself).
    The same condition as the partial index `event_reopening`, so PostgreSQL can use it."""
    return REOPENING


# The clocks' outcomes are recorded when each clock ends (complaints/outcomes.py): the first human reply sets
# `Complaint.first_response_met` (no first-response breach was recorded); a resolution records on its `resolved`
# event `clock_met` (no resolution breach in its cycle) and `cycle_started_at` (receipt or the latest reopening before
# it). The sweep only breaches running clocks, under the same lock, so these are the definitions of docs/metrics.md,
# read as plain columns instead of probing the breaches and reopenings of every row.
RESOLVED_ON_TIME = Q(kind=EventKind.RESOLVED, clock_met=True)


def _resolutions(start: datetime, end: datetime):
    """`resolved` events in [start, end) with their cycle start, duration (hours) and lateness."""
    return ComplaintEvent.objects.filter(kind=EventKind.RESOLVED, created_at__gte=start, created_at__lt=end).annotate(
        hours=HoursBetween(F("created_at"), F("cycle_started_at"))
    )


def _first_responses(start: datetime, end: datetime):
    """Complaints whose first human reply was in [start, end), with the hours it took and lateness."""
    return Complaint.objects.filter(first_response_at__gte=start, first_response_at__lt=end).annotate(
        hours=HoursBetween(F("first_response_at"), F("received_at"))
    )


def _week_of(value: datetime) -> IsoWeek:
    return IsoWeek.of(value)


# --- Arithmetic on figures ------------------------------------------------------------------------------------------


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _per_million(count: int, parcels: int | None) -> float | None:
    return round(count * 1_000_000 / parcels, 1) if parcels else None


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(float(value), digits)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))


def _change(name: str, value, previous):
    if value is None or previous is None:
        return None
    unit = HEADLINE_UNITS[name]
    if unit == "money":
        return _money(Decimal(value) - Decimal(previous))
    if unit == "count":
        return value - previous
    return round(value - previous, 2 if unit == "score" else 1)


def _entry(name: str, value, previous) -> dict:
    return {"value": value, "previous": previous, "change": _change(name, value, previous)}


# --- The computation ------------------------------------------------------------------------------------------------


def commitment() -> dict:
    """The published commitment: the targets of the catch-all SLA policy (no conditions), else 24 h / 72 h."""
    policy = (
        SlaPolicy.objects.filter(is_active=True, category="", priority="", channel="", risk="")
        .order_by("position", "id")
        .first()
    )
    if policy is None:
        return dict(DEFAULT_COMMITMENT)

    def plain(hours: Decimal):
        return int(hours) if hours == int(hours) else float(hours)

    return {
        "first_response_hours": plain(policy.first_response_hours),
        "resolution_hours": plain(policy.resolution_hours),
    }


def week_compute(*, week: IsoWeek, now: datetime | None = None, reuse_snapshots: bool = True) -> dict:
    """Compute one ISO week (in TIME_ZONE) for the whole operation and per carrier, category, channel and agent.
    JSON-serialisable; REPORT_SCHEMA.md describes the shape and docs/metrics.md every figure.

    The trend's weeks before the previous one are read from their stored WeeklyReport when there is one (what was
    reported then), unless `reuse_snapshots=False`; the week and the previous one are always computed."""
    now = now or timezone.now()
    # Weeks are the operation's (TIME_ZONE), whatever zone the caller's request activated.
    with timezone.override(settings.TIME_ZONE):
        if connection.vendor != "postgresql":
            return _week_compute(week, now, reuse_snapshots)
        return _week_compute_postgresql(week, now, reuse_snapshots)


def _week_compute_postgresql(week: IsoWeek, now: datetime, reuse_snapshots: bool) -> dict:
    with transaction.atomic():
        with connection.cursor() as cursor:
            # For this transaction only: JIT compilation costs more than it saves on these short aggregate queries
            # (seconds at 1M rows, docs/benchmarks.md); enough memory to group in a hash table rather than sort on
            # disk; and SSD costs, so the week's few rows are joined to their complaints by key rather than by
            # scanning every complaint (the default cost assumes spinning disks).
            cursor.execute("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'; SET LOCAL random_page_cost = 1.1")
        return _week_compute(week, now, reuse_snapshots)


def _stored_trend(weeks: list[IsoWeek]) -> dict[IsoWeek, dict]:
    """The trend entries stored snapshots give for their own week (the last entry of their trend)."""
    from reports.models import WeeklyReport

    stored = {}
    for iso_week, data in WeeklyReport.objects.filter(iso_week__in=[str(w) for w in weeks]).values_list(
        "iso_week", "data"
    ):
        entry = (data or {}).get("trend") or [{}]
        if data.get("schema") == SCHEMA_VERSION and entry[-1].get("week") == iso_week:
            stored[IsoWeek.parse(iso_week)] = entry[-1]
    return stored


def _week_compute(week: IsoWeek, now: datetime, reuse_snapshots: bool) -> dict:
    weeks = [week.previous(TREND_WEEKS - 1 - i) for i in range(TREND_WEEKS)]
    prev = week.previous()
    start, end, pstart = week.start, week.end, prev.start
    # Older trend weeks: from their snapshots. The queries cover the weeks from the oldest one without a snapshot.
    stored = _stored_trend(weeks[:-2]) if reuse_snapshots else {}
    computed_weeks = list(weeks)
    while computed_weeks[0] in stored:
        computed_weeks.pop(0)
    t0 = computed_weeks[0].start
    trend: dict[IsoWeek, dict] = {w: defaultdict(int) for w in computed_weeks}
    dims = ("carrier", "category", "channel")
    split: dict[str, dict] = {d: defaultdict(lambda: defaultdict(int)) for d in dims}
    # Received and valid complaints per carrier, for the rates of this week and the previous one.
    per_carrier: dict[IsoWeek, dict] = {w: defaultdict(lambda: defaultdict(int)) for w in (week, prev)}

    # 1. Complaints received: per week (trend), then per carrier/category/channel (this week and the previous one,
    #    for the rates).
    # (The trend queries cover the weeks before the previous one; the split queries cover the last two.)
    if t0 < pstart:
        for row in (
            Complaint.objects.filter(received_at__gte=t0, received_at__lt=pstart)
            .annotate(wk=TruncWeek("received_at"))
            .values("wk")
            .annotate(n=Count("id"))
            .order_by()
        ):
            trend[_week_of(row["wk"])]["received"] += row["n"]
    for row in (
        Complaint.objects.filter(received_at__gte=pstart, received_at__lt=end)
        .annotate(this=Case(When(received_at__gte=start, then=Value(True)), default=Value(False)))
        .values("this", "carrier_id", "category", "channel")
        .annotate(n=Count("id"))
        .order_by()
    ):
        w = week if row["this"] else prev
        trend[w]["received"] += row["n"]
        per_carrier[w][row["carrier_id"]]["received"] += row["n"]
        if w == week:
            for d, key in zip(dims, (row["carrier_id"], row["category"], row["channel"])):
                split[d][key]["received"] += row["n"]

    # 2. Resolutions, reopenings and escalations: per week (trend), then per carrier/category/channel (this week).
    counted = {
        "resolved": Count("id", filter=Q(kind=EventKind.RESOLVED)),
        "resolved_on_time": Count("id", filter=RESOLVED_ON_TIME),
        "valid": Count("id", filter=Q(kind=EventKind.RESOLVED) & Q(data__carrier_liable=True)),
        "reopened": Count("id", filter=reopen_q()),
        "escalations": Count("id", filter=Q(kind=EventKind.ESCALATED)),
    }

    def counted_events(since: datetime, until: datetime):
        kinds = (EventKind.RESOLVED, EventKind.REOPENED, EventKind.ESCALATED, EventKind.SURVEY_ANSWERED)
        # One range per kind, so PostgreSQL reads the (kind, created_at) index rather than every event of the weeks.
        in_range = Q()
        for kind in kinds:
            in_range |= Q(kind=kind, created_at__gte=since, created_at__lt=until)
        return ComplaintEvent.objects.filter(in_range)

    if t0 < pstart:
        for row in (
            counted_events(t0, pstart).annotate(wk=TruncWeek("created_at")).values("wk").annotate(**counted).order_by()
        ):
            w = _week_of(row["wk"])
            for name in counted:
                trend[w][name] += row[name]
    for row in (
        counted_events(pstart, end)
        .annotate(this=Case(When(created_at__gte=start, then=Value(True)), default=Value(False)))
        .values("this", "complaint__carrier_id", "complaint__category", "complaint__channel")
        .annotate(**counted)
        .order_by()
    ):
        w = week if row["this"] else prev
        for name in counted:
            trend[w][name] += row[name]
        per_carrier[w][row["complaint__carrier_id"]]["valid"] += row["valid"]
        if w == week:
            keys = (row["complaint__carrier_id"], row["complaint__category"], row["complaint__channel"])
            for d, key in zip(dims, keys):
                for name in counted:
                    split[d][key][name] += row[name]

    # 3. First responses given: per week and per carrier (on time = that clock never breached).
    for row in (
        Complaint.objects.filter(first_response_at__gte=t0, first_response_at__lt=end)
        .annotate(
            wk=TruncWeek("first_response_at"),
            this=Case(When(first_response_at__gte=start, then="carrier_id"), default=None),
        )
        .values("wk", "this")
        .annotate(n=Count("id"), on_time=Count("id", filter=Q(first_response_met=True)))
        .order_by()
    ):
        w = _week_of(row["wk"])
        trend[w]["first_responses"] += row["n"]
        trend[w]["first_response_on_time"] += row["on_time"]
        if w == week:
            split["carrier"][row["this"]]["first_response_on_time"] += row["on_time"]

    # 4. Breaches (placed in the week of the due time they missed): per week and clock, then per carrier.
    breaches_by_clock: dict[str, int] = defaultdict(int)
    for row in (
        ClockAlert.objects.filter(kind=AlertKind.BREACH, due_at__gte=t0, due_at__lt=end)
        .annotate(wk=TruncWeek("due_at"))
        .values("wk", "clock")
        .annotate(n=Count("id"))
        .order_by()
    ):
        w = _week_of(row["wk"])
        trend[w]["breaches"] += row["n"]
        trend[w][f"missed_{row['clock']}"] += row["n"]
        if w == week:
            breaches_by_clock[row["clock"]] += row["n"]
    for row in (
        ClockAlert.objects.filter(
            kind=AlertKind.BREACH, due_at__gte=start, due_at__lt=end, clock__in=(Clock.FIRST_RESPONSE, Clock.RESOLUTION)
        )
        .values("clock", "complaint__carrier_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        split["carrier"][row["complaint__carrier_id"]][f"missed_{row['clock']}"] += row["n"]

    # 5. Survey answers: per week.
    for row in (
        SurveyResponse.objects.filter(answered_at__gte=t0, answered_at__lt=end)
        .annotate(wk=TruncWeek("answered_at"))
        .values("wk")
        .annotate(n=Count("id"), low=Count("id", filter=Q(score__in=LOW_SCORES)), total=Coalesce(Sum("score"), 0))
        .order_by()
    ):
        w = _week_of(row["wk"])
        trend[w]["answers"] += row["n"]
        trend[w]["low_answers"] += row["low"]
        trend[w]["score_total"] += row["total"]

    # 6. Backlog at week end: open now, minus received since, plus resolutions since, minus reopenings since
    #    (each complaint's resolutions minus reopenings is 1 when it is resolved or closed, else 0).
    backlog_split: dict[str, dict] = {d: defaultdict(int) for d in (*dims, "owner")}
    backlog_total = 0
    for row in (
        Complaint.objects.filter(Q(status__in=OPEN_STATUSES) | Q(received_at__gte=end))
        .values("carrier_id", "category", "channel", "owner_id")
        .annotate(n=Count("id", filter=Q(status__in=OPEN_STATUSES)) - Count("id", filter=Q(received_at__gte=end)))
        .order_by()
    ):
        backlog_total += row["n"]
        for d, key in zip((*dims, "owner"), (row["carrier_id"], row["category"], row["channel"], row["owner_id"])):
            backlog_split[d][key] += row["n"]
    for row in (
        ComplaintEvent.objects.filter(created_at__gte=end)
        .filter(Q(kind=EventKind.RESOLVED) | reopen_q())
        .values("complaint__carrier_id", "complaint__category", "complaint__channel", "complaint__owner_id")
        .annotate(n=Count("id", filter=Q(kind=EventKind.RESOLVED)) - Count("id", filter=reopen_q()))
        .order_by()
    ):
        backlog_total += row["n"]
        keys = (
            row["complaint__carrier_id"],
            row["complaint__category"],
            row["complaint__channel"],
            row["complaint__owner_id"],
        )
        for d, key in zip((*dims, "owner"), keys):
            backlog_split[d][key] += row["n"]
    # Earlier weeks' backlogs follow from the flows: backlog(before) = backlog(after) - received + resolved - reopened.
    backlog = backlog_total
    for w in reversed(computed_weeks):
        trend[w]["backlog"] = backlog
        backlog = backlog - trend[w]["received"] + trend[w]["resolved"] - trend[w]["reopened"]

    # 7. Durations: median and 90th percentile, this week and the previous one.
    durations = _durations(week, prev)

    # 8. Omissions (due progress updates and revisits missed) and the survey response rate.
    omission = _omissions(week, prev, now=now)

    # 9. Escalations by level and root causes, this week.
    levels = dict.fromkeys((EscalationLevel.SUPERVISOR.value, EscalationLevel.CENTRE.value), 0)
    for row in (
        ComplaintEvent.objects.filter(kind=EventKind.ESCALATED, created_at__gte=start, created_at__lt=end)
        .values(level=KT("data__to_level"))
        .annotate(n=Count("id"))
        .order_by()
    ):
        levels[int(row["level"])] = levels.get(int(row["level"]), 0) + row["n"]
    root_causes = [
        {
            "key": row["area"] or "",
            "label": root_cause_label(row["area"] or ""),
            "count": row["n"],
            "valid": row["valid"],
        }
        for row in (
            ComplaintEvent.objects.filter(kind=EventKind.RESOLVED, created_at__gte=start, created_at__lt=end)
            .values(area=KT("data__root_cause_area"))
            .annotate(n=Count("id"), valid=Count("id", filter=Q(data__carrier_liable=True)))
            .order_by()
        )
    ]
    root_causes.sort(key=lambda r: (-r["count"], r["key"]))

    # 10. Parcel volumes, this week and the previous one.
    parcels: dict[IsoWeek, dict[int, int]] = {week: {}, prev: {}}
    for carrier_id, monday, count in ParcelVolume.objects.filter(week_start__in=(week.monday, prev.monday)).values_list(
        "carrier_id", "week_start", "parcels"
    ):
        parcels[IsoWeek.of(monday)][carrier_id] = count

    # 11. Per agent.
    agents = _agents(week)

    # 12. Compensation and chargebacks (issue 5's claims), this week and the previous one.
    compensation = _compensation(week, prev)

    # --- Assembling -------------------------------------------------------------------------------------------------
    def rate_for(w: IsoWeek, name: str) -> float | None:
        """Complaints (or valid ones) per million parcels, over the carriers that reported a volume."""
        volumes = parcels[w]
        if not volumes or not sum(volumes.values()):
            return None
        counts = per_carrier[w]
        return _per_million(sum(counts[cid][name] for cid in volumes), sum(volumes.values()))

    def met(t: dict, on_time: str, missed: str) -> float | None:
        return _pct(t[on_time], t[on_time] + t[missed])

    def week_figures(w: IsoWeek) -> dict:
        t = trend[w]
        return {
            "received": t["received"],
            "resolved": t["resolved"],
            "backlog": t["backlog"],
            "reopened": t["reopened"],
            "first_response_met_pct": met(t, "first_response_on_time", f"missed_{Clock.FIRST_RESPONSE}"),
            "resolution_met_pct": met(t, "resolved_on_time", f"missed_{Clock.RESOLUTION}"),
            "dissatisfaction_rate_pct": _pct(t["low_answers"], t["answers"]),
        }

    this, before = week_figures(week), week_figures(prev)
    for w, figures in ((week, this), (prev, before)):
        t = trend[w]
        figures.update(
            {
                "first_response_median_hours": durations[w]["first_response"][0],
                "first_response_p90_hours": durations[w]["first_response"][1],
                "resolution_median_hours": durations[w]["resolution"][0],
                "resolution_p90_hours": durations[w]["resolution"][1],
                "complaint_rate_per_million": rate_for(w, "received"),
                "omission_rate_pct": omission[w]["omission_rate_pct"],
                "survey_response_rate_pct": omission[w]["survey_response_rate_pct"],
                "survey_average_score": round(t["score_total"] / t["answers"], 2) if t["answers"] else None,
                "valid_complaints": t["valid"],
                "valid_rate_per_million": rate_for(w, "valid"),
                "escalations": t["escalations"],
                "breaches": t["breaches"],
                "compensation_count": compensation[w]["count"],
                "compensation_total": compensation[w]["total"],
                "chargeback_total": compensation[w]["chargebacks"],
            }
        )

    carriers = {c.pk: c for c in Carrier.objects.all()}
    by_carrier = []
    carrier_ids = (
        set(split["carrier"])
        | {k for k, v in backlog_split["carrier"].items() if v}
        | set(parcels[week])
        | set(compensation["by_carrier"])
    )
    for cid in carrier_ids:
        s = split["carrier"][cid]
        volume = parcels[week].get(cid)
        comp = compensation["by_carrier"].get(cid, {})
        by_carrier.append(
            {
                "key": carriers[cid].code if cid in carriers else "",
                "label": carrier_label(carriers.get(cid)),
                "received": s["received"],
                "resolved": s["resolved"],
                "backlog": backlog_split["carrier"][cid],
                "reopened": s["reopened"],
                "parcels": volume,
                "complaint_rate_per_million": _per_million(s["received"], volume),
                "valid_complaints": s["valid"],
                "valid_rate_per_million": _per_million(s["valid"], volume),
                "first_response_met_pct": met(s, "first_response_on_time", f"missed_{Clock.FIRST_RESPONSE}"),
                "resolution_met_pct": met(s, "resolved_on_time", f"missed_{Clock.RESOLUTION}"),
                "escalations": s["escalations"],
                "compensation_count": comp.get("count", 0 if compensation["available"] else None),
                "compensation_total": comp.get("total", _money(Decimal(0)) if compensation["available"] else None),
                "chargeback_total": comp.get("chargebacks", _money(Decimal(0)) if compensation["available"] else None),
            }
        )
    by_carrier.sort(key=lambda r: (-r["received"], -r["backlog"], r["key"]))

    def simple_split(d: str, label) -> list[dict]:
        keys = set(split[d]) | {k for k, v in backlog_split[d].items() if v}
        rows = [
            {
                "key": k,
                "label": label(k),
                "received": split[d][k]["received"],
                "resolved": split[d][k]["resolved"],
                "backlog": backlog_split[d][k],
                "reopened": split[d][k]["reopened"],
            }
            for k in keys
        ]
        rows = [r for r in rows if r["received"] or r["resolved"] or r["backlog"] or r["reopened"]]
        return sorted(rows, key=lambda r: (-r["received"], -r["backlog"], r["key"]))

    by_agent = []
    owner_backlog = backlog_split["owner"]
    agent_ids = set(agents) | {k for k, v in owner_backlog.items() if v and k is not None}
    users = {u.pk: u for u in User.objects.filter(pk__in=agent_ids, carrier__isnull=True)}
    for uid in agent_ids:
        if uid not in users:
            continue
        a = agents.get(uid, defaultdict(int))
        by_agent.append(
            {
                "key": users[uid].username,
                "label": users[uid].get_full_name() or users[uid].username,
                "resolved": a["resolved"],
                "backlog": owner_backlog.get(uid, 0),
                "reopened": a["reopened"],
                "first_response_met_pct": _pct(a["first_response_on_time"], a["first_responses"]),
                "resolution_met_pct": _pct(a["resolved_on_time"], a["resolved"]),
            }
        )
    by_agent.sort(key=lambda r: (-r["resolved"], -r["backlog"], r["key"]))

    return {
        "schema": SCHEMA_VERSION,
        "week": str(week),
        "start": start.isoformat(),
        "end": end.isoformat(),
        "time_zone": settings.TIME_ZONE,
        "computed_at": now.isoformat(),
        "previous_week": str(prev),
        "commitment": commitment(),
        "headline": {name: _entry(name, this[name], before[name]) for name in HEADLINE_FIELDS},
        "by_carrier": by_carrier,
        "by_category": simple_split("category", category_label),
        "by_channel": simple_split("channel", channel_label),
        "by_agent": by_agent,
        "escalations_by_level": [
            {"key": level, "label": level_label(level), "count": n} for level, n in sorted(levels.items())
        ],
        "breaches_by_clock": [
            {"key": clock, "label": clock_label(clock), "count": breaches_by_clock.get(clock, 0)}
            for clock in Clock.values
            if clock != Clock.PROGRESS
        ],
        "compensation_by_case": compensation["by_case"],
        "root_causes": root_causes,
        "trend": [stored[w] if w in stored else {"week": str(w), **week_figures(w)} for w in weeks],
    }


def _durations(week: IsoWeek, prev: IsoWeek) -> dict[IsoWeek, dict[str, tuple]]:
    """(median, p90) hours of first responses and of resolutions, for the two weeks."""
    result = {w: {} for w in (week, prev)}
    sources = {
        "first_response": (_first_responses(prev.start, week.end), "first_response_at"),
        "resolution": (_resolutions(prev.start, week.end), "created_at"),
    }
    for name, (rows, moment) in sources.items():
        this_week = Q(**{f"{moment}__gte": week.start})
        if _percentiles_in_db():
            figures = rows.aggregate(
                m=PercentileCont("hours", 0.5, filter=this_week),
                p=PercentileCont("hours", 0.9, filter=this_week),
                pm=PercentileCont("hours", 0.5, filter=~this_week),
                pp=PercentileCont("hours", 0.9, filter=~this_week),
            )
            result[week][name] = (_round(figures["m"]), _round(figures["p"]))
            result[prev][name] = (_round(figures["pm"]), _round(figures["pp"]))
        else:
            values: dict[bool, list[float]] = {True: [], False: []}
            for is_this, hours in (
                rows.annotate(this=Case(When(this_week, then=Value(True)), default=Value(False)))
                .order_by("hours")
                .values_list("this", "hours")
            ):
                values[bool(is_this)].append(hours)
            for w, key in ((week, True), (prev, False)):
                result[w][name] = (_round(percentile_cont(values[key], 0.5)), _round(percentile_cont(values[key], 0.9)))
    return result


def _omissions(week: IsoWeek, prev: IsoWeek, *, now: datetime) -> dict[IsoWeek, dict]:
    """Omission rate and survey response rate for the two weeks (docs/metrics.md)."""
    late_after = now - OMISSION_GRACE
    kinds = (MessageKind.PROGRESS_UPDATE, MessageKind.SURVEY)
    missed = (
        Q(state=MessageState.FAILED)
        | Q(sent_at__isnull=True, due_at__lt=late_after)
        | Q(sent_at__gt=F("due_at") + OMISSION_GRACE)
    )
    answered = Exists(
        SurveyResponse.objects.filter(complaint=OuterRef("complaint"))
        .annotate(period=Concat(Value("cycle"), Cast("cycle", CharField())))
        .filter(period=OuterRef("period"))
    )
    aggregates = {}
    for tag, w in (("w", week), ("p", prev)):
        due = Q(kind__in=kinds, due_at__gte=w.start, due_at__lt=w.end)
        sent = Q(kind=MessageKind.SURVEY, state=MessageState.SENT, sent_at__gte=w.start, sent_at__lt=w.end)
        aggregates[f"{tag}_due"] = Count("id", filter=due)
        aggregates[f"{tag}_missed"] = Count("id", filter=due & missed)
        aggregates[f"{tag}_surveys"] = Count("id", filter=sent)
        aggregates[f"{tag}_answered"] = Count("id", filter=sent & Q(answered=True))
    messages = (
        OutboundMessage.objects.filter(kind__in=kinds)
        .filter(Q(due_at__gte=prev.start, due_at__lt=week.end) | Q(sent_at__gte=prev.start, sent_at__lt=week.end))
        .annotate(answered=answered)
        .aggregate(**aggregates)
    )
    # Obligations never planned at all (the planners were not running): still pending on the complaint.
    unplanned_aggregates = {}
    for tag, w in (("w", week), ("p", prev)):
        unplanned_aggregates[tag] = Count(
            "id",
            filter=(
                Q(
                    status__in=OPEN_STATUSES,
                    sla_policy__isnull=False,
                    progress_due_at__gte=w.start,
                    progress_due_at__lt=min(w.end, late_after),
                )
                | Q(status=Status.RESOLVED, revisit_due_at__gte=w.start, revisit_due_at__lt=min(w.end, late_after))
            ),
        )
    unplanned = Complaint.objects.filter(
        Q(status__in=OPEN_STATUSES, progress_due_at__gte=prev.start, progress_due_at__lt=week.end)
        | Q(status=Status.RESOLVED, revisit_due_at__gte=prev.start, revisit_due_at__lt=week.end)
    ).aggregate(**unplanned_aggregates)
    result = {}
    for tag, w in (("w", week), ("p", prev)):
        due = messages[f"{tag}_due"] + unplanned[tag]
        missed_count = messages[f"{tag}_missed"] + unplanned[tag]
        result[w] = {
            "omission_rate_pct": _pct(missed_count, due),
            "survey_response_rate_pct": _pct(messages[f"{tag}_answered"], messages[f"{tag}_surveys"]),
        }
    return result


def _agents(week: IsoWeek) -> dict[int, dict]:
    """Per staff member: resolutions made, first responses given (and on time), reopenings of their resolutions."""
    start, end = week.start, week.end
    agents: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    resolutions = (
        ComplaintEvent.objects.filter(
            created_at__gte=start, created_at__lt=end, actor__isnull=False, actor__carrier__isnull=True
        )
        .filter(
            Q(kind=EventKind.RESOLVED) | Q(kind=EventKind.PUBLIC_REPLY, created_at=F("complaint__first_response_at"))
        )
        .values("actor_id")
        .annotate(
            resolved=Count("id", filter=Q(kind=EventKind.RESOLVED)),
            resolved_on_time=Count("id", filter=RESOLVED_ON_TIME),
            first_responses=Count("id", filter=Q(kind=EventKind.PUBLIC_REPLY)),
            first_response_on_time=Count(
                "id", filter=Q(kind=EventKind.PUBLIC_REPLY, complaint__first_response_met=True)
            ),
        )
        .order_by()
    )
    for row in resolutions:
        for name in ("resolved", "resolved_on_time", "first_responses", "first_response_on_time"):
            agents[row["actor_id"]][name] += row[name]
    resolver = (
        ComplaintEvent.objects.filter(
            kind=EventKind.RESOLVED, complaint=OuterRef("complaint"), created_at__lt=OuterRef("created_at")
        )
        .order_by("-created_at", "-id")
        .values("actor_id")[:1]
    )
    for row in (
        ComplaintEvent.objects.filter(reopen_q(), created_at__gte=start, created_at__lt=end)
        .annotate(resolver=Subquery(resolver))
        .values("resolver")
        .annotate(n=Count("id"))
        .order_by()
    ):
        if row["resolver"] is not None:
            agents[row["resolver"]]["reopened"] += row["n"]
    return agents


def _compensation(week: IsoWeek, prev: IsoWeek) -> dict:
    """Claims approved or paid whose decision is in the week (count, approved total) by case and carrier, and
    chargebacks recorded in the week by carrier. Unknown (None) if the compensation app is not installed."""
    from django.apps import apps

    if not apps.is_installed("complaints.compensation"):
        return {
            "available": False,
            "by_carrier": {},
            "by_case": [],
            week: {"count": None, "total": None, "chargebacks": None},
            prev: {"count": None, "total": None, "chargebacks": None},
        }
    from complaints.compensation.choices import ClaimState
    from complaints.compensation.models import Chargeback, CompensationClaim

    zero = Decimal("0.00")
    figures = {w: {"count": 0, "total": zero, "chargebacks": zero} for w in (week, prev)}
    by_carrier: dict = defaultdict(lambda: {"count": 0, "total": zero, "chargebacks": zero})
    by_case: dict = defaultdict(lambda: {"count": 0, "total": zero})
    this_week = Case(When(decided_at__gte=week.start, then=Value(True)), default=Value(False))
    for row in (
        CompensationClaim.objects.filter(
            state__in=(ClaimState.APPROVED, ClaimState.PAID), decided_at__gte=prev.start, decided_at__lt=week.end
        )
        .annotate(this=this_week)
        .values("this", "case", "complaint__carrier_id")
        .annotate(n=Count("id"), total=Coalesce(Sum("approved_amount"), zero))
        .order_by()
    ):
        w = week if row["this"] else prev
        figures[w]["count"] += row["n"]
        figures[w]["total"] += row["total"]
        if w == week:
            by_carrier[row["complaint__carrier_id"]]["count"] += row["n"]
            by_carrier[row["complaint__carrier_id"]]["total"] += row["total"]
            by_case[row["case"]]["count"] += row["n"]
            by_case[row["case"]]["total"] += row["total"]
    for row in (
        Chargeback.objects.filter(recorded_at__gte=prev.start, recorded_at__lt=week.end)
        .annotate(this=Case(When(recorded_at__gte=week.start, then=Value(True)), default=Value(False)))
        .values("this", "carrier_id")
        .annotate(total=Coalesce(Sum("amount"), zero))
        .order_by()
    ):
        w = week if row["this"] else prev
        figures[w]["chargebacks"] += row["total"]
        if w == week:
            by_carrier[row["carrier_id"]]["chargebacks"] += row["total"]
    cases = sorted(by_case.items(), key=lambda item: (-item[1]["count"], item[0]))
    return {
        "available": True,
        "by_carrier": {
            cid: {"count": v["count"], "total": _money(v["total"]), "chargebacks": _money(v["chargebacks"])}
            for cid, v in by_carrier.items()
        },
        "by_case": [
            {"key": key, "label": compensation_case_label(key), "count": v["count"], "total": _money(v["total"])}
            for key, v in cases
        ],
        **{
            w: {"count": f["count"], "total": _money(f["total"]), "chargebacks": _money(f["chargebacks"])}
            for w, f in figures.items()
        },
    }
