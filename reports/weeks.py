"""ISO weeks in the operation's time zone: the unit of the weekly report and of the parcel volumes carriers report."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.errors import InvalidInput

_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    @classmethod
    def parse(cls, text: str, *, field: str = "week") -> IsoWeek:
        """`2026-W47` → IsoWeek(2026, 47); anything else is refused with a message that shows the expected form."""
        match = _ISO_WEEK.match((text or "").strip())
        if match:
            year, week = int(match.group(1)), int(match.group(2))
            try:
                date.fromisocalendar(year, week, 1)
            except ValueError:
                pass
            else:
                return cls(year, week)
        raise InvalidInput(
            _("“%(value)s” is not an ISO week.") % {"value": text},
            fields={
                field: [_("Write an ISO week such as 2026-W47 (year, “-W”, week 01–53 that exists in that year).")]
            },
        )

    @classmethod
    def of(cls, moment: datetime | date) -> IsoWeek:
        """The week holding `moment`, read in the current time zone for datetimes."""
        day = timezone.localdate(moment) if isinstance(moment, datetime) else moment
        year, week, _weekday = day.isocalendar()
        return cls(year, week)

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def start(self) -> datetime:
        """Monday 00:00 in TIME_ZONE, aware."""
        return timezone.make_aware(datetime.combine(self.monday, time.min))

    @property
    def end(self) -> datetime:
        """The next Monday 00:00 in TIME_ZONE (exclusive)."""
        return timezone.make_aware(datetime.combine(self.monday + timedelta(days=7), time.min))

    def previous(self, weeks: int = 1) -> IsoWeek:
        return IsoWeek.of(self.monday - timedelta(weeks=weeks))

    def next(self) -> IsoWeek:
        return IsoWeek.of(self.monday + timedelta(weeks=1))

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"
