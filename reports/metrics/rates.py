"""Rates per million parcels: the parcel volumes carriers reported for this week and the previous one, and a count
divided by the parcels of the carriers that reported one (docs/metrics.md, "Haier's three controls": the complaint
rate; the regulator's view: the valid and 12305-valid rates)."""

from __future__ import annotations

from reports.metrics.common import per_million
from reports.models import ParcelVolume
from reports.weeks import IsoWeek


def parcel_volumes(week: IsoWeek, prev: IsoWeek) -> dict[IsoWeek, dict[int, int]]:
    """{week: {carrier_id: parcels}} for the two weeks; a carrier that reported nothing is absent."""
    parcels: dict[IsoWeek, dict[int, int]] = {week: {}, prev: {}}
    for carrier_id, monday, count in ParcelVolume.objects.filter(week_start__in=(week.monday, prev.monday)).values_list(
        "carrier_id", "week_start", "parcels"
    ):
        parcels[IsoWeek.of(monday)][carrier_id] = count
    return parcels


def operation_rate(per_carrier: dict[int, dict], parcels: dict[int, int], name: str) -> float | None:
    """A week's `name` (received, valid, regulator_valid) per million parcels, over the carriers that reported a
    volume (`per_carrier`: the week's counts by carrier id, `parcels`: its volumes): complaints about the others are
    left out rather than divided by someone else's parcels. Unknown when no volume (or only 0) was reported."""
    total = sum(parcels.values())
    if not total:
        return None
    return per_million(sum(per_carrier[carrier_id][name] for carrier_id in parcels), total)
