"""Reads about reports. The page, exports, email and commands ask these instead of building queries themselves."""

from __future__ import annotations

from django.db.models import QuerySet

from reports.models import WeeklyReport
from reports.weeks import IsoWeek


def weekly_report_get(*, week: IsoWeek | str) -> WeeklyReport | None:
    """The stored snapshot of the week, or None if it was never computed."""
    return WeeklyReport.objects.filter(iso_week=str(week)).select_related("computed_by").first()


def weekly_reports_latest(*, limit: int = 12) -> QuerySet[WeeklyReport]:
    """The most recent stored weeks, newest first (without their figures, for lists)."""
    return WeeklyReport.objects.defer("data").select_related("computed_by").order_by("-week_start")[:limit]


def weekly_report_weeks() -> list[str]:
    """Every stored ISO week, newest first."""
    return list(WeeklyReport.objects.order_by("-week_start").values_list("iso_week", flat=True))
