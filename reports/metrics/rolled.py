"""The weeks the daily roll-up covers (reports/rollup.py), and their flows read from it: the same counts the sections
take from the rows (reports.metrics.volumes, clocks, surveys), summed over a few hundred DailyFlow rows a week."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Case, Sum, Value, When

from complaints.choices import Clock
from complaints.models import FiguresRecount
from reports.metrics.common import DIMS, Tally
from reports.metrics.daily import SETTLE
from reports.metrics.regulator import VALID
from reports.metrics.volumes import COUNTED
from reports.models import DailyFlow, RollupProgress
from reports.weeks import IsoWeek

# The clocks that breach (the progress clock sends an update instead), and DailyFlow's columns of a day's flows.
BREACH_FIELDS = {clock: f"missed_{clock}" for clock in Clock.values if clock != Clock.PROGRESS}
FLOW_FIELDS = (
    "received",
    *COUNTED,
    "first_responses",
    "first_response_on_time",
    "answers",
    "low_answers",
    "score_total",
    *VALID,
    *BREACH_FIELDS.values(),
)
# This week's split, as the sections make it: every flow per carrier, category and channel; the clocks per carrier.
SPLIT_ALL = ("received", *COUNTED)
SPLIT_CARRIER = ("first_response_on_time", "missed_first_response", "missed_resolution", *VALID)


def rolled_weeks(weeks: list[IsoWeek], *, week: IsoWeek, now: datetime) -> set[IsoWeek]:
    """The weeks of `weeks` whose seven days are all counted in the roll-up with none waiting to be counted again,
    and over for SETTLE at `now` (a report computed as of an earlier moment counts later weeks from the rows). The
    week and the previous one come from the roll-up together or not at all (one query splits both)."""
    rolled_until = RollupProgress.objects.filter(pk=1).values_list("rolled_until", flat=True).first()
    if rolled_until is None or not weeks:
        return set()
    stale = set(
        FiguresRecount.objects.filter(day__gte=weeks[0].monday, day__lt=rolled_until).values_list("day", flat=True)
    )
    rolled = {
        w
        for w in weeks
        if w.monday + timedelta(days=6) < rolled_until
        and w.end + SETTLE <= now
        and not any(w.monday + timedelta(days=i) in stale for i in range(7))
    }
    if not {week, week.previous()} <= rolled:
        rolled -= {week, week.previous()}
    return rolled


def rolled_count(tally: Tally) -> dict[str, int]:
    """Add the rolled weeks' flows to the tally; returns this week's breaches by clock when the week is rolled."""
    weeks = [w for w in tally.weeks if w in tally.rolled]
    if not weeks:
        return {}
    sums = {name: Sum(name) for name in FLOW_FIELDS}
    for row in (
        DailyFlow.objects.filter(day__gte=weeks[0].monday, day__lt=weeks[-1].monday + timedelta(days=7))
        .values("day")
        .annotate(**sums)
        .order_by()
    ):
        w = IsoWeek.of(row["day"])
        if w not in tally.rolled:
            continue
        counts = tally.trend[w]
        for name in FLOW_FIELDS:
            counts[name] += row[name] or 0
        counts["breaches"] += sum(row[name] or 0 for name in BREACH_FIELDS.values())
    week, prev = tally.week, tally.prev
    if week not in tally.rolled:
        return {}
    for row in (
        DailyFlow.objects.filter(day__gte=prev.monday, day__lt=week.monday + timedelta(days=7))
        .annotate(this=Case(When(day__gte=week.monday, then=Value(True)), default=Value(False)))
        .values("this", "carrier_id", "category", "channel")
        .annotate(**{name: Sum(name) for name in {*SPLIT_ALL, *SPLIT_CARRIER}})
        .order_by()
    ):
        w = week if row["this"] else prev
        for name in ("received", *VALID):
            tally.per_carrier[w][row["carrier_id"]][name] += row[name] or 0
        if w != week:
            continue
        for d, key in zip(DIMS, (row["carrier_id"], row["category"], row["channel"])):
            for name in SPLIT_ALL:
                tally.split[d][key][name] += row[name] or 0
        for name in SPLIT_CARRIER:
            tally.split["carrier"][row["carrier_id"]][name] += row[name] or 0
    counts = tally.trend[week]
    return {clock: counts[name] for clock, name in BREACH_FIELDS.items() if counts[name]}
