"""Volume: complaints received, resolutions, reopenings and escalations (per week for the trend, per carrier,
category and channel for the week), and the backlog at each week's end (docs/metrics.md, "Volume")."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Case, Count, Q, Value, When
from django.db.models.functions import TruncWeek

from complaints.choices import OPEN_STATUSES, EventKind
from complaints.models import Complaint, ComplaintEvent
from complaints.recount import COUNTED_KINDS
from reports.metrics.common import (
    DIMS,
    RESOLVED_ON_TIME,
    Tally,
    counted_complaints,
    counted_rows,
    reopen_q,
    span,
    week_of,
)
from reports.metrics.labels import category_label, channel_label

# The events counted per week (valid complaints are counted per complaint, in reports.metrics.regulator).
COUNTED = ("resolved", "resolved_on_time", "reopened", "escalations")


def counted_aggregates() -> dict:
    return {
        "resolved": Count("id", filter=Q(kind=EventKind.RESOLVED)),
        "resolved_on_time": Count("id", filter=RESOLVED_ON_TIME),
        "reopened": Count("id", filter=reopen_q()),
        "escalations": Count("id", filter=Q(kind=EventKind.ESCALATED)),
    }


def received_count(tally: Tally) -> None:
    """Complaints received: per week (trend), then per carrier, category and channel (this week and the previous
    one, for the rates). The trend query covers the weeks before the previous one; the split query the last two."""
    week, prev = tally.week, tally.prev
    if older := tally.direct_older:
        start, end = span(older)
        for row in (
            Complaint.objects.filter(counted_complaints(), received_at__gte=start, received_at__lt=end)
            .annotate(wk=TruncWeek("received_at"))
            .values("wk")
            .annotate(n=Count("id"))
            .order_by()
        ):
            if (w := week_of(row["wk"])) in older:
                tally.trend[w]["received"] += row["n"]
    if not tally.recent_direct:
        return
    for row in (
        Complaint.objects.filter(counted_complaints(), received_at__gte=prev.start, received_at__lt=week.end)
        .annotate(this=Case(When(received_at__gte=week.start, then=Value(True)), default=Value(False)))
        .values("this", "carrier_id", "category", "channel")
        .annotate(n=Count("id"))
        .order_by()
    ):
        w = week if row["this"] else prev
        tally.trend[w]["received"] += row["n"]
        tally.per_carrier[w][row["carrier_id"]]["received"] += row["n"]
        if w == week:
            for d, key in zip(DIMS, (row["carrier_id"], row["category"], row["channel"])):
                tally.split[d][key]["received"] += row["n"]


def counted_events(since: datetime, until: datetime):
    # One range per kind, so PostgreSQL reads the (kind, created_at) index rather than every event of the weeks.
    in_range = Q()
    for kind in COUNTED_KINDS:
        in_range |= Q(kind=kind, created_at__gte=since, created_at__lt=until)
    return ComplaintEvent.objects.filter(in_range).filter(counted_rows())


def events_count(tally: Tally) -> None:
    """Resolutions (and those on time), reopenings and escalations: per week (trend), then per carrier, category and
    channel (this week)."""
    week, prev = tally.week, tally.prev
    if older := tally.direct_older:
        for row in (
            counted_events(*span(older))
            .annotate(wk=TruncWeek("created_at"))
            .values("wk")
            .annotate(**counted_aggregates())
            .order_by()
        ):
            if (w := week_of(row["wk"])) in older:
                for name in COUNTED:
                    tally.trend[w][name] += row[name]
    if not tally.recent_direct:
        return
    for row in (
        counted_events(prev.start, week.end)
        .annotate(this=Case(When(created_at__gte=week.start, then=Value(True)), default=Value(False)))
        .values("this", "complaint__carrier_id", "complaint__category", "complaint__channel")
        .annotate(**counted_aggregates())
        .order_by()
    ):
        w = week if row["this"] else prev
        for name in COUNTED:
            tally.trend[w][name] += row[name]
        if w == week:
            keys = (row["complaint__carrier_id"], row["complaint__category"], row["complaint__channel"])
            for d, key in zip(DIMS, keys):
                for name in COUNTED:
                    tally.split[d][key][name] += row[name]


def backlog_count(tally: Tally) -> None:
    """Complaints open at the week's end, in total and per carrier, category, channel and owner: open now, minus
    received since, plus resolutions since, minus reopenings since (each complaint's resolutions minus reopenings is
    1 when it is resolved or closed, else 0). Earlier weeks' backlogs follow from the flows, so `received_count` and
    `events_count` come first."""
    end = tally.week.end
    dims = (*DIMS, "owner")
    total = 0
    for row in (
        Complaint.objects.filter(Q(status__in=OPEN_STATUSES) | Q(received_at__gte=end))
        .filter(counted_complaints())
        .values("carrier_id", "category", "channel", "owner_id")
        .annotate(n=Count("id", filter=Q(status__in=OPEN_STATUSES)) - Count("id", filter=Q(received_at__gte=end)))
        .order_by()
    ):
        total += row["n"]
        for d, key in zip(dims, (row["carrier_id"], row["category"], row["channel"], row["owner_id"])):
            tally.backlog_split[d][key] += row["n"]
    for row in (
        ComplaintEvent.objects.filter(created_at__gte=end)
        .filter(Q(kind=EventKind.RESOLVED) | reopen_q())
        .filter(counted_rows())
        .values("complaint__carrier_id", "complaint__category", "complaint__channel", "complaint__owner_id")
        .annotate(n=Count("id", filter=Q(kind=EventKind.RESOLVED)) - Count("id", filter=reopen_q()))
        .order_by()
    ):
        total += row["n"]
        keys = (
            row["complaint__carrier_id"],
            row["complaint__category"],
            row["complaint__channel"],
            row["complaint__owner_id"],
        )
        for d, key in zip(dims, keys):
            tally.backlog_split[d][key] += row["n"]
    # backlog(before) = backlog(after) - received + resolved - reopened
    backlog = total
    for w in reversed(tally.weeks):
        tally.trend[w]["backlog"] = backlog
        backlog = backlog - tally.trend[w]["received"] + tally.trend[w]["resolved"] - tally.trend[w]["reopened"]


def split_rows(tally: Tally, dim: str) -> list[dict]:
    """`by_category` / `by_channel`: the week's flows and the backlog at its end, per key; keys with nothing left
    out; most received first."""
    label = {"category": category_label, "channel": channel_label}[dim]
    split, backlog = tally.split[dim], tally.backlog_split[dim]
    keys = set(split) | {k for k, v in backlog.items() if v}
    rows = [
        {
            "key": k,
            "label": label(k),
            "received": split[k]["received"],
            "resolved": split[k]["resolved"],
            "backlog": backlog[k],
            "reopened": split[k]["reopened"],
        }
        for k in keys
    ]
    rows = [r for r in rows if r["received"] or r["resolved"] or r["backlog"] or r["reopened"]]
    return sorted(rows, key=lambda r: (-r["received"], -r["backlog"], r["key"]))
