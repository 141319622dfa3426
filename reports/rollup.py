"""The daily roll-up of the weekly report's flows (DailyFlow): each local day, once it is over, counted per carrier,
category and channel by the same queries the report runs on the rows (reports.metrics), so that the report reads a
few hundred rows per week instead of a week's millions of events.

Beat runs `daily_flows_roll` every few minutes (task redress.report_rollup). It counts the days after the last one
counted, up to the day that ended at least SETTLE ago (no transaction still writes into it), and again every day a
change recorded in FiguresRecount (complaints/recount.py). A day's rows are replaced in one transaction under the
lock of the one RollupProgress row. The report uses the roll-up only for weeks whose every day is counted and none
waiting to be counted again (reports.metrics.week); the others it counts from the rows, as without a roll-up."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, Min, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from complaints.choices import AlertKind, Channel
from complaints.models import ClockAlert, Complaint, ComplaintEvent, FiguresRecount, SurveyResponse
from complaints.recount import local_day
from complaints.services import LOW_SCORES
from reports.metrics.agents import FLOWS as AGENT_FLOWS
from reports.metrics.agents import agent_flows, reopened_counts
from reports.metrics.common import aggregates_tune, counted_complaints, counted_rows
from reports.metrics.daily import LEVELS, MACROS, REOPENED_BY, ROOT_CAUSES, SETTLE
from reports.metrics.macros import macro_counts
from reports.metrics.regulator import LIABLE, VALID, level_counts
from reports.metrics.rolled import BREACH_FIELDS, FLOW_FIELDS
from reports.metrics.root_causes import root_cause_counts
from reports.metrics.volumes import COUNTED, counted_aggregates, counted_events
from reports.models import DailyAgentFlow, DailyFlow, DailyTally, RollupProgress

logger = logging.getLogger(__name__)

Key = tuple[int | None, str, str]


@dataclass
class RollupResult:
    counted: list[date] = field(default_factory=list)
    recounted: list[date] = field(default_factory=list)
    failed: list[date] = field(default_factory=list)
    rolled_until: date | None = None


def day_bounds(day: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    return start, end


def day_flows(day: date) -> dict[Key, dict[str, int]]:
    """One day's flows per (carrier id, category, channel), counted from the rows as reports.metrics counts them."""
    start, end = day_bounds(day)
    flows: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FLOW_FIELDS, 0))
    dims = ("complaint__carrier_id", "complaint__category", "complaint__channel")

    def add(rows, keys, names):
        for row in rows:
            counts = flows[tuple(row[k] for k in keys)]
            for name, source in names.items():
                counts[name] += row[source]

    add(
        Complaint.objects.filter(counted_complaints(), received_at__gte=start, received_at__lt=end)
        .values("carrier_id", "category", "channel")
        .annotate(n=Count("id"))
        .order_by(),
        ("carrier_id", "category", "channel"),
        {"received": "n"},
    )
    add(
        counted_events(start, end).values(*dims).annotate(**counted_aggregates()).order_by(),
        dims,
        {name: name for name in COUNTED},
    )
    add(
        Complaint.objects.filter(counted_complaints(), first_response_at__gte=start, first_response_at__lt=end)
        .values("carrier_id", "category", "channel")
        .annotate(n=Count("id"), on_time=Count("id", filter=Q(first_response_met=True)))
        .order_by(),
        ("carrier_id", "category", "channel"),
        {"first_responses": "n", "first_response_on_time": "on_time"},
    )
    for row in (
        ClockAlert.objects.filter(counted_rows(), kind=AlertKind.BREACH, due_at__gte=start, due_at__lt=end)
        .values(*dims, "clock")
        .annotate(n=Count("id"))
        .order_by()
    ):
        if row["clock"] in BREACH_FIELDS:
            flows[tuple(row[k] for k in dims)][BREACH_FIELDS[row["clock"]]] += row["n"]
    add(
        SurveyResponse.objects.filter(answered_at__gte=start, answered_at__lt=end)
        .values(*dims)
        .annotate(n=Count("id"), low=Count("id", filter=Q(score__in=LOW_SCORES)), total=Coalesce(Sum("score"), 0))
        .order_by(),
        dims,
        {"answers": "n", "low_answers": "low", "score_total": "total"},
    )
    # Valid complaints are counted per complaint and ISO week: on the day of the week's first liable resolution.
    week_start, _ = day_bounds(day - timedelta(days=day.weekday()))
    earlier = ComplaintEvent.objects.filter(
        LIABLE, complaint=OuterRef("complaint"), created_at__gte=week_start, created_at__lt=start
    )
    add(
        ComplaintEvent.objects.filter(LIABLE, created_at__gte=start, created_at__lt=end)
        .filter(~Exists(earlier))
        .values(*dims)
        .annotate(
            valid=Count("complaint_id", distinct=True),
            regulator_valid=Count("complaint_id", distinct=True, filter=Q(complaint__channel=Channel.REGULATOR)),
        )
        .order_by(),
        dims,
        {name: name for name in VALID},
    )
    return {key: counts for key, counts in flows.items() if any(counts.values())}


