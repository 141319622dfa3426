"""The dispatcher through a real Celery worker on Redis, against the test's PostgreSQL database.

The worker is a subprocess (`celery -A config.celery_app worker --pool=solo`) with its own Redis database (15,
flushed first), its own queue and node name, so stray workers on the same Redis never take our tasks. It reads the
pytest-django test database, so it sees the rows this (transactional) test commits. Skipped without REDIS_URL or
PostgreSQL (see tests/conftest.py).
"""

import json
from pathlib import Path

import pytest
from django.utils import timezone

from complaints.choices import MessageChannel, MessageKind, MessageState
from complaints.models import OutboundMessage
from complaints.tasks import dispatch_outbox
from tests.factories import make_complaint
from tests.fixtures.celery_worker import DONE_TIMEOUT, _wait

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    # serialized_rollback like every transactional test here: mixing the two kinds breaks the flush (Django #23727).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _sms_lines(folder: Path) -> list[dict]:
    return [
        json.loads(line)
        for path in sorted(folder.glob("sms-*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def test_worker_sends_the_acknowledgement_exactly_once(quiet_hours_off, worker):
    complaint = make_complaint()
    message = OutboundMessage.objects.get(complaint=complaint, kind=MessageKind.ACKNOWLEDGEMENT)
    assert message.channel == MessageChannel.SMS
    assert message.state == MessageState.PENDING
    assert message.due_at <= timezone.now()

    # Two dispatcher runs (as beat's sweep and an after-commit nudge would enqueue them): `delay()` through our own
    # broker connection and queue.
    for _ in range(2):
        dispatch_outbox.apply_async(connection=worker["connection"], queue=worker["queue"])

    def sent():
        message.refresh_from_db()
        return message.state == MessageState.SENT

    _wait(sent, DONE_TIMEOUT, "the acknowledgement to be sent", worker["log"])

    # Both tasks have run, so a second send would have happened by now.
    def both_done():
        lines = worker["log"].read_text(errors="replace").splitlines()
        return sum("redress.dispatch_outbox[" in line and "succeeded" in line for line in lines) >= 2

    _wait(both_done, DONE_TIMEOUT, "both dispatcher tasks to finish", worker["log"])

    message.refresh_from_db()
    assert message.state == MessageState.SENT
    assert message.attempts == 1
    assert message.sent_at is not None
    assert message.provider_id == f"file-{message.pk}"
    lines = [line for line in _sms_lines(worker["sms_dir"]) if line["id"] == message.pk]
    assert len(lines) == 1
    assert lines[0]["to"] == complaint.complainant_phone
    assert complaint.reference in lines[0]["body"]
