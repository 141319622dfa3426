"""Webhooks to carriers: the right events reach the right carrier's endpoints, signed, exactly once per event;
failures are retried with backoff for 24 hours, then failed; every attempt is logged; a delivery can be replayed.
A real HTTP server (tests/complaints/webhook_receiver.py) stands in for the carrier."""

import hashlib
import hmac
import json
import socket
import threading
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from complaints import services
from complaints.choices import EventKind, Status
from complaints.errors import IllegalTransition, VersionConflict
from complaints.models import ComplaintEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from complaints.partners.webhooks.dispatch import webhooks_dispatch
from complaints.partners.webhooks.endpoints import webhook_delivery_replay, webhook_endpoint_rotate_secret
from complaints.partners.webhooks.enqueue import webhook_deliveries_enqueue
from complaints.partners.webhooks.models import WebhookEventType, WebhookState
from complaints.partners.webhooks.signing import body_bytes, sign, verify
from complaints.sla.escalate import complaint_escalate
from complaints.sla.sweep import clocks_sweep
from tests.concurrency import run_together
from tests.factories import CarrierFactory, make_complaint
from tests.fixtures.webhook_receiver import verify_like_a_receiver

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
MIN = timedelta(minutes=1)
H = timedelta(hours=1)
SECRET = "whsec_test_0123456789abcdefghijklmnop"


def at(moment):
    return time_machine.travel(moment, tick=False)


def endpoint_for(carrier, url, **fields):
    return WebhookEndpoint.objects.create(carrier=carrier, url=url, secret=fields.pop("secret", SECRET), **fields)


def handed_to_carrier(complaint, actor):
    services.complaint_transition(complaint=complaint, actor=actor, to_status=Status.ACKNOWLEDGED)
    return services.complaint_hand_to_carrier(complaint=complaint, actor=actor, message="请核实派送情况")


def deliveries(complaint, **filters):
    return list(WebhookDelivery.objects.filter(complaint=complaint, **filters).order_by("pk"))


@pytest.mark.django_db
def test_handing_a_complaint_to_the_carrier_posts_signed_events_to_its_endpoint(receiver, agent, zto):
    # Given ZTO's endpoint
    endpoint_for(zto, receiver.url)

    # When an agent acknowledges the complaint and hands it to ZTO, and the dispatcher runs
    with at(T0):
        complaint = make_complaint(carrier=zto)
        handed_to_carrier(complaint, agent)
        result = webhooks_dispatch()

    # Then ZTO received two POSTs: the status change, then the assignment
    assert result.delivered == 2
    types = [r.headers["redress-event-type"] for r in receiver.requests]
    assert types == ["complaint.updated", "complaint.assigned"]
    for request in receiver.requests:
        # each one signed over its timestamp and raw body, verifiable with the secret alone
        with at(T0 + 30 * timedelta(seconds=1)):
            assert verify_like_a_receiver(
                secret=SECRET, signature_header=request.headers["redress-signature"], raw_body=request.body
            )
        assert not verify_like_a_receiver(
            secret="whsec_wrong_secret_000000000000",
            signature_header=request.headers["redress-signature"],
            raw_body=request.body,
            now=T0.timestamp(),
        )
        assert request.headers["content-type"].startswith("application/json")
        # and its event id is in the header and in the body
        assert request.headers["redress-event-id"] == request.json["id"]
        uuid.UUID(request.json["id"])
    assigned = receiver.requests[1].json
    assert assigned["type"] == "complaint.assigned"
    assert assigned["data"]["complaint"]["reference"] == complaint.reference
    assert assigned["data"]["complaint"]["status"] == Status.AWAITING_CARRIER
    assert assigned["data"]["event"]["kind"] == EventKind.HANDED_TO_CARRIER
    assert assigned["data"]["event"]["message"] == "请核实派送情况"
    # and both deliveries are marked delivered, each with one logged attempt
    for delivery in deliveries(complaint):
        assert delivery.state == WebhookState.DELIVERED
        assert delivery.attempts == 1
        assert delivery.last_status_code == 200
        attempt = delivery.attempt_log.get()
        assert attempt.status_code == 200
        assert attempt.response_excerpt == '{"ok": true}'


