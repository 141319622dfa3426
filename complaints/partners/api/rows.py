"""The complaint list's rows, serialised from `.values()` instead of model instances and DRF fields: the same JSON as
ComplaintSerializer (a test compares them), at a fraction of the CPU a page costs (docs/benchmarks.md)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from complaints.choices import Clock
from complaints.partners.api.serializers import ComplaintSerializer, visible_merged_into
from complaints.selectors import complaint_references
from complaints.sla.clocks import DUE_FIELDS

_CENT = Decimal("0.01")
_DUE = tuple((str(clock), field) for clock, field in DUE_FIELDS.items() if clock in Clock.values)
_MONEY = ("declared_value", "insured_value", "shipping_fee")
_TIMES = ("created_at", "updated_at")
# The serializer's fields in its order, "due" built from the clocks' columns, "merged_into" from the primary's id: its
# reference and carrier are read only for a page that has a merged complaint (a join on every page cost more).
_BUILT = ("due", "merged_into")
_PRIMARY = ("carrier_id", "merged_into_id")
_PLAIN = tuple(name for name in ComplaintSerializer.Meta.fields if name not in _BUILT)
ROW_FIELDS = (*_PLAIN, *(field for _clock, field in _DUE), *_PRIMARY)


def _time(value: datetime | None, zone) -> str | None:
    # As DRF's DateTimeField: the current time zone, ISO 8601, "Z" for UTC.
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _money(value: Decimal | None) -> str | None:
    # As DRF's DecimalField(decimal_places=2) with COERCE_DECIMAL_TO_STRING.
    return None if value is None else f"{value.quantize(_CENT):f}"


def complaint_rows(rows: Iterable[dict]) -> list[dict]:
    """ComplaintSerializer(many=True).data for rows of `.values(*ROW_FIELDS)`."""
    zone = timezone.get_current_timezone()
    rows = list(rows)
    primaries = complaint_references(ids={row["merged_into_id"] for row in rows if row["merged_into_id"]})
    out = []
    for row in rows:
        item = {}
        for name in _PLAIN:
            value = row[name]
            if name in _MONEY:
                value = _money(value)
            elif name in _TIMES:
                value = _time(value, zone)
            item[name] = value
        item["due"] = {clock: _time(row[field], zone) for clock, field in _DUE if row[field] is not None}
        reference, primary_carrier_id = primaries.get(row["merged_into_id"], (None, None))
        item["merged_into"] = visible_merged_into(
            carrier_id=row["carrier_id"], primary_carrier_id=primary_carrier_id, primary_reference=reference
        )
        out.append({name: item[name] for name in ComplaintSerializer.Meta.fields})
    return out
