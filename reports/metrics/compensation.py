"""Compensation: claims approved or paid whose decision is in the week (count and approved total) by case and by the
complaint's carrier, and chargebacks recorded in the week by carrier (docs/metrics.md, "Compensation")."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Case, Count, Sum, Value, When
from django.db.models.functions import Coalesce

from complaints.compensation.choices import ClaimState
from complaints.compensation.models import Chargeback, CompensationClaim
from reports.metrics.common import money
from reports.metrics.labels import compensation_case_label
from reports.weeks import IsoWeek

ZERO = Decimal("0.00")


def compensation_count(week: IsoWeek, prev: IsoWeek) -> dict:
    """{week: {count, total, chargebacks}, prev: {…}, "by_carrier": {carrier id: {…}}, "by_case": [rows]}; money as
    strings with two decimals."""
    figures = {w: {"count": 0, "total": ZERO, "chargebacks": ZERO} for w in (week, prev)}
    by_carrier: dict = defaultdict(lambda: {"count": 0, "total": ZERO, "chargebacks": ZERO})
    by_case: dict = defaultdict(lambda: {"count": 0, "total": ZERO})
    for row in (
        CompensationClaim.objects.filter(
            state__in=(ClaimState.APPROVED, ClaimState.PAID), decided_at__gte=prev.start, decided_at__lt=week.end
        )
        .annotate(this=Case(When(decided_at__gte=week.start, then=Value(True)), default=Value(False)))
        .values("this", "case", "complaint__carrier_id")
        .annotate(n=Count("id"), total=Coalesce(Sum("approved_amount"), ZERO))
        .order_by()
    ):
        w = week if row["this"] else prev
        figures[w]["count"] += row["n"]
        figures[w]["total"] += row["total"]
        if w == week:
            by_carrier[row["complaint__carrier_id"]]["count"] += row["n"]
            by_carrier[row["complaint__carrier_id"]]["total"] += row["total"]
            by_case[row["case"]]["count"] += row["n"]
            by_case[row["case"]]["total"] += row["total"]
    for row in (
        Chargeback.objects.filter(recorded_at__gte=prev.start, recorded_at__lt=week.end)
        .annotate(this=Case(When(recorded_at__gte=week.start, then=Value(True)), default=Value(False)))
        .values("this", "carrier_id")
        .annotate(total=Coalesce(Sum("amount"), ZERO))
        .order_by()
    ):
        w = week if row["this"] else prev
        figures[w]["chargebacks"] += row["total"]
        if w == week:
            by_carrier[row["carrier_id"]]["chargebacks"] += row["total"]
    cases = sorted(by_case.items(), key=lambda item: (-item[1]["count"], item[0]))
    return {
        "by_carrier": {
            cid: {"count": v["count"], "total": money(v["total"]), "chargebacks": money(v["chargebacks"])}
            for cid, v in by_carrier.items()
        },
        "by_case": [
            {"key": key, "label": compensation_case_label(key), "count": v["count"], "total": money(v["total"])}
            for key, v in cases
        ],
        **{
            w: {"count": f["count"], "total": money(f["total"]), "chargebacks": money(f["chargebacks"])}
            for w, f in figures.items()
        },
    }