@pytest.mark.django_db
def test_a_tampered_body_or_an_old_timestamp_fails_verification(receiver, agent, zto):
    endpoint_for(zto, receiver.url)
    with at(T0):
        complaint = make_complaint(carrier=zto)
        handed_to_carrier(complaint, agent)
        webhooks_dispatch()
    request = receiver.requests[-1]
    header = request.headers["redress-signature"]
    assert verify_like_a_receiver(secret=SECRET, signature_header=header, raw_body=request.body, now=T0.timestamp())
    tampered = request.body.replace(b"awaiting_carrier", b"resolved")
    assert not verify_like_a_receiver(secret=SECRET, signature_header=header, raw_body=tampered, now=T0.timestamp())
    # A capture replayed ten minutes later is refused by the timestamp check.
    assert not verify_like_a_receiver(
        secret=SECRET, signature_header=header, raw_body=request.body, now=(T0 + 10 * MIN).timestamp()
    )


@pytest.mark.django_db
def test_another_carriers_endpoint_and_internal_notes_never_get_anything(receiver, agent, zto, sf):
    # Given an endpoint for SF only, and a second one for ZTO that is switched off
    endpoint_for(sf, receiver.url)
    endpoint_for(zto, receiver.url + "/off", is_active=False)

    # When a ZTO complaint is worked, with an internal note, and the dispatcher runs
    with at(T0):
        complaint = make_complaint(carrier=zto)
        handed_to_carrier(complaint, agent)
        services.complaint_add_note(complaint=complaint, actor=agent, message="内部：客户情绪激动")
        services.complaint_reply(complaint=complaint, actor=agent, message="我们已联系承运商。")
        webhooks_dispatch()

    # Then nothing was queued or sent
    assert WebhookDelivery.objects.count() == 0
    assert receiver.requests == []


@pytest.mark.django_db
def test_internal_note_is_not_sent_but_a_public_reply_is(receiver, agent, zto):
    endpoint_for(zto, receiver.url)
    with at(T0):
        complaint = make_complaint(carrier=zto)
        services.complaint_add_note(complaint=complaint, actor=agent, message="内部：客户情绪激动")
        services.complaint_reply(complaint=complaint, actor=agent, message="我们已联系承运商。")
        webhooks_dispatch()
    assert [r.json["data"]["event"]["kind"] for r in receiver.requests] == [EventKind.PUBLIC_REPLY]
    assert b"\xe5\x86\x85\xe9\x83\xa8" not in receiver.requests[0].body  # "内部": nothing of the note leaks


@pytest.mark.django_db
def test_an_endpoint_receives_only_the_event_types_it_subscribed_to(receiver, agent, zto):
    endpoint_for(zto, receiver.url, event_types=[WebhookEventType.RESOLVED])
    with at(T0):
        complaint = make_complaint(carrier=zto)
        handed_to_carrier(complaint, agent)
        services.complaint_resolve(complaint=complaint, actor=agent, summary="已补发", root_cause="分拣错误")
        webhooks_dispatch()
    assert [r.headers["redress-event-type"] for r in receiver.requests] == ["complaint.resolved"]
    assert receiver.requests[0].json["data"]["complaint"]["status"] == Status.RESOLVED


@pytest.mark.django_db
def test_enqueueing_the_same_event_twice_makes_one_delivery_per_endpoint(receiver, agent, zto):
    # Given two ZTO endpoints
    first = endpoint_for(zto, receiver.url + "/a")
    endpoint_for(zto, receiver.url + "/b")
    with at(T0):
        complaint = make_complaint(carrier=zto)
        handed_to_carrier(complaint, agent)
    event = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.HANDED_TO_CARRIER)

    # When the producing service's enqueue runs again for the same event (a retried task, say)
    again = webhook_deliveries_enqueue(event=event)

    # Then nothing new was queued: one delivery per endpoint, sharing the event's id
    assert again == 0
    assigned = deliveries(complaint, event_type=WebhookEventType.ASSIGNED)
    assert len(assigned) == 2
    assert {d.endpoint_id for d in assigned} == {first.pk, first.pk + 1}
    assert assigned[0].event_id == assigned[1].event_id
    # and dispatching twice sends each once
    with at(T0):
        webhooks_dispatch()
        webhooks_dispatch()
    paths = sorted(r.path for r in receiver.requests if r.headers["redress-event-type"] == "complaint.assigned")
    assert paths == ["/redress/hooks/a", "/redress/hooks/b"]


