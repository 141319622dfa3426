"""The carrier scorecards (`by_carrier`): each carrier's flows, backlog, parcels and rates, clocks, escalations and
money for the week. A carrier appears when it had a flow, a backlog, a parcel volume or money that week."""

from __future__ import annotations

from decimal import Decimal

from accounts.models import Carrier
from complaints.choices import Clock
from reports.metrics.common import Tally, met, money, per_million
from reports.metrics.labels import carrier_label

# The figures of a scorecard; `key` and `label` name the carrier.
SHOWN = (
    "received",
    "resolved",
    "backlog",
    "reopened",
    "parcels",
    "valid_complaints",
    "regulator_valid_complaints",
    "first_response_met_pct",
    "resolution_met_pct",
    "escalations",
    "compensation_count",
    "compensation_total",
    "chargeback_total",
)


def carrier_rows(tally: Tally, parcels: dict[int, int], compensation: dict) -> list[dict]:
    """`parcels`: this week's volumes by carrier id; `compensation`: reports.metrics.compensation's result."""
    split, backlog = tally.split["carrier"], tally.backlog_split["carrier"]
    money_by_carrier = compensation["by_carrier"]
    carriers = {c.pk: c for c in Carrier.objects.all()}
    carrier_ids = set(split) | {k for k, v in backlog.items() if v} | set(parcels) | set(money_by_carrier)
    rows = []
    for cid in carrier_ids:
        s = split[cid]
        volume = parcels.get(cid)
        paid = money_by_carrier.get(cid, {})
        rows.append(
            {
                "key": carriers[cid].code if cid in carriers else "",
                "label": carrier_label(carriers.get(cid)),
                "received": s["received"],
                "resolved": s["resolved"],
                "backlog": backlog[cid],
                "reopened": s["reopened"],
                "parcels": volume,
                "complaint_rate_per_million": per_million(s["received"], volume),
                "valid_complaints": s["valid"],
                "valid_rate_per_million": per_million(s["valid"], volume),
                "regulator_valid_complaints": s["regulator_valid"],
                "regulator_valid_rate_per_million": per_million(s["regulator_valid"], volume),
                "first_response_met_pct": met(s, "first_response_on_time", f"missed_{Clock.FIRST_RESPONSE}"),
                "resolution_met_pct": met(s, "resolved_on_time", f"missed_{Clock.RESOLUTION}"),
                "escalations": s["escalations"],
                "compensation_count": paid.get("count", 0),
                "compensation_total": paid.get("total", money(Decimal(0))),
                "chargeback_total": paid.get("chargebacks", money(Decimal(0))),
            }
        )
    # A carrier whose week shows nothing (say, only a survey answered about it) has no scorecard.
    rows = [r for r in rows if any(r[name] not in (None, 0, "0.00") for name in SHOWN)]
    return sorted(rows, key=lambda r: (-r["received"], -r["backlog"], r["key"]))
