"""The weekly report's figures, computed in the database. Definitions: docs/metrics.md (the report uses exactly those).

`week_compute(week=IsoWeek)` (reports.metrics.week) assembles the report from one module per section: volumes
(received, resolved, reopened, backlog), clocks (first response and resolution against the commitment, breaches,
durations), surveys (dissatisfaction, omissions, survey responses), rates (parcel volumes, per million parcels),
regulator (valid and 12305-valid complaints, escalations by level), root_causes, agents, carriers (the scorecards) and
compensation; common holds what they share, labels the rows' labels.

Every figure comes from a constant number of aggregate queries (about twenty, plus a few lookups, whatever the number
of complaints): conditional aggregates (`COUNT(*) FILTER (WHERE …)`), `date_trunc('week', …)` in the operation's time
zone for the 12-week trend, and `percentile_cont(…) WITHIN GROUP` on PostgreSQL. SQLite (the default install) has no
percentile aggregate: there the percentiles come from one sorted query of just the durations, interpolated exactly as
`percentile_cont` does. Python only adds up grouped rows (tens or hundreds of them), never complaints."""

from reports.metrics.common import HEADLINE_FIELDS, HEADLINE_UNITS, SCHEMA_VERSION, TREND_WEEKS, percentile_cont
from reports.metrics.labels import (
    carrier_label,
    category_label,
    channel_label,
    clock_label,
    compensation_case_label,
    label_for,
    level_label,
    root_cause_label,
)
from reports.metrics.week import week_compute

__all__ = [
    "HEADLINE_FIELDS",
    "HEADLINE_UNITS",
    "SCHEMA_VERSION",
    "TREND_WEEKS",
    "carrier_label",
    "category_label",
    "channel_label",
    "clock_label",
    "compensation_case_label",
    "label_for",
    "level_label",
    "percentile_cont",
    "root_cause_label",
    "week_compute",
]
