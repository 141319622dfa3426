"""The regulator's view and escalations: valid complaints (the carrier found liable) and, among them, those that came
through the regulator channel (12305), counted per complaint for this week and the previous one; escalations by the
level they reached (docs/metrics.md, "The regulator's view, escalations, breaches")."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Case, Count, Q, Value, When
from django.db.models.fields.json import KT

from complaints.choices import Channel, EscalationLevel, EventKind
from complaints.models import ComplaintEvent
from reports.metrics.common import Tally
from reports.metrics.daily import LEVELS, Counts, tallies_read
from reports.metrics.labels import level_label
from reports.weeks import IsoWeek

# The complaints a week counts as valid: those with a resolution in the week that recorded the carrier liable.
LIABLE = Q(kind=EventKind.RESOLVED, data__carrier_liable=True)
VALID = ("valid", "regulator_valid")


def valid_count(tally: Tally) -> None:
    """Valid complaints per complaint, not per resolution: a complaint resolved "carrier liable" twice in a week
    counts once that week. `regulator_valid`: those of them received through the regulator channel (12305). In the
    trend (this week and the previous one), per carrier for the rates, and this week per carrier for the
    scorecards."""
    week, prev = tally.week, tally.prev
    if not tally.recent_direct:
        return  # from the daily roll-up (reports.metrics.rolled)
    for row in (
        ComplaintEvent.objects.filter(LIABLE, created_at__gte=prev.start, created_at__lt=week.end)
        .annotate(this=Case(When(created_at__gte=week.start, then=Value(True)), default=Value(False)))
        .values("this", "complaint__carrier_id")
        .annotate(
            valid=Count("complaint_id", distinct=True),
            regulator_valid=Count("complaint_id", distinct=True, filter=Q(complaint__channel=Channel.REGULATOR)),
        )
        .order_by()
    ):
        # Each complaint has one carrier, so adding the carriers' distinct counts counts each complaint once.
        w = week if row["this"] else prev
        carrier_id = row["complaint__carrier_id"]
        for name in VALID:
            tally.trend[w][name] += row[name]
            tally.per_carrier[w][carrier_id][name] += row[name]
            if w == week:
                tally.split["carrier"][carrier_id][name] += row[name]


def level_counts(start: datetime, end: datetime) -> Counts:
    """(level reached, escalations, 0) of the `escalated` events in [start, end)."""
    return [
        (row["level"], row["n"], 0)
        for row in ComplaintEvent.objects.filter(kind=EventKind.ESCALATED, created_at__gte=start, created_at__lt=end)
        .values(level=KT("data__to_level"))
        .annotate(n=Count("id"))
        .order_by()
    ]


def escalation_levels(week: IsoWeek, *, rolled: bool = False) -> list[dict]:
    """`escalations_by_level`: the week's `escalated` events by the level they reached (every level, 0 included).
    `rolled`: counted from the daily roll-up."""
    levels = dict.fromkeys((EscalationLevel.SUPERVISOR.value, EscalationLevel.CENTRE.value), 0)
    counts = tallies_read(LEVELS, week) if rolled else level_counts(week.start, week.end)
    for level, count, _part in counts:
        levels[int(level)] = levels.get(int(level), 0) + count
    return [{"key": level, "label": level_label(level), "count": n} for level, n in sorted(levels.items())]