@pytest.mark.django_db
def test_failures_are_retried_with_doubling_waits_then_succeed_with_the_same_event(receiver, agent, zto):
    # Given a receiver that fails twice (500, then 503) before accepting
    endpoint_for(zto, receiver.url, event_types=[WebhookEventType.ASSIGNED])
    receiver.answer_with(500, 503)
    with at(T0):
        complaint = make_complaint(carrier=zto)
        handed_to_carrier(complaint, agent)
        first = webhooks_dispatch()
    delivery = deliveries(complaint)[0]
    delivery.refresh_from_db()

    # Then the first failure is retried one minute later
    assert (first.retried, first.delivered) == (1, 0)
    assert delivery.state == WebhookState.PENDING
    assert delivery.next_attempt_at == T0 + MIN
    assert delivery.last_status_code == 500

    # and nothing is sent before that
    with at(T0 + 30 * timedelta(seconds=1)):
        assert webhooks_dispatch().retried == 0
    # the second failure waits two minutes
    with at(T0 + MIN):
        webhooks_dispatch()
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == T0 + 3 * MIN
    assert delivery.last_status_code == 503
    # and the third attempt is accepted
    with at(T0 + 3 * MIN):
        webhooks_dispatch()
    delivery.refresh_from_db()
    assert delivery.state == WebhookState.DELIVERED
    assert delivery.delivered_at == T0 + 3 * MIN
    assert delivery.attempts == 3
    # Every attempt is logged, and the receiver saw the same event id and the same body three times
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 503, 200]
    assert "receiver says no" in delivery.attempt_log.first().response_excerpt
    assert len({r.headers["redress-event-id"] for r in receiver.requests}) == 1
    assert len({r.body for r in receiver.requests}) == 1
    assert len({r.headers["redress-signature"] for r in receiver.requests}) == 3


@pytest.mark.django_db
def test_a_receiver_that_keeps_failing_is_given_up_on_after_24_hours(receiver, agent, zto):
    # Given a receiver that always answers 500
    endpoint_for(zto, receiver.url, event_types=[WebhookEventType.ASSIGNED])
    receiver.answer_with(*[500] * 100)
    with at(T0):
        complaint = make_complaint(carrier=zto)
        handed_to_carrier(complaint, agent)
    delivery = deliveries(complaint)[0]

    # When the dispatcher runs every minute as beat would, for 25 hours
    moment = T0
    waits = []
    while moment <= T0 + 25 * H:
        with at(moment):
            webhooks_dispatch()
        delivery.refresh_from_db()
        if delivery.state != WebhookState.PENDING:
            break
        if not waits or waits[-1][0] != delivery.next_attempt_at:
            waits.append((delivery.next_attempt_at, delivery.attempts))
        moment = max(moment + MIN, delivery.next_attempt_at)

    # Then the waits doubled from one minute, capped at an hour
    gaps = [b[0] - a[0] for a, b in zip(waits, waits[1:])]
    assert gaps[:6] == [2 * MIN, 4 * MIN, 8 * MIN, 16 * MIN, 32 * MIN, 60 * MIN]
    assert max(gaps) == 60 * MIN
    # and the delivery failed at 24 hours after the event, with every attempt logged
    assert delivery.state == WebhookState.FAILED
    assert delivery.next_attempt_at is None
    assert WebhookAttempt.objects.filter(delivery=delivery).latest("started_at").started_at == T0 + 24 * H
    assert delivery.attempts == WebhookAttempt.objects.filter(delivery=delivery).count() == len(receiver.requests)
    assert 25 <= delivery.attempts <= 35


@pytest.mark.django_db
def test_an_unreachable_endpoint_is_logged_and_retried(agent, zto):
    # Given an endpoint on a port where nothing listens
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    endpoint_for(zto, f"http://127.0.0.1:{port}/hooks", event_types=[WebhookEventType.ASSIGNED])
    with at(T0):
        complaint = make_complaint(carrier=zto)
        handed_to_carrier(complaint, agent)
        result = webhooks_dispatch()
    delivery = deliveries(complaint)[0]
    delivery.refresh_from_db()
    assert result.retried == 1
    assert delivery.state == WebhookState.PENDING
    attempt = delivery.attempt_log.get()
    assert attempt.status_code is None
    assert "refused" in attempt.error.lower()


