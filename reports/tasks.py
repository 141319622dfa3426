"""Celery tasks of the reports: thin, idempotent, stable names; each calls one service."""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from reports import rollup, services, surge
from reports.weeks import IsoWeek

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "retry_kwargs": {"max_retries": 3}}


@shared_task(name="redress.weekly_report_send", **RETRY)
def weekly_report_send(week: str | None = None) -> int:
    """Last complete week's report to supervisors (or `week`'s). Beat runs it hourly on Monday from 08:00 local;
    the first run sends, the others find the week already emailed (a catch-up if beat was down at 08:00)."""
    return services.weekly_report_email(week=week or IsoWeek.of(timezone.now()).previous())


@shared_task(name="redress.surge_check", **RETRY)
def surge_check() -> dict:
    result = surge.surge_check()
    return {"surges": len(result.surges), "alerts": result.alerts}


@shared_task(name="redress.report_rollup", **RETRY)
def report_rollup() -> dict:
    """Beat, every 5 minutes: count the days that ended into the weekly report's daily roll-up, and again the days a
    later change reached (each call counts for at most about 50 s; the next one goes on)."""
    result = rollup.daily_flows_roll()
    return {
        "counted": len(result.counted),
        "recounted": len(result.recounted),
        "failed": [str(day) for day in result.failed],
        "rolled_until": str(result.rolled_until) if result.rolled_until else None,
    }
