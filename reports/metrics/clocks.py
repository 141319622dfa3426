"""The clocks against the commitment: first responses on time, breaches by the week of the due time they missed,
median and 90th-percentile durations, and the published commitment (docs/metrics.md, "The clocks against the
commitment")."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Case, Count, Q, Value, When
from django.db.models.functions import TruncWeek

from complaints.choices import AlertKind, Clock
from complaints.models import ClockAlert, Complaint, SlaPolicy
from reports.metrics.common import (
    PercentileCont,
    Tally,
    counted_complaints,
    counted_rows,
    first_responses,
    percentile_cont,
    percentiles_in_db,
    resolutions,
    rounded,
    span,
    week_of,
)
from reports.metrics.labels import clock_label
from reports.weeks import IsoWeek

# The published commitment when no catch-all policy exists (docs/domain.md: 24 h first response, 72 h resolution).
DEFAULT_COMMITMENT = {"first_response_hours": 24, "resolution_hours": 72}


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


def first_responses_count(tally: Tally) -> None:
    """First responses given: per week, and this week's on time per carrier (on time = that clock never breached)."""
    week, direct = tally.week, tally.direct
    if not direct:
        return
    start, end = span(direct)
    for row in (
        Complaint.objects.filter(counted_complaints(), first_response_at__gte=start, first_response_at__lt=end)
        .annotate(
            wk=TruncWeek("first_response_at"),
            this=Case(When(first_response_at__gte=week.start, then="carrier_id"), default=None),
        )
        .values("wk", "this")
        .annotate(n=Count("id"), on_time=Count("id", filter=Q(first_response_met=True)))
        .order_by()
    ):
        w = week_of(row["wk"])
        if w not in direct:
            continue
        tally.trend[w]["first_responses"] += row["n"]
        tally.trend[w]["first_response_on_time"] += row["on_time"]
        if w == week:
            tally.split["carrier"][row["this"]]["first_response_on_time"] += row["on_time"]


def breaches_count(tally: Tally) -> dict[str, int]:
    """Breaches, placed in the week of the due time they missed: per week and clock (`missed_<clock>` in the trend),
    this week's first-response and resolution breaches per carrier. Returns this week's breaches by clock."""
    week, direct = tally.week, tally.direct
    by_clock: dict[str, int] = defaultdict(int)
    if not direct:
        return by_clock
    start, end = span(direct)
    for row in (
        ClockAlert.objects.filter(counted_rows(), kind=AlertKind.BREACH, due_at__gte=start, due_at__lt=end)
        .annotate(wk=TruncWeek("due_at"))
        .values("wk", "clock")
        .annotate(n=Count("id"))
        .order_by()
    ):
        w = week_of(row["wk"])
        if w not in direct:
            continue
        tally.trend[w]["breaches"] += row["n"]
        tally.trend[w][f"missed_{row['clock']}"] += row["n"]
        if w == week:
            by_clock[row["clock"]] += row["n"]
    if not tally.recent_direct:
        return by_clock
    for row in (
        ClockAlert.objects.filter(
            counted_rows(),
            kind=AlertKind.BREACH,
            due_at__gte=week.start,
            due_at__lt=week.end,
            clock__in=(Clock.FIRST_RESPONSE, Clock.RESOLUTION),
        )
        .values("clock", "complaint__carrier_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        tally.split["carrier"][row["complaint__carrier_id"]][f"missed_{row['clock']}"] += row["n"]
    return by_clock


def breaches_rows(by_clock: dict[str, int]) -> list[dict]:
    """`breaches_by_clock`: every clock that can be breached, in the state map's order (the progress clock sends an
    update instead of breaching)."""
    return [
        {"key": clock, "label": clock_label(clock), "count": by_clock.get(clock, 0)}
        for clock in Clock.values
        if clock != Clock.PROGRESS
    ]


def durations(week: IsoWeek, prev: IsoWeek) -> dict[IsoWeek, dict[str, tuple]]:
    """(median, p90) hours of first responses and of resolutions, for the two weeks."""
    result: dict[IsoWeek, dict[str, tuple]] = {w: {} for w in (week, prev)}
    sources = {
        "first_response": (first_responses(prev.start, week.end), "first_response_at"),
        "resolution": (resolutions(prev.start, week.end), "created_at"),
    }
    for name, (rows, moment) in sources.items():
        this_week = Q(**{f"{moment}__gte": week.start})
        if percentiles_in_db():
            figures = rows.aggregate(
                m=PercentileCont("hours", 0.5, filter=this_week),
                p=PercentileCont("hours", 0.9, filter=this_week),
                pm=PercentileCont("hours", 0.5, filter=~this_week),
                pp=PercentileCont("hours", 0.9, filter=~this_week),
            )
            result[week][name] = (rounded(figures["m"]), rounded(figures["p"]))
            result[prev][name] = (rounded(figures["pm"]), rounded(figures["pp"]))
        else:
            values: dict[bool, list[float]] = {True: [], False: []}
            for is_this, hours in (
                rows.annotate(this=Case(When(this_week, then=Value(True)), default=Value(False)))
                .order_by("hours")
                .values_list("this", "hours")
            ):
                values[bool(is_this)].append(hours)
            for w, key in ((week, True), (prev, False)):
                result[w][name] = (
                    rounded(percentile_cont(values[key], 0.5)),
                    rounded(percentile_cont(values[key], 0.9)),
                )
    return result