@pytest.mark.django_db
def test_a_redirect_is_not_followed_and_counts_as_a_failure(receiver, agent, zto):
    endpoint_for(zto, receiver.url, event_types=[WebhookEventType.ASSIGNED])
    receiver.answer_with(302)
    with at(T0):
        complaint = make_complaint(carrier=zto)
        handed_to_carrier(complaint, agent)
        result = webhooks_dispatch()
    assert result.retried == 1
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_a_delivery_stuck_in_sending_is_taken_back_after_15_minutes(receiver, agent, zto):
    # Given a delivery a dead worker left in "sending"
    endpoint_for(zto, receiver.url, event_types=[WebhookEventType.ASSIGNED])
    with at(T0):
        complaint = make_complaint(carrier=zto)
        handed_to_carrier(complaint, agent)
    WebhookDelivery.objects.update(state=WebhookState.SENDING, claimed_at=T0)

    # Then it stays put for a while, and is sent once 15 minutes have passed
    with at(T0 + 10 * MIN):
        assert webhooks_dispatch().delivered == 0
    with at(T0 + 16 * MIN):
        result = webhooks_dispatch()
    assert (result.reclaimed, result.delivered) == (1, 1)
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_a_failed_delivery_is_replayed_with_the_same_event_id(receiver, agent, zto):
    # Given a delivery that failed (its 24 hours are over)
    endpoint_for(zto, receiver.url, event_types=[WebhookEventType.ASSIGNED])
    receiver.answer_with(500)
    with at(T0):
        complaint = make_complaint(carrier=zto)
        handed_to_carrier(complaint, agent)
    original = deliveries(complaint)[0]
    with at(T0 + 25 * H):
        webhooks_dispatch()
    original.refresh_from_db()
    assert original.state == WebhookState.FAILED

    # When an agent replays it, twice
    with at(T0 + 26 * H):
        replay = webhook_delivery_replay(delivery=original, actor=agent)
        again = webhook_delivery_replay(delivery=original, actor=agent)
        webhooks_dispatch()

    # Then one new delivery went out, with the same event id and body, and its own attempt log
    assert again.pk == replay.pk
    replay.refresh_from_db()
    assert replay.replay_of_id == original.pk
    assert replay.event_id == original.event_id
    assert replay.state == WebhookState.DELIVERED
    assert replay.attempt_log.count() == 1
    assert replay.retry_until == T0 + 26 * H + 24 * H
    assert [r.headers["redress-event-id"] for r in receiver.requests] == [str(original.event_id)] * 2
    assert receiver.requests[0].body == receiver.requests[1].body
    # and the original keeps its history
    original.refresh_from_db()
    assert original.state == WebhookState.FAILED
    assert original.attempt_log.count() == 1


@pytest.mark.django_db
def test_a_delivery_still_being_retried_cannot_be_replayed(receiver, agent, zto):
    endpoint_for(zto, receiver.url, event_types=[WebhookEventType.ASSIGNED])
    with at(T0):
        complaint = make_complaint(carrier=zto)
        handed_to_carrier(complaint, agent)
        with translation.override("en"), pytest.raises(IllegalTransition, match="still being sent"):
            webhook_delivery_replay(delivery=deliveries(complaint)[0], actor=agent)
    assert WebhookDelivery.objects.count() == 1


@pytest.mark.django_db
def test_the_clock_sweep_tells_the_carrier_about_a_breach_and_the_escalation(receiver, agent, zto):
    # Given a ZTO complaint nobody answered for 25 hours
    endpoint_for(zto, receiver.url)
    with at(T0):
        complaint = make_complaint(carrier=zto)
        services.complaint_assign(complaint=complaint, actor=agent, owner=agent)

    # When the sweep escalates it and the dispatcher runs
    with at(T0 + 25 * H):
        clocks_sweep()
        clocks_sweep()
        webhooks_dispatch()

    # Then ZTO heard once about the missed target and once about the escalation, without our staff's names
    kinds = [(r.json["type"], r.json["data"]["event"]["kind"]) for r in receiver.requests]
    assert kinds == [("complaint.updated", EventKind.SLA_BREACH), ("complaint.escalated", EventKind.ESCALATED)]
    escalated = receiver.requests[1].json["data"]
    assert escalated["event"]["data"] == {
        "from_level": 0,
        "to_level": 1,
        "reason": "sla_breach",
        "clock": "first_response",
    }
    assert escalated["complaint"]["escalation_level"] == 1
    assert agent.username.encode() not in receiver.requests[1].body


