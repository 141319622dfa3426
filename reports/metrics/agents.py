"""Per agent: resolutions made, first responses given (and on time), reopenings of their resolutions, and the
backlog they own (docs/metrics.md, "Per agent"). Staff only: carrier users are not agents."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum

from accounts.models import User
from complaints.choices import EventKind
from complaints.models import ComplaintEvent
from reports.metrics.common import RESOLVED_ON_TIME, Tally, pct, reopen_q
from reports.metrics.daily import REOPENED_BY, Counts, tallies_read
from reports.models import DailyAgentFlow
from reports.weeks import IsoWeek

FLOWS = ("resolved", "resolved_on_time", "first_responses", "first_response_on_time")


def agent_flows(start: datetime, end: datetime):
    """Per actor (staff and carrier users alike; `agent_rows` keeps the staff): resolutions made (and on time) and
    first responses given (and on time) in [start, end)."""
    return (
        ComplaintEvent.objects.filter(created_at__gte=start, created_at__lt=end, actor__isnull=False)
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


def reopened_counts(start: datetime, end: datetime) -> Counts:
    """(user id, reopenings in [start, end) of a resolution they made, 0): the resolver is the actor of the latest
    resolution before the reopening (none: not counted)."""
    resolver = (
        ComplaintEvent.objects.filter(
            kind=EventKind.RESOLVED, complaint=OuterRef("complaint"), created_at__lt=OuterRef("created_at")
        )
        .order_by("-created_at", "-id")
        .values("actor_id")[:1]
    )
    return [
        (str(row["resolver"]), row["n"], 0)
        for row in ComplaintEvent.objects.filter(reopen_q(), created_at__gte=start, created_at__lt=end)
        .annotate(resolver=Subquery(resolver))
        .values("resolver")
        .annotate(n=Count("id"))
        .order_by()
        if row["resolver"] is not None
    ]


def agents_count(week: IsoWeek, *, rolled: bool = False) -> dict[int, dict]:
    """{user id: counts}: resolutions made (and on time), first responses given (and on time), reopenings of a
    resolution the agent made (the actor of the latest resolution before the reopening). `rolled`: counted from the
    daily roll-up (reports/rollup.py)."""
    start, end = week.start, week.end
    agents: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    if rolled:
        rows = (
            DailyAgentFlow.objects.filter(day__gte=week.monday, day__lt=week.monday + timedelta(days=7))
            .values("actor_id")
            .annotate(**{name: Sum(name) for name in FLOWS})
            .order_by()
        )
    else:
        rows = agent_flows(start, end)
    for row in rows:
        for name in FLOWS:
            agents[row["actor_id"]][name] += row[name]
    reopened = tallies_read(REOPENED_BY, week) if rolled else reopened_counts(start, end)
    for resolver, count, _part in reopened:
        agents[int(resolver)]["reopened"] += count
    return agents


def agent_rows(tally: Tally, agents: dict[int, dict]) -> list[dict]:
    """`by_agent`: a row per staff member who resolved, first-answered or owns part of the backlog; the backlog is
    what they own when the report is computed."""
    owner_backlog = tally.backlog_split["owner"]
    agent_ids = set(agents) | {k for k, v in owner_backlog.items() if v and k is not None}
    users = {u.pk: u for u in User.objects.filter(pk__in=agent_ids, carrier__isnull=True)}
    rows = []
    for uid in agent_ids:
        if uid not in users:
            continue
        a = agents.get(uid, defaultdict(int))
        rows.append(
            {
                "key": users[uid].username,
                "label": users[uid].get_full_name() or users[uid].username,
                "resolved": a["resolved"],
                "backlog": owner_backlog.get(uid, 0),
                "reopened": a["reopened"],
                "first_response_met_pct": pct(a["first_response_on_time"], a["first_responses"]),
                "resolution_met_pct": pct(a["resolved_on_time"], a["resolved"]),
            }
        )
    return sorted(rows, key=lambda r: (-r["resolved"], -r["backlog"], r["key"]))
