"""The HTTP SMS gateway backend against a real gateway on 127.0.0.1: every attempt of a message carries the same
idempotency key, an accepted message whose answer is not JSON counts as sent, and a gateway that answers garbage or
redirects fails that message only (retried), while the others go out."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from complaints.choices import MessageKind, MessageState
from complaints.followups.outbox import outbox_dispatch
from complaints.models import OutboundMessage
from tests.factories import make_complaint

T0 = datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MIN = timedelta(minutes=1)


@dataclass
class Gateway:
    url: str = ""
    requests: list = field(default_factory=list)
    # Per recipient, what to answer: a list of (status, body bytes) or "garbage", used up in order; then 200 JSON.
    script: dict = field(default_factory=dict)
    delay: float = 0.0  # seconds before each answer
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(gateway: Gateway):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with gateway.lock:
                gateway.requests.append({"path": self.path, "headers": dict(self.headers.items()), "json": body})
                answers = gateway.script.get(body["to"], [])
                answer = answers.pop(0) if answers else (200, json.dumps({"id": f"gw-{len(gateway.requests)}"}))
            time.sleep(gateway.delay)
            if answer == "garbage":
                self.wfile.write(b"SMS GATEWAY READY\r\n\r\n")  # not HTTP at all: http.client's BadStatusLine
                self.close_connection = True
                return
            status, payload = answer
            payload = payload.encode() if isinstance(payload, str) else payload
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self):  # a followed redirect would arrive here
            with gateway.lock:
                gateway.requests.append({"path": self.path, "headers": dict(self.headers.items()), "json": None})
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def gateway(settings):
    gw = Gateway()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(gw))
    gw.url = f"http://127.0.0.1:{server.server_address[1]}/sms/send"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.REDRESS_SMS_BACKEND = "complaints.followups.sms.HttpGatewayBackend"
    settings.REDRESS_SMS_GATEWAY_URL = gw.url
    settings.REDRESS_SMS_GATEWAY_TOKEN = "gw-token-123"
    settings.REDRESS_MESSAGE_RETRY_BASE_SECONDS = 60
    try:
        yield gw
    finally:
        server.shutdown()
        server.server_close()


def at(moment):
    return time_machine.travel(moment, tick=False)


def ack_of(complaint):
    return OutboundMessage.objects.get(complaint=complaint, kind=MessageKind.ACKNOWLEDGEMENT)


@pytest.mark.django_db
def test_every_attempt_of_a_message_carries_the_same_idempotency_key(gateway):
    # Given a gateway that is overloaded on the first try
    with at(T0):
        complaint = make_complaint()
    gateway.script[complaint.complainant_phone] = [(503, "busy")]

    # When the dispatcher runs, and again when the retry is due
    with at(T0):
        assert outbox_dispatch().retried == 1
    with at(T0 + MIN):
        assert outbox_dispatch().sent == 1

    # Then the gateway saw the message twice with one key, in the body and in the Idempotency-Key header
    ack = ack_of(complaint)
    keys = [(r["json"]["idempotency_key"], r["headers"]["Idempotency-Key"]) for r in gateway.requests]
    assert keys == [(f"redress-{ack.pk}", f"redress-{ack.pk}")] * 2
    assert gateway.requests[0]["headers"]["Authorization"] == "Bearer gw-token-123"
    assert gateway.requests[0]["json"]["to"] == complaint.complainant_phone
    assert (ack.state, ack.provider_id) == (MessageState.SENT, "gw-2")


@pytest.mark.django_db
def test_a_gateway_answering_garbage_or_not_json_costs_that_message_only(gateway):
    # Given three messages: the gateway answers the first with garbage (no HTTP status line), accepts the second with
    # an HTML page instead of JSON, and the third normally
    with at(T0):
        garbled, html, fine = make_complaint(), make_complaint(), make_complaint()
    gateway.script[garbled.complainant_phone] = ["garbage"]
    gateway.script[html.complainant_phone] = [(200, "<html>OK</html>")]

    # When the dispatcher runs
    with at(T0):
        result = outbox_dispatch()

    # Then the run went through all three: the garbled one is retried with the reason, the two others are sent
    assert (result.sent, result.retried, result.failed) == (2, 1, 0)
    garbled_ack = ack_of(garbled)
    assert (garbled_ack.state, garbled_ack.attempts) == (MessageState.PENDING, 1)
    assert "BadStatusLine" in garbled_ack.last_error
    assert (ack_of(html).state, ack_of(html).provider_id) == (MessageState.SENT, "")
    assert ack_of(fine).state == MessageState.SENT


@pytest.mark.django_db
def test_a_redirect_from_the_gateway_is_not_followed(gateway):
    # Given a gateway that answers 302 to another address
    with at(T0):
        complaint = make_complaint()
    gateway.script[complaint.complainant_phone] = [(302, "")]

    # When the dispatcher runs
    with at(T0):
        result = outbox_dispatch()

    # Then the gateway got one POST and nothing followed it; the message is retried later
    assert [r["path"] for r in gateway.requests] == ["/sms/send"]
    assert result.retried == 1
    assert "302" in ack_of(complaint).last_error


def _dispatcher_process(gateway: Gateway) -> subprocess.Popen:
    """A worker of its own: a Python process running one dispatcher run against the test database and the gateway."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDRESS_SMS_BACKEND": "complaints.followups.sms.HttpGatewayBackend",
        "REDRESS_SMS_GATEWAY_URL": gateway.url,
        "REDRESS_QUIET_HOURS_START": "24",  # no quiet hours: the test runs at any hour
        "REDRESS_QUIET_HOURS_END": "0",
    }
    code = "import django; django.setup(); from complaints.followups.outbox import outbox_dispatch; outbox_dispatch()"
    return subprocess.Popen([sys.executable, "-c", code], cwd=django_settings.BASE_DIR, env=env)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_run_leaves_one_message_in_doubt_and_it_is_sent_again_with_its_key(gateway, settings):
    # Given six acknowledgements due now, and a gateway taking 0.3 s per message
    settings.REDRESS_QUIET_HOURS_START, settings.REDRESS_QUIET_HOURS_END = 24, 0
    settings.REDRESS_MESSAGE_STUCK_AFTER_SECONDS = 5
    complaints = [make_complaint() for _ in range(6)]
    gateway.delay = 0.3

    # When a worker process runs the dispatcher and is killed with SIGKILL while the gateway holds its third message
    worker = _dispatcher_process(gateway)
    deadline = time.monotonic() + 20
    while len(gateway.requests) < 3 and time.monotonic() < deadline and worker.poll() is None:
        time.sleep(0.01)
    assert worker.poll() is None, "the dispatcher process ended by itself before it could be killed"
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    assert len(gateway.requests) == 3

    # Then two messages are sent, the third is "sending" (in doubt: the gateway may have it), the rest still pending
    assert [ack_of(c).state for c in complaints] == (
        [MessageState.SENT] * 2 + [MessageState.SENDING] + [MessageState.PENDING] * 3
    )

    # When a dispatcher runs once the in-doubt message's reclaim time has passed
    gateway.delay = 0
    result = outbox_dispatch(now=timezone.now() + timedelta(seconds=6))

    # Then everything is sent; only the message in doubt reached the gateway twice, with the same idempotency key
    assert (result.reclaimed, result.sent) == (1, 4)
    assert [ack_of(c).state for c in complaints] == [MessageState.SENT] * 6
    keys = [r["json"]["idempotency_key"] for r in gateway.requests]
    in_doubt = f"redress-{ack_of(complaints[2]).pk}"
    assert keys.count(in_doubt) == 2
    assert sorted(set(keys)) == sorted(f"redress-{ack_of(c).pk}" for c in complaints)
    assert len(keys) == 7
