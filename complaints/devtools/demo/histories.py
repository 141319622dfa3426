"""Histories: what happened to each planned complaint, laid out between when it was received and now.

Times cannot be fixed like the plan: complaints are received during the six weeks before *now* and their histories
are laid out between then and now, so a run tomorrow would compute other times (and, for the youngest complaints,
other statuses). Which status a complaint ends in is drawn by its age (old complaints are mostly closed, young ones
mostly open), every status occurs at least once, and each history is a list of steps with planned gaps in minutes,
squeezed when they would not fit before now. The random choices come from one seeded ``random.Random`` per
complaint, so only the times and the age-dependent statuses depend on when the demo runs.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from complaints.choices import Status
from complaints.devtools.demo.plan import SEED, Planned, weighted
from complaints.devtools.demo.stories import Step, Story

# Nothing is dated later than this before now, and the youngest complaints are at least this old.
LAST_STEP_MARGIN = timedelta(minutes=2)
YOUNGEST = timedelta(minutes=30)


STATUS_BY_AGE = (
    # (younger than this many hours, [(status, weight), ...]); the last bucket has no limit.
    (2, ((Status.NEW, 55), (Status.ACKNOWLEDGED, 45))),
    (
        24,
        (
            (Status.NEW, 20),
            (Status.ACKNOWLEDGED, 25),
            (Status.IN_PROGRESS, 25),
            (Status.AWAITING_CARRIER, 15),
            (Status.AWAITING_CUSTOMER, 10),
            (Status.RESOLVED, 5),
        ),
    ),
    (
        72,
        (
            (Status.ACKNOWLEDGED, 5),
            (Status.IN_PROGRESS, 25),
            (Status.AWAITING_CARRIER, 25),
            (Status.AWAITING_CUSTOMER, 15),
            (Status.RESOLVED, 25),
            (Status.REOPENED, 5),
        ),
    ),
    (
        240,
        (
            (Status.IN_PROGRESS, 8),
            (Status.AWAITING_CARRIER, 8),
            (Status.AWAITING_CUSTOMER, 5),
            (Status.RESOLVED, 30),
            (Status.CLOSED, 44),
            (Status.REOPENED, 5),
        ),
    ),
    (
        None,
        (
            (Status.IN_PROGRESS, 2),
            (Status.AWAITING_CARRIER, 2),
            (Status.AWAITING_CUSTOMER, 1),
            (Status.RESOLVED, 8),
            (Status.CLOSED, 84),
            (Status.REOPENED, 3),
        ),
    ),
)
# The youngest a complaint can be to end in each status, for the coverage fix-up.
MIN_AGE_HOURS = {
    Status.NEW: 0,
    Status.ACKNOWLEDGED: 0.5,
    Status.IN_PROGRESS: 2,
    Status.AWAITING_CARRIER: 2,
    Status.AWAITING_CUSTOMER: 2,
    Status.RESOLVED: 24,
    Status.REOPENED: 48,
    Status.CLOSED: 72,
}


def _received_at(p: Planned, now: datetime) -> datetime:
    local_now = timezone.localtime(now)
    midnight = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    days_ago = p.days_ago
    if p.surge:  # all on the Wednesday of the last full week
        days_ago = local_now.weekday() + 5
    at = midnight - timedelta(days=days_ago) + timedelta(minutes=p.minute_of_day, seconds=p.second)
    latest = now - YOUNGEST
    if at > latest:  # later today than now: received a little while ago instead
        at = latest - timedelta(minutes=p.minute_of_day % 240, seconds=p.second)
    return at


def _pick_status(age_hours: float, rng: random.Random) -> str:
    for limit, table in STATUS_BY_AGE:
        if limit is None or age_hours < limit:
            return weighted(rng, table)
    raise AssertionError("unreachable")


def _cover_every_status(chosen: dict[int, str], ages: dict[int, float], carrier_less: set[int]) -> None:
    """Make sure every status occurs: give a missing one to the youngest (new, acknowledged) or oldest (the others)
    complaint old enough for it whose own status occurs more than once."""
    for status in MIN_AGE_HOURS:  # the statuses a story can end in (a merge is not one)
        counts = Counter(chosen.values())
        if counts[status] or not chosen:
            continue
        young_first = status in (Status.NEW, Status.ACKNOWLEDGED)
        for index in sorted(chosen, key=lambda i: ages[i] if young_first else -ages[i]):
            if status == Status.AWAITING_CARRIER and index in carrier_less:
                continue
            if counts[chosen[index]] > 1 and ages[index] >= MIN_AGE_HOURS[status]:
                chosen[index] = status
                break


def _lay_out(steps: list[Step], received_at: datetime, now: datetime) -> list[datetime]:
    """Times for the steps: the planned gaps, squeezed proportionally when they do not fit before now."""
    window = (now - LAST_STEP_MARGIN - received_at).total_seconds()
    planned = [step.gap_minutes * 60 for step in steps]
    total = sum(planned)
    scale = min(1.0, window * 0.95 / total) if total else 1.0
    times = []
    at = received_at
    for gap in planned:
        at = at + timedelta(seconds=max(30, int(gap * scale)))
        times.append(at)
    if times and times[-1] > now - LAST_STEP_MARGIN:
        raise AssertionError(f"demo history runs into the future (received {received_at}, last step {times[-1]})")
    return times


@dataclass
class History:
    """One planned complaint as it happened: when it was received, by whom (a username, or None for forms and email),
    and its steps with their times."""

    planned: Planned
    received_at: datetime
    creator: str | None
    steps: list[tuple[Step, datetime]]


def histories_for(*, plan: list[Planned], now: datetime) -> list[History]:
    """The histories of these planned complaints as of `now`, in the order the complaints were received."""
    received = {p.index: _received_at(p, now) for p in plan}
    ages = {p.index: (now - received[p.index]).total_seconds() / 3600 for p in plan}
    rngs = {p.index: random.Random(f"{SEED}/history/{p.index}") for p in plan}
    chosen = {p.index: _pick_status(ages[p.index], rngs[p.index]) for p in plan}
    carrier_less = {p.index for p in plan if p.carrier_code is None}
    for index in carrier_less:
        if chosen[index] == Status.AWAITING_CARRIER:
            chosen[index] = Status.IN_PROGRESS  # nobody to hand it to
    _cover_every_status(chosen, ages, carrier_less)

    histories = []
    for p in sorted(plan, key=lambda p: (received[p.index], p.index)):
        story = Story(p, rngs[p.index])
        steps = story.tell(chosen[p.index])
        times = _lay_out(steps, received[p.index], now)
        histories.append(
            History(
                planned=p,
                received_at=received[p.index],
                creator=story.creator(),  # after tell(): a reopened story may have changed its owner
                steps=list(zip(steps, times)),
            )
        )
    return histories
