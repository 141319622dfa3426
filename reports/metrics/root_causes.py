"""Root causes: the week's resolutions by the root-cause area recorded with them (the department the problem is fed
back to), with how many of them found the carrier liable; most frequent first (docs/metrics.md, "Root causes")."""

from __future__ import annotations

from django.db.models import Count, Q
from django.db.models.fields.json import KT

from complaints.choices import EventKind
from complaints.models import ComplaintEvent
from reports.metrics.labels import root_cause_label
from reports.weeks import IsoWeek


def root_cause_rows(week: IsoWeek) -> list[dict]:
    rows = [
        {
            "key": row["area"] or "",
            "label": root_cause_label(row["area"] or ""),
            "count": row["n"],
            "valid": row["valid"],
        }
        for row in (
            ComplaintEvent.objects.filter(kind=EventKind.RESOLVED, created_at__gte=week.start, created_at__lt=week.end)
            .values(area=KT("data__root_cause_area"))
            .annotate(n=Count("id"), valid=Count("id", filter=Q(data__carrier_liable=True)))
            .order_by()
        )
    ]
    return sorted(rows, key=lambda r: (-r["count"], r["key"]))