@pytest.mark.django_db
def test_a_manual_escalation_is_sent_without_the_supervisors_internal_reason(receiver, supervisor, zto):
    endpoint_for(zto, receiver.url, event_types=[WebhookEventType.ESCALATED])
    with at(T0):
        complaint = make_complaint(carrier=zto)
        complaint_escalate(complaint=complaint, actor=supervisor, reason="客户是媒体记者")
        webhooks_dispatch()
    [request] = receiver.requests
    assert request.json["data"]["event"]["message"] == ""
    assert request.json["data"]["event"]["data"] == {"from_level": 0, "to_level": 1, "reason": "manual"}
    assert "媒体".encode() not in request.body


@pytest.mark.django_db
def test_a_change_that_is_rolled_back_sends_nothing(receiver, agent, zto):
    endpoint_for(zto, receiver.url)
    with at(T0):
        complaint = make_complaint(carrier=zto)
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
        stale = complaint.version - 1
        with pytest.raises(VersionConflict):
            services.complaint_reply(complaint=complaint, actor=agent, message="你好", expected_version=stale)
        webhooks_dispatch()
    assert [r.json["data"]["event"]["kind"] for r in receiver.requests] == [EventKind.STATUS_CHANGED]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_dispatchers_at_once_post_each_delivery_once(receiver, agent):
    # Given six deliveries due for ZTO
    zto = CarrierFactory(code="ZTO")
    endpoint_for(zto, receiver.url, event_types=[WebhookEventType.ASSIGNED])
    with at(T0):
        for _ in range(6):
            handed_to_carrier(make_complaint(carrier=zto), agent)

    # When two dispatchers run at the same moment
    outcomes = run_together(
        lambda: webhooks_dispatch(now=T0, batch_size=2), lambda: webhooks_dispatch(now=T0, batch_size=2), timeout=60
    )
    results = [value for kind, value in outcomes if kind == "ok"]
    errors = [value for kind, value in outcomes if kind == "error"]

    # Then each event reached the receiver exactly once
    assert errors == []
    assert sum(r.delivered for r in results) == 6
    ids = [r.headers["redress-event-id"] for r in receiver.requests]
    assert len(ids) == len(set(ids)) == 6
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {WebhookState.DELIVERED}


def test_payload_is_compact_sorted_json():
    body = body_bytes({"b": 1, "a": "中"})
    assert body == '{"a":"中","b":1}'.encode()
    header = sign(secrets=["s" * 30], timestamp=1_700_000_000, body=body)
    assert verify(secret="s" * 30, header=header, body=body, now=1_700_000_100)
    assert not verify(secret="s" * 30, header=header, body=body, now=1_700_001_000)
    assert not verify(secret="s" * 30, header="garbage", body=body)
    assert json.loads(body) == {"a": "中", "b": 1}


@pytest.mark.django_db
def test_a_run_that_used_up_its_time_budget_leaves_the_rest_pending_for_the_next_run(receiver, agent, zto):
    # Given three deliveries due
    endpoint_for(zto, receiver.url, event_types=[WebhookEventType.ASSIGNED])
    with at(T0):
        for _ in range(3):
            handed_to_carrier(make_complaint(carrier=zto), agent)

    # When a run has no time left, nothing is claimed (nothing is left half-sent in "sending")
    with at(T0):
        assert webhooks_dispatch(batch_size=1, time_budget_seconds=0).delivered == 0
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {WebhookState.PENDING}

    # and the next run sends them all
    with at(T0 + MIN):
        assert webhooks_dispatch(batch_size=1).delivered == 3
    assert len(receiver.requests) == 3


