"""Working time on a calendar (complaints/sla/calendars.py): office hours, weekends, China's public holidays and the
adjusted working days (调休), named closures, the fallback beyond the years the holiday data covers, and the
properties the clocks rely on (adding then measuring gives the duration back; calendar hours are plain arithmetic)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complaints.sla.calendars import (
    NoWorkingTime,
    WorkingSchedule,
    add_working_time,
    public_holiday,
    subtract_working_time,
    working_time_between,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)
OFFICE = WorkingSchedule()  # Monday to Friday, 09:00-18:00, Asia/Shanghai, public holidays followed


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_eight_working_hours_from_the_afternoon_before_national_day_end_after_the_holiday():
    # Given the afternoon before the National Day holiday (1-7 October 2026, a Wednesday)
    start = sh(2026, 9, 30, 16)

    # When 8 working hours are counted from it
    due = add_working_time(start, 8 * H, OFFICE)

    # Then 2 hours count on 30 September, none during the holiday, and the other 6 on Thursday 8 October
    assert due == sh(2026, 10, 8, 15)
    assert working_time_between(start, due, OFFICE) == 8 * H
    # and a longer target runs into Saturday 10 October, an adjusted working day (调休)
    assert add_working_time(start, 24 * H, OFFICE) == sh(2026, 10, 10, 13)
    # while calendar hours would have ended on the first day of the holiday
    assert add_working_time(start, 8 * H, None) == sh(2026, 10, 1, 0)


def test_the_holiday_data_marks_holidays_and_adjusted_working_days():
    assert public_holiday(date(2026, 10, 1)) is True  # National Day, a Thursday
    assert public_holiday(date(2026, 10, 3)) is True  # a Saturday inside the holiday
    assert public_holiday(date(2026, 10, 10)) is False  # Saturday, worked in exchange (调休)
    assert public_holiday(date(2026, 10, 8)) is None  # an ordinary Thursday


def test_a_desk_that_ignores_public_holidays_works_through_them():
    schedule = WorkingSchedule(public_holidays=False)
    assert add_working_time(sh(2026, 9, 30, 16), 8 * H, schedule) == sh(2026, 10, 1, 15)
    # and rests on Saturday 10 October like on any Saturday
    assert add_working_time(sh(2026, 10, 9, 17), 2 * H, schedule) == sh(2026, 10, 12, 10)


def test_a_weekend_does_not_count():
    # Given Friday 6 November 2026 at 16:00
    start = sh(2026, 11, 6, 16)
    # Then 4 working hours end on Monday at 11:00, and measuring Friday to Monday gives 4 hours back
    assert add_working_time(start, 4 * H, OFFICE) == sh(2026, 11, 9, 11)
    assert working_time_between(start, sh(2026, 11, 9, 11), OFFICE) == 4 * H


def test_time_outside_working_hours_starts_counting_at_the_next_opening():
    assert add_working_time(sh(2026, 11, 7, 20), H, OFFICE) == sh(2026, 11, 9, 10)  # Saturday evening
    assert add_working_time(sh(2026, 11, 9, 7), H, OFFICE) == sh(2026, 11, 9, 10)  # Monday before opening
    assert add_working_time(sh(2026, 11, 9, 19), H, OFFICE) == sh(2026, 11, 10, 10)  # Monday after closing
    assert working_time_between(sh(2026, 11, 7, 0), sh(2026, 11, 9, 9), OFFICE) == timedelta(0)


def test_a_named_closure_does_not_count():
    # Given a desk closed Monday 9 and Tuesday 10 November for a move
    schedule = WorkingSchedule(closures=((date(2026, 11, 9), date(2026, 11, 10)),))
    # Then 4 working hours from Friday 16:00 end on Wednesday at 11:00
    start = sh(2026, 11, 6, 16)
    assert add_working_time(start, 4 * H, schedule) == sh(2026, 11, 11, 11)
    assert working_time_between(start, sh(2026, 11, 11, 11), schedule) == 4 * H
    assert subtract_working_time(sh(2026, 11, 11, 11), 4 * H, schedule) == start


def test_beyond_the_years_of_holiday_data_only_the_days_of_the_week_count():
    # The packaged notices stop at the latest year announced: later years have no holidays and no 调休
    assert public_holiday(date(2099, 10, 1)) is None
    thursday = sh(2099, 10, 1, 17)
    assert add_working_time(thursday, 2 * H, OFFICE) == sh(2099, 10, 2, 10)


def test_a_desk_open_every_day_around_the_clock_counts_calendar_hours():
    always = WorkingSchedule(weekdays=frozenset(range(7)), opens=time(0), closes=time(0), public_holidays=False)
    start = sh(2026, 9, 30, 16, 17, 5)
    assert add_working_time(start, 100 * H, always) == start + 100 * H


def test_times_come_back_in_the_time_zone_they_were_given_in():
    start = datetime(2026, 11, 6, 8, tzinfo=UTC)  # 16:00 in Shanghai
    due = add_working_time(start, 4 * H, OFFICE)
    assert due == sh(2026, 11, 9, 11)
    assert due.tzinfo is UTC


def test_naive_times_negative_durations_and_impossible_schedules_are_refused():
    with pytest.raises(ValueError):
        add_working_time(datetime(2026, 11, 6, 16), H, OFFICE)
    with pytest.raises(ValueError):
        add_working_time(sh(2026, 11, 6, 16), -H, OFFICE)
    with pytest.raises(ValueError):
        WorkingSchedule(weekdays=frozenset())
    with pytest.raises(ValueError):
        WorkingSchedule(opens=time(18), closes=time(9))
    with pytest.raises(ValueError):
        WorkingSchedule(closures=((date(2026, 1, 2), date(2026, 1, 1)),))
    # A closure that never ends in practice: the search gives up instead of looping
    forever = WorkingSchedule(closures=((date(2026, 1, 1), date.max),))
    with pytest.raises(NoWorkingTime):
        add_working_time(sh(2026, 1, 1), H, forever)
    saturdays = WorkingSchedule(weekdays=frozenset({5}), closures=((date.min, date(2099, 12, 31)),))
    with pytest.raises(NoWorkingTime):
        subtract_working_time(sh(2100, 1, 1), H, saturdays)


# --- properties ---------------------------------------------------------------------------------------------------

ZONES = st.sampled_from([SHANGHAI, ZoneInfo("UTC"), ZoneInfo("Europe/Berlin")])
MOMENTS = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=ZONES)
DURATIONS = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=300))
HOURS = st.integers(min_value=0, max_value=23).map(lambda h: time(h))


@st.composite
def schedules(draw):
    opens = draw(HOURS)
    closes = draw(st.one_of(st.just(time(0)), st.integers(opens.hour + 1, 24).map(lambda h: time(h % 24))))
    closure_starts = draw(st.lists(st.dates(date(2025, 1, 1), date(2027, 12, 31)), max_size=3))
    return WorkingSchedule(
        time_zone=draw(st.sampled_from(["Asia/Shanghai", "Europe/Berlin"])),
        weekdays=frozenset(draw(st.sets(st.integers(0, 6), min_size=1))),
        opens=opens,
        closes=closes,
        public_holidays=draw(st.booleans()),
        closures=tuple((day, day + timedelta(days=draw(st.integers(0, 20)))) for day in closure_starts),
    )


@settings(max_examples=150, deadline=None)
@given(start=MOMENTS, duration=DURATIONS, schedule=schedules())
def test_adding_then_measuring_gives_the_duration_back(start, duration, schedule):
    due = add_working_time(start, duration, schedule)
    assert due >= start
    assert working_time_between(start, due, schedule) == duration
    assert working_time_between(start, due, schedule) <= due - start
    assert working_time_between(subtract_working_time(due, duration, schedule), due, schedule) == duration


@settings(max_examples=100, deadline=None)
@given(start=MOMENTS, first=DURATIONS, second=DURATIONS, schedule=schedules())
def test_more_working_time_never_ends_earlier(start, first, second, schedule):
    shorter, longer = sorted((first, second))
    assert add_working_time(start, shorter, schedule) <= add_working_time(start, longer, schedule)
    end_a, end_b = sorted((start + shorter, start + longer))
    assert working_time_between(start, end_a, schedule) <= working_time_between(start, end_b, schedule)


@settings(max_examples=100, deadline=None)
@given(start=MOMENTS, end=MOMENTS, duration=DURATIONS)
def test_calendar_hours_are_plain_arithmetic(start, end, duration):
    # In UTC, as the database hands them over (Python subtracts two times of one zone on the wall clock)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    always = WorkingSchedule(
        time_zone="Asia/Shanghai", weekdays=frozenset(range(7)), opens=time(0), closes=time(0), public_holidays=False
    )
    for schedule in (None, always):
        assert add_working_time(start, duration, schedule) == start + duration
        assert subtract_working_time(end, duration, schedule) == end - duration
        assert working_time_between(start, end, schedule) == end - start
