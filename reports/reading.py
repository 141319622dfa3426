"""Which figures a reader of a week gets: the stored snapshot of a complete week (built on first read), live
figures for the week in progress (never stored: half a week would later be read as the week), none for a week that
has not started. The page, the downloads and the command all ask here."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from reports.metrics import week_compute
from reports.models import WeeklyReport
from reports.services import weekly_report_build
from reports.weeks import IsoWeek

STORED, LIVE, FUTURE = "stored", "live", "future"


def last_complete_week(now: datetime | None = None) -> IsoWeek:
    return IsoWeek.of(now or timezone.now()).previous()


def report_for(week: IsoWeek, *, now: datetime | None = None) -> tuple[dict | None, WeeklyReport | None, str]:
    """(data, snapshot, state) for reading `week`."""
    now = now or timezone.now()
    if week.start > now:
        return None, None, FUTURE
    if week.end > now:
        return week_compute(week=week, now=now), None, LIVE
    snapshot = weekly_report_build(week=week, now=now)
    return snapshot.data, snapshot, STORED
