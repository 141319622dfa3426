"""A paginator for changelists of tables with millions of rows: it never counts them all."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.formats import number_format
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedCountPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 rows (`SELECT count(*) FROM (SELECT … LIMIT 10001)`, without the ordering, which
    does not change the count), so a changelist costs the same on 10,000 rows as on 10,000,000. Beyond the cap the
    count says "more than 10,000" (`capped`) and the pages stop at the cap: page 201 of 50 rows is the deepest, and a
    deeper page number is refused as any page past the end is (narrow the search or filters to see further)."""

    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if hasattr(rows, "order_by"):
            return rows.order_by()[: self.cap + 1].count()
        return min(len(rows), self.cap + 1)

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @property
    def cap_display(self) -> str:
        return number_format(self.cap, force_grouping=True)