@pytest.mark.django_db
def test_a_delivery_to_an_internal_address_is_never_sent(receiver, agent, zto, settings):
    # Given an endpoint saved while private hosts were allowed, and production's rule now in force
    endpoint_for(zto, receiver.url)
    settings.REDRESS_WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    with at(T0):
        complaint = make_complaint(carrier=zto)
        handed_to_carrier(complaint, agent)
        # When the dispatcher runs
        with translation.override("en"):
            webhooks_dispatch()
    # Then nothing reached the (loopback) receiver, and the attempt says why
    assert receiver.requests == []
    attempts = WebhookAttempt.objects.all()
    assert attempts and all(a.status_code is None and "internet only" in a.error for a in attempts)


@pytest.fixture
def garbage_receiver():
    """A raw TCP server on 127.0.0.1 that answers every request with bytes that are not HTTP (http.client's
    BadStatusLine)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _address = server.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(b"HELLO I AM NOT HTTP\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/hooks"
    finally:
        stop.set()
        server.close()


@pytest.fixture
def silent_receiver():
    """A raw TCP server on 127.0.0.1 that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held = []

    def serve():
        while True:
            try:
                conn, _address = server.accept()
            except OSError:
                return
            held.append(conn)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/hooks"
    finally:
        server.close()
        for conn in held:
            conn.close()


@pytest.mark.django_db
def test_a_receiver_answering_garbage_fails_its_delivery_only(garbage_receiver, receiver, agent, zto):
    # Given two ZTO endpoints: the first answers with bytes that are not HTTP, the second is a normal receiver
    broken = endpoint_for(zto, garbage_receiver, event_types=[WebhookEventType.ASSIGNED])
    endpoint_for(zto, receiver.url, event_types=[WebhookEventType.ASSIGNED])
    with at(T0):
        complaint = make_complaint(carrier=zto)
        handed_to_carrier(complaint, agent)

        # When the dispatcher runs
        result = webhooks_dispatch()

    # Then the normal receiver got its event
    assert (result.delivered, result.retried) == (1, 1)
    assert len(receiver.requests) == 1
    # and the broken one's attempt is logged with the reason and retried in a minute, not left "sending"
    delivery = WebhookDelivery.objects.get(endpoint=broken)
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == (WebhookState.PENDING, 1, T0 + MIN)
    attempt = delivery.attempt_log.get()
    assert attempt.status_code is None
    assert "BadStatusLine" in attempt.error


@pytest.mark.django_db
def test_a_receiver_that_never_answers_times_out(silent_receiver, receiver, agent, zto, settings):
    # Given a receiver that accepts the connection and never answers, and a 0.5 s timeout
    settings.REDRESS_WEBHOOK_TIMEOUT_SECONDS = 0.5
    silent = endpoint_for(zto, silent_receiver, event_types=[WebhookEventType.ASSIGNED])
    endpoint_for(zto, receiver.url, event_types=[WebhookEventType.ASSIGNED])
    with at(T0):
        complaint = make_complaint(carrier=zto)
        handed_to_carrier(complaint, agent)
        result = webhooks_dispatch()

    # Then its attempt failed after the timeout, and the next delivery went out
    assert (result.delivered, result.retried) == (1, 1)
    attempt = WebhookAttempt.objects.get(delivery__endpoint=silent)
    assert "timed out" in attempt.error
    assert 400 <= attempt.duration_ms < 2000


class RebindingResolver:
    """A DNS that gives one answer to a look-up made to check the name (no port) and another to the look-up made to
    connect (with a port), as a rebinding attacker with a zero TTL does to two look-ups in a row."""

    def __init__(self, name, public, private):
        self.name, self.public, self.private = name, public, private
        self.real = socket.getaddrinfo
        self.lookups = []

    def __call__(self, host, port, *args, **kwargs):
        if host != self.name:
            return self.real(host, port, *args, **kwargs)
        self.lookups.append(port)
        address = self.public if port is None else self.private
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port or 0))]


