"""Where the reports read: the weekly report's computation reads from a read replica when one is configured.

Django routes by model, not by module, and the report reads the same models (complaints, events, messages) that
every service writes. So the routing is by *context*: `report_reads()` marks the code that computes report figures
(reports.metrics.week_compute wraps itself in it), and while that mark is set `ReportsRouter` sends every read to
settings.REDRESS_REPORTS_DATABASE: "reports" when REPORTS_DATABASE_URL is set, else "default" (then nothing changes).
Everything else, including the page's small reads (stored snapshots, the list of weeks), reads the primary.

Writes never go to the replica: outside the mark the router has no opinion (Django's default, the primary, for
everything this project does), and inside it every write goes to "default", even for a row read from the replica.

A replica lags the primary by a little (milliseconds to seconds with streaming replication): a week's figures computed
on it miss at most the last moments' changes, which only the week in progress can have. docs/scaling.md says how to
set it up."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

_reading_reports: ContextVar[bool] = ContextVar("redress_reading_reports", default=False)


def reports_database() -> str:
    """The alias report figures are read from."""
    return getattr(settings, "REDRESS_REPORTS_DATABASE", DEFAULT_DB_ALIAS) or DEFAULT_DB_ALIAS


@contextmanager
def report_reads() -> Iterator[str]:
    """Within this block the ORM reads from the reports database; yields its alias (for a transaction or a cursor
    that must be on the same connection)."""
    token = _reading_reports.set(True)
    try:
        yield reports_database()
    finally:
        _reading_reports.reset(token)


class ReportsRouter:
    """settings.DATABASE_ROUTERS: report reads to the replica, writes to the primary (see the module's docstring)."""

    def db_for_read(self, model, **hints) -> str | None:
        if _reading_reports.get():
            return reports_database()
        return None

    def db_for_write(self, model, **hints) -> str | None:
        if _reading_reports.get():
            return DEFAULT_DB_ALIAS
        return None

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # The replica holds the same rows as the primary: a row read from one may be related to a row from the other.
        same_data = {DEFAULT_DB_ALIAS, reports_database()}
        if obj1._state.db in same_data and obj2._state.db in same_data:
            return True
        return None