def _count_day(day: date) -> None:
    """Replace the day's rows (inside the caller's transaction, under the progress lock)."""
    start, end = day_bounds(day)
    _replace(
        DailyFlow,
        day,
        [
            DailyFlow(day=day, carrier_id=carrier_id, category=category, channel=channel, **counts)
            for (carrier_id, category, channel), counts in day_flows(day).items()
        ],
    )
    _replace(
        DailyAgentFlow,
        day,
        [
            DailyAgentFlow(day=day, **{name: row[name] for name in ("actor_id", *AGENT_FLOWS)})
            for row in agent_flows(start, end)
            if any(row[name] for name in AGENT_FLOWS)
        ],
    )
    _replace(
        DailyTally,
        day,
        [
            DailyTally(day=day, figure=figure, key=key, count=count, part=part)
            for figure, counts in (
                (ROOT_CAUSES, root_cause_counts(start, end)),
                (MACROS, macro_counts(start, end)),
                (LEVELS, level_counts(start, end)),
                (REOPENED_BY, reopened_counts(start, end)),
            )
            for key, count, part in counts
        ],
    )


def _replace(model, day: date, rows: list) -> None:
    model.objects.filter(day=day).delete()
    model.objects.bulk_create(rows, batch_size=1000)


def _first_day() -> date | None:
    first = Complaint.objects.aggregate(first=Min("received_at"))["first"]
    return None if first is None else local_day(first)


def daily_flows_roll(*, now: datetime | None = None, max_days: int = 62, budget_seconds: float = 50.0) -> RollupResult:
    """Count the days waiting to be counted again, then the closed days after the last one counted: at most
    `max_days` days and about `budget_seconds` per call (the next call goes on). Each day in a transaction of its
    own; a day that fails is logged and left for the next call, and the others go on."""
    now = now or timezone.now()
    closed_before = local_day(now - SETTLE)  # the first day not over long enough
    result = RollupResult()
    started = time.monotonic()
    RollupProgress.objects.get_or_create(pk=1)  # made by the migration; again after a test database was flushed
    skipped: set[date] = set()
    while len(result.counted) + len(result.recounted) < max_days and time.monotonic() - started < budget_seconds:
        day: date | None = None
        try:
            with transaction.atomic():
                aggregates_tune(connection)
                progress = RollupProgress.objects.select_for_update().get(pk=1)
                if progress.rolled_until is None:
                    progress.rolled_until = _first_day()
                    if progress.rolled_until is None:
                        break  # no complaint yet
                day = (
                    FiguresRecount.objects.filter(day__lt=progress.rolled_until)
                    .exclude(day__in=skipped)
                    .order_by("day")
                    .values_list("day", flat=True)
                    .first()
                )
                if day is None and progress.rolled_until < closed_before:
                    day = progress.rolled_until
                if day is None:
                    break
                # What was recorded until now is counted now; a change committed after this line leaves a new row.
                FiguresRecount.objects.filter(day=day).delete()
                _count_day(day)
                if day == progress.rolled_until:
                    progress.rolled_until = day + timedelta(days=1)
                    result.counted.append(day)
                else:
                    result.recounted.append(day)
                progress.updated_at = now
                progress.save(update_fields=["rolled_until", "updated_at"])
        except Exception:
            # Nothing of the day was written (its transaction rolled back): the next run tries it again.
            logger.exception("daily roll-up: counting %s failed", day)
            if day is None or day in skipped:
                break
            skipped.add(day)
            result.failed.append(day)
            if not FiguresRecount.objects.filter(day=day).exists():
                break  # it was the next day to count: the days after it wait for it
    result.rolled_until = RollupProgress.objects.filter(pk=1).values_list("rolled_until", flat=True).first()
    return result


def daily_flows_reset() -> None:
    """Forget the roll-up (after loading rows behind its back, such as a benchmark's): the next runs count every
    day again, and meanwhile the report counts from the rows."""
    with transaction.atomic():
        RollupProgress.objects.select_for_update().filter(pk=1).update(rolled_until=None, updated_at=None)
        DailyFlow.objects.all().delete()
        DailyAgentFlow.objects.all().delete()
        DailyTally.objects.all().delete()
