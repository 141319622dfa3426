"""The dispatcher through a real Celery worker on Redis, against the test's PostgreSQL database.

The worker is a subprocess (`celery -A config.celery_app worker --pool=solo`) with its own Redis database (15,
flushed first), its own queue and node name, so stray workers on the same Redis never take our tasks. It reads the
pytest-django test database, so it sees the rows this (transactional) test commits. Skipped without REDIS_URL or
PostgreSQL (see tests/conftest.py).
"""

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from complaints.choices import MessageChannel, MessageKind, MessageState
from complaints.models import OutboundMessage
from complaints.tasks import dispatch_outbox
from config.celery_app import app
from tests.factories import make_complaint

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    # serialized_rollback like every transactional test here: mixing the two kinds breaks the flush (Django #23727).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

REDIS_DB = 15
START_TIMEOUT = 30
DONE_TIMEOUT = 30


def _redis_url() -> str:
    """REDIS_URL with its database number replaced by ours."""
    parts = urlsplit(os.environ["REDIS_URL"])
    return urlunsplit((parts.scheme, parts.netloc, f"/{REDIS_DB}", parts.query, parts.fragment))


def _test_database_url() -> str:
    """A DATABASE_URL for the database pytest-django created (test_...), where this test commits its rows."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s.get("HOST") or "localhost"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{s['NAME']}"


def _wait(condition, timeout: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    tail = log.read_text(errors="replace")[-4000:] if log and log.exists() else ""
    pytest.fail(f"timed out after {timeout}s waiting for {what}\n--- worker log ---\n{tail}")


@pytest.fixture
def quiet_hours_off(settings):
    # Hour >= 24 and hour < 0 never happen: SMS may go out at any time, here and in the worker (same values in env).
    settings.REDRESS_QUIET_HOURS_START = 24
    settings.REDRESS_QUIET_HOURS_END = 0


@pytest.fixture
def broker():
    """A kombu connection to our own, freshly flushed Redis database, and a bare Celery app on it for control
    commands (the project's app keeps its producer pool on REDIS_URL, which a passed connection does not change)."""
    import redis
    from celery import Celery

    url = _redis_url()
    redis.Redis.from_url(url).flushdb()
    control = Celery("redress-test-control", broker=url, set_as_current=False)
    with app.connection_for_write(url) as conn:
        yield {"connection": conn, "control": control}
    control.close()
    redis.Redis.from_url(url).flushdb()


@pytest.fixture
def worker(transactional_db, broker, tmp_path):
    """A real worker process; terminated (then killed if need be) before the test database is flushed."""
    token = uuid.uuid4().hex[:12]
    queue = f"redress-test-{token}"
    nodename = f"redress-test-{token}@localhost"
    sms_dir = tmp_path / "sms"
    log = tmp_path / "worker.log"
    celery = Path(sys.executable).parent / "celery"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": _redis_url(),
        "REDRESS_SMS_BACKEND": "complaints.sms.FileBackend",
        "REDRESS_SMS_FILE_DIR": str(sms_dir),
        "REDRESS_QUIET_HOURS_START": "24",
        "REDRESS_QUIET_HOURS_END": "0",
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        str(celery), "-A", "config.celery_app", "worker", "--pool=solo", "-c", "1", "-l", "info",
        "-n", nodename, "-Q", queue, "--without-mingle", "--without-gossip",
    ]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=django_settings.BASE_DIR, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        def answers():
            if process.poll() is not None:
                pytest.fail(f"the worker exited with {process.returncode}:\n{log.read_text(errors='replace')}")
            return broker["control"].control.ping(destination=[nodename], timeout=0.5)

        _wait(answers, START_TIMEOUT, "the worker to answer a ping", log)
        yield {"queue": queue, "sms_dir": sms_dir, "log": log, "connection": broker["connection"]}
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _sms_lines(folder: Path) -> list[dict]:
    return [json.loads(line) for path in sorted(folder.glob("sms-*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


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
