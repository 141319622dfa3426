"""The demo's month, lived through: the planned histories are played in time order with the clock moved to each
moment (time-machine), and between them the jobs beat runs in production do their work at the moments they fall due:
the clock sweep (warnings, breaches, escalations), the progress-update and revisit planners, the outbox dispatcher
(SMS to the file backend, email to the locmem backend), the hourly surge check and the Monday report. So every figure
of the demo's weekly report is produced by the code that produces it in production.

Beat runs its jobs every minute; here they run only when something is due (the earliest clock, progress update,
revisit or message due, read from the database after every change), at most `GRID` late, as a busy beat would. A
complaint's story is played step by step: each step comes its planned gap after the one before, so a step that must
wait (a survey answer waits for the survey to be sent) delays the rest of that story, and what would fall after now
does not happen yet.

One thing goes wrong on purpose, as it does in a real month: the outbox worker is down for a few hours on the
Thursday of the last full week (`OUTAGE_HOURS`), so the progress updates and surveys due then go out more than an
hour late and count as missed (reports/metrics/surveys.py). What the people do at each step is acts.py.
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

import time_machine
from django.db.models import Min, Q
from django.utils import timezone

from accounts.models import Carrier
from complaints.choices import OPEN_STATUSES, MessageState, Status
from complaints.devtools.demo.acts import Acts, Later
from complaints.devtools.demo.histories import History
from complaints.errors import ServiceError
from complaints.followups.outbox import outbox_dispatch
from complaints.followups.planning import progress_updates_plan, revisits_plan
from complaints.models import Complaint, OutboundMessage
from complaints.sla.sweep import clocks_sweep
from reports.services import weekly_report_email
from reports.surge import surge_check
from reports.weeks import IsoWeek

# The jobs run at most this late after something falls due (the dispatcher's messages stay well inside the hour
# that counts a message as missed).
GRID = timedelta(minutes=45)
# The outbox worker's outage: Thursday of the last full week, local time.
OUTAGE_WEEKDAY = 3
OUTAGE_HOURS = (time(10, 0), time(14, 30))
# The Monday report goes out at 08:00 local, as beat's crontab says (config/settings/base.py).
REPORT_TIME = time(8, 0)


@dataclass
class MonthResult:
    started_at: datetime | None = None
    ended_at: datetime | None = None
    steps_done: int = 0
    steps_skipped: Counter = field(default_factory=Counter)  # action -> how many a service refused
    steps_pending: int = 0  # planned after now: they have not happened yet
    job_runs: int = 0
    breaches: int = 0
    escalations: int = 0
    progress_updates: int = 0
    messages_sent: int = 0
    surveys_by_sms: int = 0
    surges: int = 0
    reports_emailed: int = 0


def _ceil(moment: datetime, grid: timedelta) -> datetime:
    epoch = datetime(2000, 1, 1, tzinfo=moment.tzinfo)
    steps = -(-(moment - epoch) // grid)
    return epoch + steps * grid


class Month:
    def __init__(self, *, histories: list[History], carriers: dict[str, Carrier], users: dict, now: datetime):
        self.histories = histories
        self.carriers = carriers
        self.users = users
        self.end = now - timedelta(minutes=1)
        self.result = MonthResult()
        self.complaints: dict[int, Complaint] = {}
        self.acts = Acts(histories=histories, carriers=carriers, users=users)
        local_now = timezone.localtime(now)
        last_week = IsoWeek.of(now).previous()
        outage_day = last_week.monday + timedelta(days=OUTAGE_WEEKDAY)
        zone = local_now.tzinfo
        self.outage = tuple(datetime.combine(outage_day, t, tzinfo=zone) for t in OUTAGE_HOURS)
        self.last_surge_hour: datetime | None = None
        self.received_since_surge_check = False

    # -- the loop

    def run(self) -> MonthResult:
        self.queue = [(h.received_at, n, i, -1) for n, (i, h) in enumerate(enumerate(self.histories))]
        self.counter = len(self.queue)
        heapq.heapify(self.queue)
        if not self.queue:
            return self.result
        first = self.queue[0][0]
        self.result.started_at = first
        mondays = self._report_moments(first)
        moment = _ceil(first, GRID)
        dues = None
        with time_machine.travel(first, tick=False) as traveller:
            self.traveller = traveller
            while True:
                last = moment > self.end
                if last:
                    moment = self.end
                # The stories' steps up to this moment, each at its own time.
                stepped = False
                while self.queue and self.queue[0][0] <= moment:
                    self._next_step()
                    stepped = True
                if stepped or dues is None:
                    dues = self._dues()
                # Then what beat would have run by now.
                traveller.move_to(moment)
                report = bool(mondays) and mondays[0] <= moment
                if report:
                    mondays.pop(0)
                self._jobs(moment, dues, report=report)
                if last:
                    break
                # The next moment anything happens: a step, something falling due, a Monday report.
                dues = self._dues()
                upcoming = [d for d in dues.values() if d is not None]
                if self.queue:
                    upcoming.append(self.queue[0][0])
                if mondays:
                    upcoming.append(mondays[0])
                if not upcoming:
                    moment = self.end + GRID
                    continue
                moment = max(_ceil(min(upcoming), GRID), moment + GRID)
            self.result.steps_pending = len(self.queue)
            self.result.surveys_by_sms = self.acts.surveys_by_sms
            self.result.ended_at = timezone.now()
        return self.result

    def _next_step(self) -> None:
        at, _tie, i, index = heapq.heappop(self.queue)
        self.traveller.move_to(at)
        try:
            self._step(i, index, at)
        except Later as later:
            heapq.heappush(self.queue, (later.at, self.counter, i, index))
            self.counter += 1
            return
        history = self.histories[i]
        if index + 1 < len(history.steps):
            planned_at = history.steps[index][1] if index >= 0 else history.received_at
            gap = history.steps[index + 1][1] - planned_at
            heapq.heappush(self.queue, (at + gap, self.counter, i, index + 1))
            self.counter += 1

    def _report_moments(self, start: datetime) -> list[datetime]:
        week = IsoWeek.of(start)
        moments = []
        while True:
            week = week.next()
            moment = datetime.combine(week.monday, REPORT_TIME, tzinfo=timezone.localtime(start).tzinfo)
            if moment > self.end:
                return moments
            moments.append(moment)

    def _dues(self) -> dict[str, datetime | None]:
        """When each of beat's jobs next has something to do (two queries)."""
        messages = OutboundMessage.objects.filter(state=MessageState.PENDING).aggregate(m=Min("due_at"))
        open_ = Q(status__in=OPEN_STATUSES)
        resolved = Q(status=Status.RESOLVED)
        complaints = Complaint.objects.filter(open_ | resolved).aggregate(
            alert=Min("next_alert_at", filter=open_),
            progress=Min("progress_due_at", filter=open_ & Q(sla_policy__isnull=False)),
            revisit=Min("revisit_due_at", filter=resolved),
            reminder=Min("survey_reminder_due_at", filter=resolved),
        )
        return {"message": messages["m"], **complaints}

    def _jobs(self, now: datetime, dues: dict[str, datetime | None], *, report: bool) -> None:
        """What beat would have run by now: only the jobs that have something to do (the others would find
        nothing)."""

        def due(*names: str) -> bool:
            return any(dues[name] is not None and dues[name] <= now for name in names)

        self.result.job_runs += 1
        enqueued = False
        if due("alert"):
            self._sweep(now)
            enqueued = True
        if due("progress"):
            self.result.progress_updates += progress_updates_plan(now=now).planned
            enqueued = True
        if due("revisit", "reminder"):
            revisits_plan(now=now)
            enqueued = True
        hour = now.replace(minute=0, second=0, microsecond=0)
        if hour != self.last_surge_hour and self.received_since_surge_check:
            # Hourly in production; a surge can only start when complaints come in.
            self.last_surge_hour = hour
            self.received_since_surge_check = False
            alerts = surge_check(now=now).alerts
            self.result.surges += alerts
            enqueued = enqueued or alerts > 0
        if report:
            self.result.reports_emailed += weekly_report_email(week=IsoWeek.of(now).previous(), now=now)
            enqueued = True
        outage = self.outage[0] <= now < self.outage[1]  # the outbox worker is down: messages wait
        if not outage and (enqueued or due("message")):
            self.result.messages_sent += outbox_dispatch(now=now, time_budget_seconds=3600).sent

    def _sweep(self, now: datetime) -> None:
        swept = clocks_sweep(now=now)
        self.result.breaches += swept.breaches
        self.result.escalations += swept.escalations

    # -- the stories

    def _step(self, i: int, index: int, at: datetime) -> None:
        history = self.histories[i]
        if index < 0:
            self.complaints[i] = self.acts.create(history)
            self.received_since_surge_check = True
            self.result.steps_done += 1
            return
        step = history.steps[index][0]
        complaint = Complaint.objects.select_related("owner").get(pk=self.complaints[i].pk)
        if complaint.next_alert_at is not None and complaint.next_alert_at <= at and complaint.status in OPEN_STATUSES:
            # A clock of this complaint ran out since the last sweep: beat's sweep (every minute) would have
            # recorded it before this step (a late reply is late), so the sweep runs first.
            self._sweep(at)
            complaint.refresh_from_db()
        try:
            self.acts.perform(i, step, complaint, at)
        except ServiceError:
            # The month went otherwise than the plan (say, the claim could not be proposed): the agent moves on.
            self.result.steps_skipped[step.action] += 1
            return
        self.result.steps_done += 1


def month_live(*, histories: list[History], carriers: dict[str, Carrier], users: dict, now: datetime) -> MonthResult:
    """Play the histories from the first receipt until `now`, with beat's jobs in between (see the module)."""
    return Month(histories=histories, carriers=carriers, users=users, now=now).run()
