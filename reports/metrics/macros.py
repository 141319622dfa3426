"""Canned replies used: the macros the week's replies and internal notes were sent from, most used first, the top
MACROS_TOP (docs/metrics.md, "Canned replies used"). A reply records its macro in its event's data (`macro`: the
macro's id, written by complaints.macros.services.reply_send); one grouped query counts them, on PostgreSQL and SQLite
alike (data->>'macro'), by the (kind, created_at) index."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q
from django.db.models.fields.json import KT

from complaints.choices import EventKind
from complaints.macros.models import Macro
from complaints.models import ComplaintEvent
from reports.metrics.daily import MACROS, Counts, summed, tallies_read
from reports.weeks import IsoWeek

MACROS_TOP = 10
SENT = (EventKind.PUBLIC_REPLY, EventKind.INTERNAL_NOTE)


def macro_counts(start: datetime, end: datetime) -> Counts:
    """(macro id, replies and notes sent from it, of them replies) in [start, end)."""
    return [
        (row["macro"], row["n"], row["replies"])
        for row in ComplaintEvent.objects.filter(
            kind__in=SENT, created_at__gte=start, created_at__lt=end, data__has_key="macro"
        )
        .values(macro=KT("data__macro"))
        .annotate(n=Count("id"), replies=Count("id", filter=Q(kind=EventKind.PUBLIC_REPLY)))
        .order_by()
    ]


def macro_rows(week: IsoWeek, *, top: int = MACROS_TOP, rolled: bool = False) -> list[dict]:
    """`macros_used`: per macro, the replies (`replies`: to the complainant; `notes`: internal) sent from it in the
    week, `count` both; the `top` most used (ties in the order of the id's text, so the cut is the same every time).
    `rolled`: counted from the daily roll-up."""
    counts = tallies_read(MACROS, week) if rolled else macro_counts(week.start, week.end)
    used = sorted(summed(counts).items(), key=lambda item: (-item[1][0], item[0]))[:top]
    names = dict(Macro.objects.filter(pk__in=[int(macro) for macro, _ in used]).values_list("pk", "name"))
    return [
        {
            "key": int(macro),
            "label": names.get(int(macro), f"#{macro}"),
            "count": count,
            "replies": replies,
            "notes": count - replies,
        }
        for macro, (count, replies) in used
    ]
