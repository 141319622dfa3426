"""Queues by workload: a webhook receiver and an SMS gateway that each take 10 s per call do not delay the clock sweep.

Real workers on the private Redis, one per queue as docker-compose.yml runs them (clocks, outbox, webhooks); tasks
are sent by name and routed by the settings' CELERY_TASK_ROUTES, as beat sends them. A local webhook receiver and a
local SMS gateway (complaints.followups.sms.HttpGatewayBackend) hold every request 10 s. While both dispatchers are
stuck in their calls, the minute's sweep still runs at once and records the breach that was due."""

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from celery import Celery
from django.conf import settings as django_settings
from django.utils import timezone

from complaints.choices import AlertKind, Clock, Status
from complaints.models import ClockAlert, WebhookDelivery, WebhookEndpoint
from complaints.partners.webhooks.models import WebhookEventType
from complaints.services import complaint_hand_to_carrier, complaint_transition
from tests.factories import AgentFactory, CarrierFactory, make_complaint
from tests.workers import logged, tail, wait_for

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CALL_SECONDS = 10
# The sweep must be done well before the slow calls end: a few seconds, however loaded the machine.
SWEEP_WITHIN = 6


@dataclass
class SlowServer:
    """An HTTP server on 127.0.0.1 that holds every POST for CALL_SECONDS, then answers 200 {"id": "slow"}."""

    url: str = ""
    arrived: list[float] = field(default_factory=list)
    answered: list[float] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def in_flight(self) -> int:
        return len(self.arrived) - len(self.answered)


def serve_slowly():
    slow = SlowServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            slow.arrived.append(time.monotonic())
            slow.release.wait(CALL_SECONDS)
            body = json.dumps({"id": "slow"}).encode()
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:  # the client gave up (its own 10 s timeout)
                pass
            slow.answered.append(time.monotonic())

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    slow.url = f"http://127.0.0.1:{server.server_address[1]}/slow"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, slow


@pytest.fixture
def slow_receiver():
    server, slow = serve_slowly()
    yield slow
    slow.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def slow_gateway():
    server, slow = serve_slowly()
    yield slow
    slow.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def beat_like(redis_server):
    """Sends tasks by name with the project's routes, as beat and the nudges do (no queue given)."""
    app = Celery("redress-test-beat-like", broker=redis_server.url(), set_as_current=False)
    app.conf.task_routes = django_settings.CELERY_TASK_ROUTES
    app.conf.task_default_queue = django_settings.CELERY_TASK_DEFAULT_QUEUE
    yield app
    app.close()


def test_a_slow_webhook_receiver_and_a_slow_sms_gateway_do_not_delay_the_clock_sweep(
    settings, workers, beat_like, slow_receiver, slow_gateway
):
    # Given a worker per queue, as docker-compose.yml runs them, the SMS going through a gateway that takes 10 s
    env = {
        "REDRESS_SMS_BACKEND": "complaints.followups.sms.HttpGatewayBackend",
        "REDRESS_SMS_GATEWAY_URL": slow_gateway.url,
        "REDRESS_QUIET_HOURS_START": "24",
        "REDRESS_QUIET_HOURS_END": "0",
    }
    clocks = workers.start("clocks", "clocks", **env)
    outbox = workers.start("outbox", "outbox", **env)
    webhooks = workers.start("webhooks", "webhooks", **env)
    # and a complaint received 25 hours ago (its first response is overdue; its acknowledgement SMS is due)
    settings.REDRESS_QUIET_HOURS_START, settings.REDRESS_QUIET_HOURS_END = 24, 0
    zto = CarrierFactory(code="ZTO")
    with time_machine.travel(timezone.now() - timedelta(hours=25), tick=False):
        overdue = make_complaint(carrier=zto)
    # and a complaint handed to ZTO, whose webhook receiver takes 10 s
    WebhookEndpoint.objects.create(
        carrier=zto,
        url=slow_receiver.url,
        secret="whsec_slow_0123456789abcdefghijkl",
        event_types=[WebhookEventType.ASSIGNED],
    )
    agent = AgentFactory()
    handed = make_complaint(carrier=zto)
    complaint_transition(complaint=handed, actor=agent, to_status=Status.ACKNOWLEDGED)
    complaint_hand_to_carrier(complaint=handed, actor=agent)
    assert WebhookDelivery.objects.filter(complaint=handed).count() == 1
    workers.wait_answering()

    # When beat sends the outbox and webhook dispatchers, and both are stuck in a 10 s call
    beat_like.send_task("redress.dispatch_outbox")
    beat_like.send_task("redress.dispatch_webhooks")
    wait_for(
        lambda: slow_gateway.in_flight() and slow_receiver.in_flight(), 20, "both slow calls", outbox.log, webhooks.log
    )
    # and then the minute's clock sweep
    started = time.monotonic()
    sweep = beat_like.send_task("redress.sweep_clocks").id

    # Then the sweep runs at once and records the overdue first response
    wait_for(
        lambda: ClockAlert.objects.filter(
            complaint=overdue, clock=Clock.FIRST_RESPONSE, kind=AlertKind.BREACH
        ).exists(),
        SWEEP_WITHIN,
        "the sweep to record the breach",
        clocks.log,
    )
    wait_for(lambda: logged(clocks.log, sweep, "succeeded"), 5, "the sweep task to finish", clocks.log)
    took = time.monotonic() - started
    # while both dispatchers are still in their calls
    assert slow_gateway.in_flight() == 1 and slow_receiver.in_flight() == 1
    assert took < SWEEP_WITHIN
    # and each task ran on its own queue's worker
    assert not logged(outbox.log, sweep, "received") and not logged(webhooks.log, sweep, "received")
    assert "redress.dispatch_outbox[" in tail(outbox.log) and "redress.dispatch_webhooks[" in tail(webhooks.log)

    # And a minute later (beat sends it again) the sweep is as quick, the dispatchers still busy
    again = beat_like.send_task("redress.sweep_clocks").id
    wait_for(lambda: logged(clocks.log, again, "succeeded"), SWEEP_WITHIN, "the next sweep", clocks.log)
    assert slow_gateway.in_flight() and slow_receiver.in_flight()
