"""The unfiltered complaint list's page query, compiled by the ORM once per shape and reused.

Building and compiling the ORM query (the carrier, the cursor's position, the order, the slice) was about a third of
a list request's CPU (docs/benchmarks.md), the same work every time. `CarrierRows` gives the cursor paginator what it
asks of a queryset (order_by, a filter on the position, a slice) and answers the slice with SQL the ORM compiled for
that shape with stand-in values, the carrier and position swapped in. The SQL is the ORM's own, so it is the same
query, on every database, as `carrier_complaints(...).values(*ROW_FIELDS)` paginated would be (a test compares them)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from django.db import connection
from django.utils.dateparse import parse_datetime

from complaints import selectors
from complaints.partners.api.rows import ROW_FIELDS

# Stand-ins that no request carries, found again among the compiled query's parameters.
_CARRIER = -918_273_645
_POSITION = datetime(1901, 2, 3, 4, 5, 6, 789_012, tzinfo=UTC)


class CarrierRows:
    """One carrier's complaints as `.values(*ROW_FIELDS)`, for NewestFirstCursorPagination only."""

    def __init__(self, carrier_id: int, ordering: tuple[str, ...] = (), position: tuple[str, object] | None = None):
        self.carrier_id = carrier_id
        self.ordering = ordering
        self.position = position

    def order_by(self, *ordering: str) -> CarrierRows:
        return CarrierRows(self.carrier_id, tuple(ordering), self.position)

    def filter(self, **lookup) -> CarrierRows:
        ((name, value),) = lookup.items()
        return CarrierRows(self.carrier_id, self.ordering, (name, value))

    def __getitem__(self, window: slice) -> list[dict]:
        lookup = self.position[0] if self.position else None
        sql, slots, names, compiler, converters = _compiled(
            connection.alias, self.ordering, lookup, window.start, window.stop
        )
        position = connection.ops.adapt_datetimefield_value(_moment(self.position[1])) if self.position else None
        params = [self.carrier_id if slot is _CARRIER else position if slot is _POSITION else slot for slot in slots]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = compiler.apply_converters(rows, converters)
        return [dict(zip(names, row, strict=True)) for row in rows]


def _moment(value) -> datetime:
    # The cursor's position is the creation time as text (the paginator checked it parses as an aware time).
    return value if isinstance(value, datetime) else parse_datetime(value)


@lru_cache(maxsize=64)
def _compiled(alias: str, ordering: tuple[str, ...], lookup: str | None, start: int, stop: int):
    queryset = selectors.carrier_complaints(carrier_id=_CARRIER).values(*ROW_FIELDS).order_by(*ordering)
    if lookup:
        queryset = queryset.filter(**{lookup: _POSITION})
    queryset = queryset[start:stop]
    compiler = queryset.query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    slots = tuple(_CARRIER if param == _CARRIER else _POSITION if _is_position(param) else param for param in params)
    converters = compiler.get_converters([expression for expression, _sql, _alias in compiler.select])
    query = queryset.query
    names = (*query.extra_select, *query.values_select, *query.annotation_select)
    return sql, slots, names, compiler, converters


def _is_position(param) -> bool:
    # PostgreSQL gets the datetime itself, SQLite its text.
    return param == connection.ops.adapt_datetimefield_value(_POSITION)
