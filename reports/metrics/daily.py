"""The breakdowns kept per day by the daily roll-up (reports/rollup.py, DailyTally): each section that lists one
counts (key, count, part) triples over a time range, from the rows or, for a week the roll-up covers, from here."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.db.models import Sum

from reports.models import DailyTally
from reports.weeks import IsoWeek

Counts = list[tuple[str, int, int]]

# A day is counted once it ended this long ago: a transaction that began in it has committed by then.
SETTLE = timedelta(hours=1)

# The figures (DailyTally.figure), one per breakdown.
ROOT_CAUSES, MACROS, LEVELS, REOPENED_BY = "root_cause", "macro", "level", "reopened_by"


def tallies_read(figure: str, week: IsoWeek) -> Counts:
    return [
        (row["key"], row["count"], row["part"])
        for row in DailyTally.objects.filter(
            figure=figure, day__gte=week.monday, day__lt=week.monday + timedelta(days=7)
        )
        .values("key")
        .annotate(count=Sum("count"), part=Sum("part"))
        .order_by()
    ]


def summed(counts: Counts) -> dict[str, list[int]]:
    """{key: [count, part]}, adding up the triples of one key."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for key, count, part in counts:
        totals[key][0] += count
        totals[key][1] += part
    return totals
