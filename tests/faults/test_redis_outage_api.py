"""The partner API through a Redis outage, with a real gunicorn web and a private redis-server stopped (or frozen) and
started again in the test.

Before: every request answered 500 while Redis was down (the rate-limit counters lived in Redis with no fallback),
each waited 5 s first when Redis hung, and /healthz hung. Now the API serves from PostgreSQL the whole time, quickly;
/healthz says "degraded" within a couple of seconds; complaints filed during the outage are kept, and their messages
go out once Redis is back.
"""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings

from accounts.services import api_key_issue
from complaints.choices import MessageState
from complaints.models import Complaint, OutboundMessage
from complaints.services import complaint_hand_to_carrier, complaint_transition
from tests.factories import AgentFactory, CarrierFactory, make_complaint
from tests.web_server import WebServer
from tests.workers import (
    ROOT,
    START_TIMEOUT,
    new_names,
    pings,
    stop_process_group,
    wait_for,
    worker_command,
    worker_env,
)

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Every API request during the outage answers within this (the cache's timeout is 0.25 s), plus twice the slowest
# of the same requests while Redis answered (what the machine's load adds).
REQUEST_BUDGET = 1.5
# /healthz checks the broker with a 1 s timeout and the cache with its own.
HEALTH_BUDGET = 3.0


@pytest.fixture
def carrier_setup(transactional_db):
    zto = CarrierFactory(code="ZTO")
    agent = AgentFactory(username="agent_outage")
    waiting = make_complaint(carrier=zto)
    complaint_transition(complaint=waiting, actor=agent, to_status="acknowledged")
    complaint_hand_to_carrier(complaint=waiting, actor=agent)
    _key, raw = api_key_issue(carrier=zto, name="ERP")
    return {"auth": {"Authorization": f"Bearer {raw}"}, "reference": waiting.reference}


@pytest.fixture
def web(redis_server, tmp_path):
    """gunicorn with the production arrangement: broker and cache on the same (private) Redis, nudges on."""
    server = WebServer(
        tmp_path / "web.log", env={"REDIS_URL": redis_server.url()}, settings="tests.faults.web_settings"
    )
    server.start()
    yield server
    server.stop()


def _start_worker(redis_server, control_app, log):
    """A worker on every queue of the private Redis (as `make run` runs it), where the web's nudges go."""
    _queue, nodename = new_names()
    with open(log, "wb") as out:
        process = subprocess.Popen(
            worker_command(",".join(settings.REDRESS_QUEUES), nodename),
            cwd=ROOT,
            env=worker_env(redis_server.url()),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    wait_for(lambda: pings(control_app, nodename), START_TIMEOUT, "the worker to answer a ping", log)
    return process


def _timed(call, *args, **kwargs):
    started = time.monotonic()
    result = call(*args, **kwargs)
    return result, time.monotonic() - started


def _new_complaint(n: int) -> dict:
    # Email, not SMS: SMS waits for the morning in quiet hours, and this test runs at any time of day.
    return {
        "waybill_number": f"ZT7500008{n:04d}",
        "category": "delay",
        "description": "快件已经延误三天，物流信息一直没有更新。",
        "complainant_name": "张伟",
        "complainant_email": f"zhang{n}@example.com",
    }


def _serve_through_outage(web, setup, *, rounds: int, first: int = 0, budget: float = REQUEST_BUDGET) -> list[str]:
    """Reads and writes as a carrier's system makes them; every answer 2xx and within `budget` seconds. Returns the
    references filed."""
    filed, slowest = _serve(web, setup, rounds=rounds, first=first)
    assert slowest < budget, f"the slowest request took {slowest:.2f}s (budget {budget:.2f}s)"
    return filed


def _serve(web, setup, *, rounds: int, first: int = 0) -> tuple[list[str], float]:
    auth, reference = setup["auth"], setup["reference"]
    filed, slowest = [], 0.0
    for n in range(first, first + rounds):
        for method, path, payload in (
            ("GET", "/api/v1/complaints/", None),
            ("GET", f"/api/v1/complaints/{reference}/", None),
            ("GET", f"/api/v1/complaints/{reference}/events/", None),
            ("POST", "/api/v1/complaints/", _new_complaint(n)),
            ("POST", f"/api/v1/complaints/{reference}/replies/", {"message": f"处理中（{n}）", "public": False}),
        ):
            headers = {**auth, "Idempotency-Key": f"outage-{method}-{path}-{n}"} if payload else auth
            (status, _headers, body), took = _timed(web.json, method, path, payload, headers)
            assert 200 <= status < 300, f"{method} {path}: {status} {body}\n{web.tail()}"
            slowest = max(slowest, took)
            if method == "POST" and path == "/api/v1/complaints/":
                filed.append(body["reference"])
    return filed, slowest


def _health(web):
    (status, _headers, body), took = _timed(web.json, "GET", "/healthz")
    assert took < HEALTH_BUDGET, f"/healthz took {took:.2f}s"
    return status, body


def test_the_api_serves_through_a_redis_outage_and_the_messages_go_out_afterwards(
    carrier_setup, redis_server, control_app, web, tmp_path
):
    # Given a running web on Redis, healthy
    status, body = _health(web)
    assert status == 200 and body["status"] == "ok", body
    _filed, healthy = _serve(web, carrier_setup, rounds=1, first=100)

    # When Redis stops
    redis_server.stop()

    # Then /healthz says degraded (200: the web still serves) and names what is down, quickly
    status, body = _health(web)
    assert status == 200 and body["status"] == "degraded", body
    assert body["database"] == "ok"
    assert body["broker"].startswith("error:") and body["cache"].startswith("error:")
    # and the API reads and writes PostgreSQL as usual, every request quickly
    filed = _serve_through_outage(web, carrier_setup, rounds=8, budget=REQUEST_BUDGET + 2 * healthy)
    assert Complaint.objects.filter(reference__in=filed).count() == 8
    # and the complainants' acknowledgements wait in the outbox
    waiting = OutboundMessage.objects.filter(complaint__reference__in=filed)
    assert waiting.count() == 8 and set(waiting.values_list("state", flat=True)) == {MessageState.PENDING}
    assert "Rate limits: the shared cache failed" in web.tail(10**7)

    # When Redis is back, with a worker
    redis_server.start()
    worker = _start_worker(redis_server, control_app, tmp_path / "worker.log")
    try:
        assert _health(web)[1]["status"] == "ok"
        # and the next write nudges the dispatcher, as writes do
        status, _headers, _body = web.json(
            "POST",
            "/api/v1/complaints/",
            _new_complaint(99),
            {**carrier_setup["auth"], "Idempotency-Key": "after-the-outage"},
        )
        assert status == 201

        # Then the messages kept during the outage go out
        wait_for(
            lambda: not waiting.exclude(state=MessageState.SENT).exists(),
            60,
            "the outage's messages to be sent",
            tmp_path / "worker.log",
        )
    finally:
        stop_process_group(worker)
    assert "Internal Server Error" not in web.tail(10**7)


def test_the_api_answers_quickly_while_redis_hangs(carrier_setup, redis_server, web):
    # Given the same requests' slowest time while Redis answers: on a loaded machine a healthy request can take most
    # of the budget by itself, and what is measured here is the wait for Redis on top of it
    _filed, healthy = _serve(web, carrier_setup, rounds=1, first=100)
    # and a Redis that accepts connections and never answers (frozen, as a stuck server or a dead network path)
    os.kill(redis_server.process.pid, signal.SIGSTOP)
    try:
        # Then /healthz says degraded within a couple of seconds instead of hanging
        status, body = _health(web)
        assert status == 200 and body["status"] == "degraded", body
        assert body["broker"].startswith("error:") and body["cache"].startswith("error:")
        # and no API request waits for Redis for long
        filed = _serve_through_outage(web, carrier_setup, rounds=4, budget=REQUEST_BUDGET + 2 * healthy)
        assert Complaint.objects.filter(reference__in=filed).count() == 4
    finally:
        os.kill(redis_server.process.pid, signal.SIGCONT)
    assert _health(web)[1]["status"] == "ok"
    assert "Internal Server Error" not in web.tail(10**7)


ENQUEUE_PROBE = """
import json, time
from celery import current_app
from complaints import nudges
results = {}
for name, call in (
    ("nudge", lambda: nudges.nudge(current_app.signature(nudges.DISPATCH_OUTBOX), name="outbox")),
    ("task_enqueue", lambda: nudges.task_enqueue(nudges.DISPATCH_OUTBOX)),
):
    started = time.monotonic()
    try:
        outcome = repr(call())
    except Exception as error:
        outcome = type(error).__name__
    results[name] = [outcome, time.monotonic() - started]
print("RESULT" + json.dumps(results))
"""


def _enqueue_in_a_web_process(redis_server) -> dict:
    """What a web process's enqueueing does against the private Redis: a fresh process with the web's settings."""
    completed = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", ENQUEUE_PROBE],
        cwd=ROOT,
        env=worker_env(redis_server.url(), DJANGO_SETTINGS_MODULE="tests.faults.web_settings", LOG_LEVEL="ERROR"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    line = next((line for line in completed.stdout.splitlines() if line.startswith("RESULT")), None)
    assert line, completed.stdout + completed.stderr
    return json.loads(line.removeprefix("RESULT"))


@pytest.mark.parametrize("outage", ["stopped", "hanging"])
def test_enqueueing_fails_fast_when_redis_is_stopped_or_hangs(redis_server, outage):
    # Given Redis stopped, or frozen (connections accepted, never answered: without socket timeouts a publish waited
    # forever)
    if outage == "stopped":
        redis_server.stop()
    else:
        os.kill(redis_server.process.pid, signal.SIGSTOP)
    try:
        # When a web process nudges the dispatcher and enqueues a task
        results = _enqueue_in_a_web_process(redis_server)
    finally:
        if outage == "hanging":
            os.kill(redis_server.process.pid, signal.SIGCONT)

    # Then the nudge gives up within the cache's timeout (it is left to beat), saying so by returning False
    outcome, took = results["nudge"]
    assert outcome == "False" and took < 1.0, results
    # and a task enqueued directly fails with the broker's error within seconds
    outcome, took = results["task_enqueue"]
    assert outcome == "OperationalError" and took < 7.0, results
