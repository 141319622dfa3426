"""One week's report, assembled from its sections: volumes, clocks, surveys, rates, the regulator's view, root
causes, agents, carriers, compensation and the canned replies used (one module each in reports.metrics).
docs/metrics.md defines every figure.

The result (stored in WeeklyReport.data) is a JSON-serialisable dict: `schema`, `week`, `start`, `end`,
`time_zone`, `computed_at`, `previous_week`, `commitment`; `headline` ({figure: {value, previous, change}} for
HEADLINE_FIELDS); the breakdowns `by_carrier`, `by_category`, `by_channel`, `by_agent`, `escalations_by_level`,
`breaches_by_clock`, `compensation_by_case`, `root_causes`, `macros_used` (lists of rows with `key` and `label`); and
`trend`, the twelve weeks ending with this one."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from complaints.choices import Clock
from reports.metrics.agents import agent_rows, agents_count
from reports.metrics.carriers import carrier_rows
from reports.metrics.clocks import breaches_count, breaches_rows, commitment, durations, first_responses_count
from reports.metrics.common import HEADLINE_FIELDS, SCHEMA_VERSION, TREND_WEEKS, Tally, aggregates_tune, entry, met, pct
from reports.metrics.compensation import compensation_count
from reports.metrics.macros import macro_rows
from reports.metrics.rates import operation_rate, parcel_volumes
from reports.metrics.regulator import escalation_levels, valid_count
from reports.metrics.rolled import rolled_count, rolled_weeks
from reports.metrics.root_causes import root_cause_rows
from reports.metrics.surveys import answers_count, average_score, omissions
from reports.metrics.volumes import backlog_count, events_count, received_count, split_rows
from reports.models import WeeklyReport
from reports.routers import report_reads
from reports.weeks import IsoWeek


def week_compute(
    *, week: IsoWeek, now: datetime | None = None, reuse_snapshots: bool = True, use_rollup: bool = True
) -> dict:
    """Compute one ISO week (in TIME_ZONE) for the whole operation and per carrier, category, channel and agent.

    The trend's weeks before the previous one are read from their stored WeeklyReport when there is one (what was
    reported then), unless `reuse_snapshots=False`; the week and the previous one are always computed. The flows of
    the weeks the daily roll-up covers are read from it (reports/rollup.py), unless `use_rollup=False`: the same
    figures, counted from the rows."""
    now = now or timezone.now()
    # Weeks are the operation's (TIME_ZONE), whatever zone the caller's request activated. Every read goes to the
    # reports database: the read replica when there is one (reports/routers.py).
    with timezone.override(settings.TIME_ZONE), report_reads() as database:
        connection = connections[database]
        if connection.vendor != "postgresql":
            return _compute(week, now, reuse_snapshots, use_rollup)
        with transaction.atomic(using=database):
            aggregates_tune(connection)
            return _compute(week, now, reuse_snapshots, use_rollup)


def stored_trend(weeks: list[IsoWeek]) -> dict[IsoWeek, dict]:
    """The trend entries stored snapshots give for their own week (the last entry of their trend)."""
    stored = {}
    for iso_week, data in WeeklyReport.objects.filter(iso_week__in=[str(w) for w in weeks]).values_list(
        "iso_week", "data"
    ):
        last = (data or {}).get("trend") or [{}]
        if data.get("schema") == SCHEMA_VERSION and last[-1].get("week") == iso_week:
            stored[IsoWeek.parse(iso_week)] = last[-1]
    return stored


def trend_figures(counts: dict) -> dict:
    """The figures of a week the trend shows (and the headline's first ones)."""
    return {
        "received": counts["received"],
        "resolved": counts["resolved"],
        "backlog": counts["backlog"],
        "reopened": counts["reopened"],
        "first_response_met_pct": met(counts, "first_response_on_time", f"missed_{Clock.FIRST_RESPONSE}"),
        "resolution_met_pct": met(counts, "resolved_on_time", f"missed_{Clock.RESOLUTION}"),
        "dissatisfaction_rate_pct": pct(counts["low_answers"], counts["answers"]),
    }


def _compute(week: IsoWeek, now: datetime, reuse_snapshots: bool, use_rollup: bool) -> dict:
    weeks = [week.previous(TREND_WEEKS - 1 - i) for i in range(TREND_WEEKS)]
    prev = week.previous()
    # Older trend weeks: from their snapshots. The queries cover the weeks from the oldest one without a snapshot.
    stored = stored_trend(weeks[:-2]) if reuse_snapshots else {}
    computed_weeks = list(weeks)
    while computed_weeks[0] in stored:
        computed_weeks.pop(0)
    tally = Tally(
        week=week,
        weeks=computed_weeks,
        rolled=rolled_weeks(computed_weeks, week=week, now=now) if use_rollup else set(),
    )

    received_count(tally)
    events_count(tally)
    valid_count(tally)
    first_responses_count(tally)
    breaches_by_clock = {**breaches_count(tally), **rolled_count(tally)}
    answers_count(tally)
    backlog_count(tally)  # after the flows: earlier weeks' backlogs follow from them
    hours = durations(week, prev)
    missed = omissions(week, prev, now=now)
    parcels = parcel_volumes(week, prev)
    money = compensation_count(week, prev)

    def headline_figures(w: IsoWeek) -> dict:
        counts = tally.trend[w]

        def rate(name: str) -> float | None:
            return operation_rate(tally.per_carrier[w], parcels[w], name)

        return {
            **trend_figures(counts),
            "first_response_median_hours": hours[w]["first_response"][0],
            "first_response_p90_hours": hours[w]["first_response"][1],
            "resolution_median_hours": hours[w]["resolution"][0],
            "resolution_p90_hours": hours[w]["resolution"][1],
            "complaint_rate_per_million": rate("received"),
            "omission_rate_pct": missed[w]["omission_rate_pct"],
            "survey_response_rate_pct": missed[w]["survey_response_rate_pct"],
            "survey_average_score": average_score(counts),
            "valid_complaints": counts["valid"],
            "valid_rate_per_million": rate("valid"),
            "regulator_valid_complaints": counts["regulator_valid"],
            "regulator_valid_rate_per_million": rate("regulator_valid"),
            "escalations": counts["escalations"],
            "breaches": counts["breaches"],
            "compensation_count": money[w]["count"],
            "compensation_total": money[w]["total"],
            "chargeback_total": money[w]["chargebacks"],
        }

    this, before = headline_figures(week), headline_figures(prev)
    return {
        "schema": SCHEMA_VERSION,
        "week": str(week),
        "start": week.start.isoformat(),
        "end": week.end.isoformat(),
        "time_zone": settings.TIME_ZONE,
        "computed_at": now.isoformat(),
        "previous_week": str(prev),
        "commitment": commitment(),
        "headline": {name: entry(name, this[name], before[name]) for name in HEADLINE_FIELDS},
        "by_carrier": carrier_rows(tally, parcels[week], money),
        "by_category": split_rows(tally, "category"),
        "by_channel": split_rows(tally, "channel"),
        "by_agent": agent_rows(tally, agents_count(week, rolled=week in tally.rolled)),
        "escalations_by_level": escalation_levels(week, rolled=week in tally.rolled),
        "breaches_by_clock": breaches_rows(breaches_by_clock),
        "compensation_by_case": money["by_case"],
        "root_causes": root_cause_rows(week, rolled=week in tally.rolled),
        "macros_used": macro_rows(week, rolled=week in tally.rolled),
        "trend": [stored[w] if w in stored else {"week": str(w), **trend_figures(tally.trend[w])} for w in weeks],
    }
