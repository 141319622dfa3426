"""Which local days' report figures a change reaches after the fact. The weekly report's daily roll-up
(reports/rollup.py) counts each closed day once; a change that moves a complaint's past flows to another carrier,
category or channel, takes them out of the count (a merge), or places a breach in a day already over, records those
days here, in the same transaction as the change, so the roll-up counts them again."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings

from complaints.choices import AlertKind, EventKind
from complaints.models import ClockAlert, Complaint, ComplaintEvent, FiguresRecount, SurveyResponse

# The events the report counts (reports.metrics.volumes reads this list); a complaint's other events count nowhere.
COUNTED_KINDS = (EventKind.RESOLVED, EventKind.REOPENED, EventKind.ESCALATED, EventKind.SURVEY_ANSWERED)


def local_day(moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def complaint_counted_days(complaint_ids: Iterable[int]) -> set[date]:
    """Every local day in which these complaints' rows are counted: receipt, first response, counted events, breaches
    (by their due time) and survey answers."""
    ids = list(complaint_ids)
    moments: list[datetime | None] = []
    for received_at, first_response_at in Complaint.objects.filter(pk__in=ids).values_list(
        "received_at", "first_response_at"
    ):
        moments += [received_at, first_response_at]
    moments += ComplaintEvent.objects.filter(complaint_id__in=ids, kind__in=COUNTED_KINDS).values_list(
        "created_at", flat=True
    )
    moments += ClockAlert.objects.filter(complaint_id__in=ids, kind=AlertKind.BREACH).values_list("due_at", flat=True)
    moments += SurveyResponse.objects.filter(complaint_id__in=ids).values_list("answered_at", flat=True)
    return {local_day(moment) for moment in moments if moment is not None}


def figures_recount(*, days: Iterable[date] = (), complaint_ids: Iterable[int] = ()) -> None:
    """Record `days`, and every day these complaints are counted in, for the roll-up to count again. Call inside
    the change's transaction (and, when the change moves a complaint's times, before and after it)."""
    wanted = set(days) | complaint_counted_days(complaint_ids)
    FiguresRecount.objects.bulk_create([FiguresRecount(day=day) for day in sorted(wanted)])