@pytest.mark.django_db
def test_a_name_that_rebinds_to_a_private_address_is_refused_when_connecting(receiver, agent, zto, settings):
    # Given an endpoint on a name whose DNS answers a public address to a check and 127.0.0.1 to a connection
    port = receiver.url.split(":")[2].split("/")[0]
    endpoint_for(zto, f"http://hooks.rebind.test:{port}/redress/hooks", event_types=[WebhookEventType.ASSIGNED])
    resolver = RebindingResolver("hooks.rebind.test", public="93.184.215.14", private="127.0.0.1")
    settings.REDRESS_WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    with at(T0):
        complaint = make_complaint(carrier=zto)
        handed_to_carrier(complaint, agent)
        # When the dispatcher runs under that DNS
        with translation.override("en"), pytest.MonkeyPatch.context() as patch:
            patch.setattr(socket, "getaddrinfo", resolver)
            result = webhooks_dispatch()

    # Then nothing reached the receiver on 127.0.0.1: the address was checked as the connection was made, from the
    # one look-up the connection used
    assert receiver.requests == []
    assert result.retried == 1
    assert resolver.lookups == [int(port)]
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None
    assert "internet only" in attempt.error and "127.0.0.1" in attempt.error


@pytest.mark.django_db
def test_a_rotated_secret_signs_with_the_new_and_the_old_secret_until_the_overlap_ends(receiver, agent, zto):
    # Given ZTO's endpoint, whose secret a supervisor rotates with a 24-hour overlap
    endpoint = endpoint_for(zto, receiver.url, event_types=[WebhookEventType.ASSIGNED])
    with at(T0):
        _endpoint, new = webhook_endpoint_rotate_secret(endpoint=endpoint, actor=agent, overlap_hours=24)
    assert new != SECRET and new.startswith("whsec_")

    # When an event is sent during the overlap
    with at(T0 + H):
        handed_to_carrier(make_complaint(carrier=zto), agent)
        webhooks_dispatch()
    during = receiver.requests[-1]
    header = during.headers["redress-signature"]
    moment = (T0 + H).timestamp()

    # Then it carries two signatures, the new secret's first: a receiver with either secret accepts it
    assert [part.split("=")[0] for part in header.split(",")] == ["t", "v1", "v1"]
    for secret in (new, SECRET):
        assert verify_like_a_receiver(secret=secret, signature_header=header, raw_body=during.body, now=moment)
        assert verify(secret=secret, header=header, body=during.body, now=moment)
    # and so does a receiver still running the one-v1 verifier with the old secret (the old signature comes last)
    assert one_v1_verifier(SECRET, header, during.body, now=moment)
    assert not verify_like_a_receiver(
        secret="whsec_someone_else_0123456789ab", signature_header=header, raw_body=during.body, now=moment
    )

    # When an event is sent after the overlap, Then only the new secret signs it
    with at(T0 + 25 * H):
        handed_to_carrier(make_complaint(carrier=zto), agent)
        webhooks_dispatch()
    after = receiver.requests[-1]
    header = after.headers["redress-signature"]
    moment = (T0 + 25 * H).timestamp()
    assert header.count("v1=") == 1
    assert verify_like_a_receiver(secret=new, signature_header=header, raw_body=after.body, now=moment)
    assert not verify_like_a_receiver(secret=SECRET, signature_header=header, raw_body=after.body, now=moment)


def one_v1_verifier(secret, signature_header, raw_body, now):
    """The verifier docs/webhooks.md gave before rotation existed: a dict of the header's items (the last v1 wins)."""
    items = dict(part.split("=", 1) for part in signature_header.split(","))
    if abs(now - int(items["t"])) > 300:
        return False
    expected = hmac.new(secret.encode(), f"{items['t']}.".encode() + raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, items["v1"])


def test_the_verifier_accepts_any_matching_signature_and_nothing_else():
    body = b'{"id":"x"}'
    old, new = "whsec_" + "o" * 30, "whsec_" + "n" * 30
    header = sign(secrets=[new, old], timestamp=1_700_000_000, body=body)
    assert verify(secret=old, header=header, body=body, now=1_700_000_010)
    assert verify(secret=new, header=header, body=body, now=1_700_000_010)
    assert not verify(secret="whsec_" + "x" * 30, header=header, body=body, now=1_700_000_010)
    assert not verify(secret=new, header="t=1700000000", body=body, now=1_700_000_010)
    assert not verify(secret=new, header="v1=abc,t=notanumber", body=body, now=1_700_000_010)
    assert not verify(secret=new, header=header, body=body + b" ", now=1_700_000_010)
