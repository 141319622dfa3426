"""The SLA clocks of docs/domain.md, computed by one deterministic function from a complaint's event history and its
policy, so they can be recomputed at any time (like Zammad). Calendar hours by default (carriers work every day);
a policy with a working calendar counts working hours instead (complaints/sla/calendars.py), for every clock but the
statutory one, whose 7 days are calendar days by law. Warnings come at the same percentage of working time.

Clock            starts                      stops                                paused
first_response   received                    first human, customer-visible reply  never
resolution       received (or reopened)      resolved                             while awaiting the complainant
progress         last customer-visible update  next such update                   never; runs while open
carrier_accept   handed to the carrier       carrier accepts                      never; runs while awaiting carrier
carrier_reply    carrier accepted            carrier replies                      never; runs while awaiting carrier
statutory        received                    first resolved (for good)            never

The statutory limit (快递暂行条例: a complaint is handled, and the complainant told, within 7 days of receipt) counts
from the first receipt and ends at the complaint's first resolution: met if that came within the limit, missed (a
breach, recorded by the sweep and kept) if not. A reopening does not re-arm it. The complainant's dissatisfied revisit
reopens the same complaint, whose legal handling already ended; re-arming the clock from receipt would make every
reopening after day 7 a breach dated days in the past, escalated on the next sweep for a limit nobody could still
meet. What the company owes a reopened complaint is a fast answer: the resolution clock restarts at the reopening
(its full target, 72 h by default), with its warning, breach and escalation, and a dissatisfied survey already sends
it to a supervisor. See docs/metrics.md, "The statutory limit and reopenings".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from accounts.roles import Role
from complaints.choices import OPEN_STATUSES, Clock, EventKind, RiskCondition, Status
from complaints.models import Complaint, ComplaintEvent, SlaPolicy
from complaints.sla.calendars import WorkingSchedule, add_working_time, subtract_working_time, working_time_between

# Events the complainant sees as news: each restarts the progress-update clock.
CUSTOMER_UPDATES = frozenset(
    {
        EventKind.CREATED,
        EventKind.PUBLIC_REPLY,
        EventKind.PROGRESS_UPDATE,
        EventKind.RESOLVED,
        EventKind.REOPENED,
        EventKind.SURVEY_ANSWERED,
    }
)
# What counts as the carrier's reply (stops its reply clock): any answer from the carrier, public or not.
CARRIER_ANSWERS = frozenset(
    {EventKind.PUBLIC_REPLY, EventKind.INTERNAL_NOTE, EventKind.CARRIER_NOTE, EventKind.RESOLUTION_PROPOSED}
)
# The clocks the sweep warns about and breaches. Progress has its own planner: when due, an update is sent.
ALERTING_CLOCKS = (Clock.FIRST_RESPONSE, Clock.RESOLUTION, Clock.CARRIER_ACCEPT, Clock.CARRIER_REPLY, Clock.STATUTORY)

DUE_FIELDS = {
    Clock.FIRST_RESPONSE: "first_response_due_at",
    Clock.RESOLUTION: "resolution_due_at",
    Clock.PROGRESS: "progress_due_at",
    Clock.CARRIER_ACCEPT: "carrier_accept_due_at",
    Clock.CARRIER_REPLY: "carrier_reply_due_at",
    Clock.STATUTORY: "statutory_due_at",
}


def target(policy: SlaPolicy, clock: str) -> timedelta:
    hours = {
        Clock.FIRST_RESPONSE: policy.first_response_hours,
        Clock.RESOLUTION: policy.resolution_hours,
        Clock.PROGRESS: policy.progress_update_hours,
        Clock.CARRIER_ACCEPT: policy.carrier_accept_hours,
        Clock.CARRIER_REPLY: policy.carrier_reply_hours,
        Clock.STATUTORY: policy.statutory_hours,
    }[clock]
    return timedelta(seconds=int(Decimal(hours) * 3600))


def schedule(policy: SlaPolicy | None) -> WorkingSchedule | None:
    """The working schedule the policy's targets count on; None for calendar hours. Built once per loaded calendar
    (load policies with select_related("calendar") and prefetch_related("calendar__closures") when many)."""
    if policy is None or policy.calendar_id is None:
        return None
    calendar = policy.calendar
    built = calendar.__dict__.get("_schedule")
    if built is None:
        built = calendar.__dict__["_schedule"] = calendar.schedule()
    return built


def clock_schedule(policy: SlaPolicy | None, clock: str) -> WorkingSchedule | None:
    """The statutory limit counts calendar days whatever the policy."""
    return None if clock == Clock.STATUTORY else schedule(policy)


def due_from(policy: SlaPolicy, clock: str, start: datetime) -> datetime:
    """When the clock started at `start` (with nothing paused) reaches its target."""
    return add_working_time(start, target(policy, clock), clock_schedule(policy, clock))


def started_before(policy: SlaPolicy, clock: str, due_at: datetime) -> datetime:
    """The latest start that makes the clock due at `due_at` (the inverse of due_from)."""
    return subtract_working_time(due_at, target(policy, clock), clock_schedule(policy, clock))


def warn_at(policy: SlaPolicy, clock: str, due_at: datetime) -> datetime:
    """The moment the warning threshold is reached: when (100 - warning%) of the target is left, in the working time
    the clock counts."""
    left = target(policy, clock) * (100 - policy.warning_percent) / 100
    return subtract_working_time(due_at, left, clock_schedule(policy, clock))


def policy_matches(policy: SlaPolicy, complaint: Complaint) -> bool:
    if policy.category and policy.category != complaint.category:
        return False
    if policy.priority and policy.priority != complaint.priority:
        return False
    if policy.channel and policy.channel != complaint.channel:
        return False
    if policy.risk:
        if policy.risk == RiskCondition.ANY:
            return complaint.is_high_risk
        return policy.risk in complaint.risk_flags
    return True


def policy_for(complaint: Complaint, policies: Iterable[SlaPolicy]) -> SlaPolicy | None:
    """The first active policy, by position, whose conditions all match."""
    for policy in sorted(policies, key=lambda p: (p.position, p.id)):
        if policy.is_active and policy_matches(policy, complaint):
            return policy
    return None


@dataclass(frozen=True)
class Clocks:
    """Due times of the running clocks (a stopped or paused clock is absent)."""

    due: dict[str, datetime]
    resolution_paused: bool = False

    def field_values(self) -> dict[str, datetime | None]:
        values = {field: self.due.get(clock) for clock, field in DUE_FIELDS.items()}
        values["next_due_at"] = min(self.due.values()) if self.due else None
        return values


def compute_clocks(*, complaint: Complaint, events: Iterable[ComplaintEvent], policy: SlaPolicy | None) -> Clocks:
    """Replay the timeline and return the due time of every running clock."""
    if policy is None or complaint.status not in OPEN_STATUSES:
        return Clocks(due={})
    working = schedule(policy)
    status = Status.NEW
    cycle_start = complaint.received_at  # resolution clock: restarts when reopened
    paused_total = timedelta(0)
    paused_since: datetime | None = None
    last_update = complaint.received_at
    handed_at: datetime | None = None
    accepted_at: datetime | None = None
    carrier_replied = False
    statutory_ended = False  # by a resolution: a reopening follows one, and does not re-arm the statutory clock

    for event in sorted(events, key=lambda e: (e.created_at, e.id or 0)):
        when = event.created_at
        if event.kind in CUSTOMER_UPDATES:
            last_update = max(last_update, when)
        if (event.data or {}).get("to") == Status.REOPENED:
            cycle_start, paused_total, paused_since = when, timedelta(0), None
            statutory_ended = True
        if event.kind == EventKind.HANDED_TO_CARRIER:
            handed_at, accepted_at, carrier_replied = when, None, False
        elif event.kind == EventKind.CARRIER_ACCEPTED and handed_at is not None:
            accepted_at = accepted_at or when
        elif event.actor_role == Role.CARRIER and event.kind in CARRIER_ANSWERS:
            carrier_replied = carrier_replied or handed_at is not None
        new_status = (event.data or {}).get("to")
        if new_status and new_status != status:
            if status == Status.AWAITING_CUSTOMER and paused_since is not None:
                paused_total += working_time_between(paused_since, when, working)
                paused_since = None
            if new_status == Status.AWAITING_CUSTOMER:
                paused_since = when
            status = new_status

    due: dict[str, datetime] = {}
    if complaint.first_response_at is None:
        due[Clock.FIRST_RESPONSE] = due_from(policy, Clock.FIRST_RESPONSE, complaint.received_at)
    paused = complaint.status == Status.AWAITING_CUSTOMER
    if not paused:
        # The working time spent paused is added to the target: the clock counted none of it.
        due[Clock.RESOLUTION] = add_working_time(cycle_start, paused_total + target(policy, Clock.RESOLUTION), working)
    due[Clock.PROGRESS] = due_from(policy, Clock.PROGRESS, last_update)
    if complaint.status == Status.AWAITING_CARRIER and handed_at is not None and not carrier_replied:
        if accepted_at is None:
            due[Clock.CARRIER_ACCEPT] = due_from(policy, Clock.CARRIER_ACCEPT, handed_at)
        else:
            due[Clock.CARRIER_REPLY] = due_from(policy, Clock.CARRIER_REPLY, accepted_at)
    if not statutory_ended:
        due[Clock.STATUTORY] = due_from(policy, Clock.STATUTORY, complaint.received_at)
    return Clocks(due=due, resolution_paused=paused)


def next_alert(
    *, policy: SlaPolicy | None, due: dict[str, datetime], recorded: set[tuple[str, str, datetime]]
) -> datetime | None:
    """The next moment the sweep has work for this complaint: a warning or breach not yet recorded."""
    if policy is None:
        return None
    moments = []
    for clock in ALERTING_CLOCKS:
        due_at = due.get(clock)
        if due_at is None or (clock, "breach", due_at) in recorded:
            continue
        if (clock, "warning", due_at) in recorded:
            moments.append(due_at)
        else:
            moments.append(warn_at(policy, clock, due_at))
    return min(moments) if moments else None
