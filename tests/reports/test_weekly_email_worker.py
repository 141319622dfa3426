"""The Monday email through a real Celery worker on Redis: the task delivered twice (beat firing twice, or a retry)
queues one message per supervisor, and the dispatcher sends each once. Reuses the worker of
tests/complaints/test_celery_worker.py (its own Redis database and queue)."""

from datetime import timedelta

import pytest

from complaints.choices import MessageKind, MessageState
from complaints.models import OutboundMessage
from complaints.tasks import dispatch_outbox
from reports.models import DailyFlow, WeeklyReport
from reports.reading import last_complete_week
from reports.tasks import report_rollup, weekly_report_send
from tests.factories import CarrierFactory, SupervisorFactory, make_complaint
from tests.fixtures.celery_worker import DONE_TIMEOUT, _wait

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _succeeded(log, task: str) -> int:
    lines = log.read_text(errors="replace").splitlines()
    return sum(f"{task}[" in line and "succeeded" in line for line in lines)


def test_the_worker_sends_the_weekly_report_once_when_the_task_runs_twice(worker):
    SupervisorFactory(username="sup_w1", email="w1@redress.example.com")
    SupervisorFactory(username="sup_w2", email="w2@redress.example.com")
    week = str(last_complete_week())
    # when the task is delivered twice, then the dispatcher runs twice
    for _ in range(2):
        weekly_report_send.apply_async(args=[week], connection=worker["connection"], queue=worker["queue"])
    _wait(
        lambda: _succeeded(worker["log"], "redress.weekly_report_send") >= 2,
        DONE_TIMEOUT,
        "both weekly report tasks",
        worker["log"],
    )
    for _ in range(2):
        dispatch_outbox.apply_async(connection=worker["connection"], queue=worker["queue"])
    _wait(
        lambda: _succeeded(worker["log"], "redress.dispatch_outbox") >= 2,
        DONE_TIMEOUT,
        "both dispatcher tasks",
        worker["log"],
    )
    # then one message per supervisor, each sent once
    messages = OutboundMessage.objects.filter(kind=MessageKind.WEEKLY_REPORT, period=week)
    assert sorted(messages.values_list("recipient", flat=True)) == ["w1@redress.example.com", "w2@redress.example.com"]
    assert set(messages.values_list("state", flat=True)) == {MessageState.SENT}
    assert set(messages.values_list("attempts", flat=True)) == {1}
    assert WeeklyReport.objects.get(iso_week=week).emailed_at is not None


def test_the_worker_runs_the_daily_roll_up(worker):
    # Given complaints received on two days of the last week
    week = last_complete_week()
    zto = CarrierFactory(code="ZTO")
    for day in (1, 2):
        make_complaint(carrier=zto, at=week.start + timedelta(days=day, hours=10))
    # When beat's roll-up task is delivered to a worker (sent as beat sends it, with the project's time limits)
    report_rollup.apply_async(connection=worker["connection"], queue=worker["queue"])
    _wait(
        lambda: _succeeded(worker["log"], "redress.report_rollup") >= 1,
        DONE_TIMEOUT,
        "the roll-up task",
        worker["log"],
    )
    # Then the days are counted: the two complaints are in the roll-up
    assert sum(DailyFlow.objects.values_list("received", flat=True)) == 2
