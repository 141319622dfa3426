"""Three worker processes on one queue share the due messages and the clocks: SELECT … FOR UPDATE SKIP LOCKED means
every message is sent exactly once and every breach recorded once, with nothing left claimed and unsent.

Real workers on the private Redis, each writing its SMS to a folder of its own (so the test sees who sent what),
through a file backend that takes 50 ms per message (tests/faults/backends.py), so the three are sending at once."""

import ast
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from complaints.choices import AlertKind, Clock, EventKind, MessageChannel, MessageKind, MessageState
from complaints.models import ClockAlert, ComplaintEvent, OutboundMessage
from tests.factories import CarrierFactory, make_complaint
from tests.workers import tail, wait_for

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

COMPLAINTS = 60
SHARED_QUEUE = "redress-test-shared"


def sms_ids(folder: Path) -> list[int]:
    return [
        json.loads(line)["id"]
        for path in sorted(folder.glob("sms-*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def results(workers, task: str) -> list[dict]:
    """What each run of `task` returned, from the workers' logs ("Task <name>[id] succeeded in 0.1s: {...}")."""
    found = []
    for worker in workers:
        for match in re.finditer(
            rf"Task {re.escape(task)}\[[^\]]+\] succeeded in [^:]+: (\{{.*\}})", tail(worker.log, 10**8)
        ):
            found.append(ast.literal_eval(match.group(1)))  # the task's dict of counts, as celery logs it
    return found


def test_three_workers_on_one_queue_send_each_message_once_and_breach_each_clock_once(
    settings, workers, control_app, tmp_path
):
    # Given three workers on one queue, each writing the SMS it sends to its own folder
    started = [
        workers.start(
            f"w{n}",
            SHARED_QUEUE,
            REDRESS_SMS_BACKEND="tests.faults.backends.SlowFileBackend",
            REDRESS_SMS_FILE_DIR=str(tmp_path / f"sms-w{n}"),
            REDRESS_QUIET_HOURS_START="24",
            REDRESS_QUIET_HOURS_END="0",
        )
        for n in range(3)
    ]
    # and 60 complaints received 25 hours ago: 60 acknowledgements due, 60 first responses overdue
    settings.REDRESS_QUIET_HOURS_START, settings.REDRESS_QUIET_HOURS_END = 24, 0
    zto = CarrierFactory(code="ZTO")
    with time_machine.travel(timezone.now() - timedelta(hours=25), tick=False):
        complaints = [make_complaint(carrier=zto) for _ in range(COMPLAINTS)]
    acknowledgements = set(
        OutboundMessage.objects.filter(kind=MessageKind.ACKNOWLEDGEMENT, channel=MessageChannel.SMS).values_list(
            "pk", flat=True
        )
    )
    assert len(acknowledgements) == COMPLAINTS
    workers.wait_answering()

    # When three dispatchers, three sweeps and three more dispatchers are queued at once (beat and nudges overlapping)
    for name in ["redress.dispatch_outbox"] * 3 + ["redress.sweep_clocks"] * 3 + ["redress.dispatch_outbox"] * 3:
        control_app.send_task(name, queue=SHARED_QUEUE)
    wait_for(
        lambda: (
            len(results(started, "redress.dispatch_outbox")) == 6 and len(results(started, "redress.sweep_clocks")) == 3
        ),
        60,
        "the nine tasks to finish",
        *(w.log for w in started),
    )

    # Then every acknowledgement went out exactly once
    sent = {w.name: sms_ids(tmp_path / f"sms-{w.name}") for w in started}
    every = [message_id for ids in sent.values() for message_id in ids]
    assert sorted(every) == sorted(acknowledgements)
    # shared between the three workers
    assert all(sent.values()), {name: len(ids) for name, ids in sent.items()}
    # and nothing is left claimed or due
    states = OutboundMessage.objects.filter(pk__in=acknowledgements).values_list("state", "attempts")
    assert set(states) == {(MessageState.SENT, 1)}
    assert not OutboundMessage.objects.filter(state=MessageState.SENDING).exists()
    # and each complaint's first response was breached (and escalated) once, by one of the three sweeps
    assert ClockAlert.objects.filter(kind=AlertKind.BREACH, clock=Clock.FIRST_RESPONSE).count() == COMPLAINTS
    assert ComplaintEvent.objects.filter(kind=EventKind.SLA_BREACH).count() == COMPLAINTS
    assert ComplaintEvent.objects.filter(kind=EventKind.ESCALATED).count() == COMPLAINTS
    assert sum(r["breaches"] for r in results(started, "redress.sweep_clocks")) == COMPLAINTS
    assert {c.pk for c in complaints} == set(
        ComplaintEvent.objects.filter(kind=EventKind.SLA_BREACH).values_list("complaint_id", flat=True)
    )
