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
set it up. A replica that cannot be reached when a computation starts is logged, and the primary is read instead."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

# The alias the current report computation reads from; None outside one.
_reading_from: ContextVar[str | None] = ContextVar("redress_reports_reading_from", default=None)


def reports_database() -> str:
    """The alias report figures are read from."""
    return getattr(settings, "REDRESS_REPORTS_DATABASE", DEFAULT_DB_ALIAS) or DEFAULT_DB_ALIAS


def reading_from() -> str:
    """The alias the current report computation reads from (the reports database outside one)."""
    return _reading_from.get() or reports_database()


@contextmanager
def report_reads() -> Iterator[str]:
    """Within this block the ORM reads from the reports database; yields its alias (for a transaction or a cursor
    that must be on the same connection). A replica that cannot be reached is logged and the primary read instead:
    the report is late by nothing, the primary carries its load this time."""
    alias = reports_database()
    if alias != DEFAULT_DB_ALIAS:
        try:
            connections[alias].ensure_connection()
        except DatabaseError as error:
            logger.warning("The reports database %r cannot be reached (%s); reading the primary instead.", alias, error)
            alias = DEFAULT_DB_ALIAS
    token = _reading_from.set(alias)
    try:
        yield alias
    finally:
        _reading_from.reset(token)


class ReportsRouter:
    """settings.DATABASE_ROUTERS: report reads to the replica, writes to the primary (see the module's docstring)."""

    def db_for_read(self, model, **hints) -> str | None:
        return _reading_from.get()

    def db_for_write(self, model, **hints) -> str | None:
        if _reading_from.get() is not None:
            return DEFAULT_DB_ALIAS
        return None

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # The replica holds the same rows as the primary: a row read from one may be related to a row from the other.
        same_data = {DEFAULT_DB_ALIAS, reports_database()}
        if obj1._state.db in same_data and obj2._state.db in same_data:
            return True
        return None
