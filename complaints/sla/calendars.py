"""Working time on a calendar: the arithmetic behind SLA targets that count working hours instead of calendar hours.

Pure functions of aware datetimes and a `WorkingSchedule` (no database): `add_working_time` (when a target counted
from a start is reached), `working_time_between` (how much working time lies between two moments) and
`subtract_working_time` (the moment a given amount of working time before an end began). A schedule of None means
calendar hours: plain datetime arithmetic, so policies without a calendar behave exactly as before.

A working day is open from `opens` to `closes` in the schedule's time zone. Whether a date is a working day:
a named closure closes it; then, when the schedule follows China's public holidays, the State Council's notices
(through the `chinese_calendar` package) close a public holiday and open an adjusted working day (调休) even on a
weekend; otherwise the schedule's own days of the week decide. For a year the package has no notice for yet, only
the days of the week count (no holidays, no 调休): the data simply does not exist before the State Council
publishes it, usually in November for the next year.

The loops step one calendar day at a time (a closure is jumped in one step), never minute by minute, and are bounded.
Results are exact to the microsecond; arithmetic is done in UTC, so a daylight-saving change is measured as the
time that really passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

ZERO = timedelta(0)
ONE_DAY = timedelta(days=1)
MIDNIGHT = time(0)
# No target needs more: past this many calendar days without enough working time the schedule is unusable.
MAX_DAYS = 366 * 20


class NoWorkingTime(ValueError):
    """The schedule has no working time left within MAX_DAYS (e.g. closures that never end)."""


@dataclass(frozen=True)
class WorkingSchedule:
    """When a desk works. `weekdays` are Python's (Monday = 0); `closes` at 00:00 means midnight, the end of the
    day (00:00–00:00 is the whole day). `closures` are inclusive date ranges."""

    time_zone: str = "Asia/Shanghai"
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    opens: time = time(9)
    closes: time = time(18)
    public_holidays: bool = True
    closures: tuple[tuple[date, date], ...] = ()
    tz: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        if not self.weekdays or not set(self.weekdays) <= set(range(7)):
            raise ValueError("A schedule needs at least one working day of the week (0-6).")
        if self.closes != MIDNIGHT and self.closes <= self.opens:
            raise ValueError("A working day closes after it opens.")
        if any(start > end for start, end in self.closures):
            raise ValueError("A closure ends on or after the day it starts.")
        object.__setattr__(self, "tz", ZoneInfo(self.time_zone))
        object.__setattr__(self, "closures", tuple(sorted(self.closures)))

    def closure_end(self, day: date) -> date | None:
        """The last day of the closure that covers `day` (the latest, if several overlap), or None."""
        ends = [end for start, end in self.closures if start <= day <= end]
        return max(ends) if ends else None

    def closure_start(self, day: date) -> date | None:
        """The first day of the closure that covers `day` (the earliest, if several overlap), or None."""
        starts = [start for start, end in self.closures if start <= day <= end]
        return min(starts) if starts else None

    def is_working_day(self, day: date) -> bool:
        if self.closure_end(day) is not None:
            return False
        if self.public_holidays:
            official = public_holiday(day)
            if official is not None:
                return not official
        return day.weekday() in self.weekdays

    def window(self, day: date) -> tuple[datetime, datetime]:
        """The day's working hours as UTC datetimes (whether or not the day is a working day)."""
        opens = datetime.combine(day, self.opens, tzinfo=self.tz)
        closes = datetime.combine(day + ONE_DAY if self.closes == MIDNIGHT else day, self.closes, tzinfo=self.tz)
        return opens.astimezone(UTC), closes.astimezone(UTC)

    def open_days(self, day: date, step: int):
        """Working days from `day` on (step 1) or back (step -1), each with its window; a closure is jumped whole."""
        try:
            for _ in range(MAX_DAYS):
                edge = self.closure_end(day) if step > 0 else self.closure_start(day)
                if edge is not None:
                    day = edge + ONE_DAY * step
                    continue
                if self.is_working_day(day):
                    yield day, self.window(day)
                day += ONE_DAY * step
        except OverflowError:  # a closure to the end of time
            pass
        raise NoWorkingTime(f"No working time within {MAX_DAYS} days.")


@lru_cache(maxsize=4096)
def public_holiday(day: date) -> bool | None:
    """True on a public holiday, False on an adjusted working day (调休), None on an ordinary day or in a year the
    State Council's notices (as packaged) do not cover yet."""
    try:
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:  # the package covers the years up to the latest notice only
        return None
    if name is None:
        return None
    return bool(is_holiday)


def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime.")
    return moment.astimezone(UTC)


def add_working_time(start: datetime, duration: timedelta, schedule: WorkingSchedule | None) -> datetime:
    """The earliest moment at which `duration` of working time has passed since `start`. In start's time zone."""
    if schedule is None:
        return start + duration
    if duration < ZERO:
        raise ValueError("The duration cannot be negative.")
    cursor = _aware(start, "start")
    if duration == ZERO:
        return start
    remaining = duration
    # A window can run to midnight, so the local day of `start` holds the first window that can still count.
    for _day, (opens, closes) in schedule.open_days(cursor.astimezone(schedule.tz).date(), 1):
        begin = max(cursor, opens)
        if begin >= closes:
            continue
        available = closes - begin
        if remaining <= available:
            return (begin + remaining).astimezone(start.tzinfo)
        remaining -= available
    raise NoWorkingTime  # pragma: no cover (open_days raises first)


def subtract_working_time(end: datetime, duration: timedelta, schedule: WorkingSchedule | None) -> datetime:
    """The latest moment from which `duration` of working time runs until `end`. In end's time zone."""
    if schedule is None:
        return end - duration
    if duration < ZERO:
        raise ValueError("The duration cannot be negative.")
    cursor = _aware(end, "end")
    if duration == ZERO:
        return end
    remaining = duration
    for _day, (opens, closes) in schedule.open_days(cursor.astimezone(schedule.tz).date(), -1):
        finish = min(cursor, closes)
        if finish <= opens:
            continue
        available = finish - opens
        if remaining <= available:
            return (finish - remaining).astimezone(end.tzinfo)
        remaining -= available
    raise NoWorkingTime  # pragma: no cover (open_days raises first)


def working_time_between(start: datetime, end: datetime, schedule: WorkingSchedule | None) -> timedelta:
    """The working time from `start` to `end` (negative if `end` comes first, like a subtraction)."""
    if schedule is None:
        return end - start
    begin, finish = _aware(start, "start"), _aware(end, "end")
    if finish < begin:
        return -working_time_between(end, start, schedule)
    total = ZERO
    last = finish.astimezone(schedule.tz).date()
    day = begin.astimezone(schedule.tz).date()
    for _ in range(MAX_DAYS + (last - day).days):
        if day > last:
            return total
        closure_end = schedule.closure_end(day)
        if closure_end is not None:
            day = closure_end + ONE_DAY
            continue
        if schedule.is_working_day(day):
            opens, closes = schedule.window(day)
            overlap = min(closes, finish) - max(opens, begin)
            if overlap > ZERO:
                total += overlap
        day += ONE_DAY
    return total
