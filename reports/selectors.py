"""Reads about reports. The page, exports, email and commands ask these instead of building queries themselves."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q, QuerySet

from accounts.models import User
from accounts.roles import GROUP_SUPERVISOR
from reports.models import WeeklyReport


def weekly_reports_latest(*, limit: int = 12) -> QuerySet[WeeklyReport]:
    """The most recent stored weeks, newest first (without their figures, for lists)."""
    return WeeklyReport.objects.defer("data").select_related("computed_by").order_by("-week_start")[:limit]


def weekly_report_weeks(*, limit: int | None = None) -> list[str]:
    """The stored ISO weeks, newest first (all of them, or the latest `limit`)."""
    weeks = WeeklyReport.objects.order_by("-week_start").values_list("iso_week", flat=True)
    return list(weeks[:limit] if limit is not None else weeks)


def supervisor_addresses() -> list[str]:
    """Active supervisors' email addresses (superusers act as supervisors); the supervisors' mailbox
    (REDRESS_SUPERVISORS_EMAIL) when none has one, so a report or alert is never silently lost."""
    addresses = sorted(
        set(
            User.objects.filter(is_active=True, carrier__isnull=True)
            .exclude(email="")
            .filter(Q(is_superuser=True) | Q(groups__name=GROUP_SUPERVISOR))
            .values_list("email", flat=True)
        )
    )
    return addresses or [settings.REDRESS_ESCALATION_RECIPIENTS[1]]
