"""Building weeks of complaints through the services, at chosen local times (Asia/Shanghai, UTC+8)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from complaints.choices import Status
from complaints.followups.outbox import outbox_dispatch
from complaints.followups.planning import progress_updates_plan, revisits_plan
from complaints.services import (
    complaint_answer_survey,
    complaint_assign,
    complaint_reply,
    complaint_resolve,
    complaint_transition,
)
from complaints.sla.sweep import clocks_sweep
from tests.factories import make_complaint

LOCAL = ZoneInfo("Asia/Shanghai")


def local(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment in 2026, local time."""
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL)


def receive(at: datetime, **fields):
    with time_machine.travel(at, tick=False):
        return make_complaint(at=at, **fields)


def assign(complaint, owner, at: datetime):
    with time_machine.travel(at, tick=False):
        return complaint_assign(complaint=complaint, actor=owner, owner=owner, at=at)


def first_reply(complaint, agent, at: datetime):
    """The first human reply, then acknowledged and in progress (a minute later)."""
    with time_machine.travel(at, tick=False):
        complaint_reply(complaint=complaint, actor=agent, message="您好，我们正在核查。", at=at)
        complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED, at=at)
        complaint_transition(complaint=complaint, actor=agent, to_status=Status.IN_PROGRESS, at=at)
    return complaint


def resolve(complaint, agent, at: datetime, *, area: str = "sorting", liable: bool | None = True):
    with time_machine.travel(at, tick=False):
        if complaint.status == Status.REOPENED:
            complaint_transition(complaint=complaint, actor=agent, to_status=Status.IN_PROGRESS, at=at)
        return complaint_resolve(
            complaint=complaint,
            actor=agent,
            summary="已处理",
            root_cause="分拣错误",
            root_cause_area=area,
            carrier_liable=liable,
            at=at,
        )


def answer(complaint, score: int, at: datetime):
    complaint.refresh_from_db()
    with time_machine.travel(at, tick=False):
        return complaint_answer_survey(complaint=complaint, cycle=complaint.reopen_count, score=score, at=at)


def sweep(at: datetime):
    """The minute sweep, as beat would run it at that moment."""
    with time_machine.travel(at, tick=False):
        return clocks_sweep(now=at)


def send_surveys(at: datetime):
    """The revisit planner and the dispatcher at that moment."""
    with time_machine.travel(at, tick=False):
        revisits_plan(now=at)
        outbox_dispatch(now=at)


def plan_progress(at: datetime):
    with time_machine.travel(at, tick=False):
        return progress_updates_plan(now=at)


def dispatch(at: datetime):
    with time_machine.travel(at, tick=False):
        return outbox_dispatch(now=at)
