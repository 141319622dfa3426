"""Root causes: the week's resolutions by the root-cause area recorded with them (the department the problem is fed
back to), with how many of them found the carrier liable; most frequent first (docs/metrics.md, "Root causes")."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q
from django.db.models.fields.json import KT

from complaints.choices import EventKind
from complaints.models import ComplaintEvent
from reports.metrics.daily import ROOT_CAUSES, Counts, summed, tallies_read
from reports.metrics.labels import root_cause_label
from reports.weeks import IsoWeek


def root_cause_counts(start: datetime, end: datetime) -> Counts:
    """(area, resolutions, of them carrier liable) of the resolutions in [start, end)."""
    return [
        (row["area"] or "", row["n"], row["valid"])
        for row in (
            ComplaintEvent.objects.filter(kind=EventKind.RESOLVED, created_at__gte=start, created_at__lt=end)
            .values(area=KT("data__root_cause_area"))
            .annotate(n=Count("id"), valid=Count("id", filter=Q(data__carrier_liable=True)))
            .order_by()
        )
    ]


def root_cause_rows(week: IsoWeek, *, rolled: bool = False) -> list[dict]:
    """`rolled`: counted from the daily roll-up."""
    counts = tallies_read(ROOT_CAUSES, week) if rolled else root_cause_counts(week.start, week.end)
    rows = [
        {"key": area, "label": root_cause_label(area), "count": count, "valid": valid}
        for area, (count, valid) in summed(counts).items()
    ]
    return sorted(rows, key=lambda r: (-r["count"], r["key"]))
