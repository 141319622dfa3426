"""Webhooks to partner carriers: events are rows first (written in the transaction that writes the complaint
event), a dispatcher claims the due ones and POSTs them, signed, with exponential backoff for 24 hours.

Which complaint events become which webhook events (only for the complaint's own carrier, never internal notes):

- `complaint.assigned`: the complaint is handed to the carrier (`handed_to_carrier`);
- `complaint.escalated`: the complaint went up a level (`escalated`, by the clock sweep or a supervisor);
- `complaint.resolved`: `resolved`;
- `complaint.updated`: any other change the complainant can see: public replies, status changes, the carrier's
  acceptance, reopening, closing, a missed target, a survey answer.

Details are in docs/webhooks.md (payload, signature, retries, replay).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from complaints.choices import EventKind, Visibility
from complaints.errors import IllegalTransition
from complaints.models import Complaint, ComplaintEvent
from complaints.nudges import nudge
from complaints.webhook_models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEventType,
    WebhookState,
)

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "Redress-Signature"
EVENT_ID_HEADER = "Redress-Event-Id"
EVENT_TYPE_HEADER = "Redress-Event-Type"
API_VERSION = "v1"
# A worker that died mid-send leaves "sending" rows; after this long they are given back to the queue.
STUCK_AFTER = timedelta(minutes=15)
RESPONSE_EXCERPT_CHARS = 500
# Stable event ids: the same complaint event always gets the same id, for every endpoint of the carrier.
EVENT_ID_NAMESPACE = uuid.UUID("8f3b1f4e-5c1a-4d1e-9a7e-2f6a0d3c9b11")

EVENT_TYPES: dict[str, str] = {
    EventKind.HANDED_TO_CARRIER: WebhookEventType.ASSIGNED,
    EventKind.ESCALATED: WebhookEventType.ESCALATED,
    EventKind.RESOLVED: WebhookEventType.RESOLVED,
    EventKind.PUBLIC_REPLY: WebhookEventType.UPDATED,
    EventKind.STATUS_CHANGED: WebhookEventType.UPDATED,
    EventKind.CARRIER_ACCEPTED: WebhookEventType.UPDATED,
    EventKind.REOPENED: WebhookEventType.UPDATED,
    EventKind.CLOSED: WebhookEventType.UPDATED,
    EventKind.SLA_BREACH: WebhookEventType.UPDATED,
    EventKind.SURVEY_ANSWERED: WebhookEventType.UPDATED,
}
# Escalations are news for the carrier even when a supervisor's reason is internal: sent without the reason.
_SENT_EVEN_IF_INTERNAL = frozenset({EventKind.ESCALATED})
# Never sent, whatever their visibility or the map above says.
_NEVER = frozenset({EventKind.INTERNAL_NOTE, EventKind.CARRIER_NOTE})


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def event_id_for(event: ComplaintEvent) -> uuid.UUID:
    return uuid.uuid5(EVENT_ID_NAMESPACE, f"complaint-event:{event.pk}")


def webhook_event_type(event: ComplaintEvent) -> str | None:
    """The webhook event a complaint event becomes, or None if carriers are not told about it."""
    if event.kind in _NEVER:
        return None
    if event.visibility != Visibility.PUBLIC and event.kind not in _SENT_EVEN_IF_INTERNAL:
        return None
    return EVENT_TYPES.get(event.kind)


# --- Enqueue (inside the transaction that writes the complaint event) ----------------------------------------------


def webhook_deliveries_enqueue(*, event: ComplaintEvent) -> int:
    """Queue the webhook deliveries one complaint event calls for. Safe to call twice: one delivery per endpoint and
    event. Returns how many were queued (0 when they existed already or nobody subscribes)."""
    return webhook_deliveries_enqueue_many(events=[event])


def webhook_deliveries_enqueue_many(*, events: Iterable[ComplaintEvent], now: datetime | None = None) -> int:
    """The same for many events at once (the clock sweep): two queries whatever the number of events."""
    wanted = []
    for event in events:
        event_type = webhook_event_type(event)
        complaint = event.complaint
        if event_type is None or complaint.carrier_id is None:
            continue
        wanted.append((event, event_type, complaint))
    if not wanted:
        return 0
    endpoints: dict[int, list[WebhookEndpoint]] = {}
    for endpoint in WebhookEndpoint.objects.filter(carrier_id__in={c.carrier_id for _e, _t, c in wanted},
                                                   is_active=True):
        endpoints.setdefault(endpoint.carrier_id, []).append(endpoint)
    if not endpoints:
        return 0
    now = now or timezone.now()
    deliveries = []
    for event, event_type, complaint in wanted:
        for endpoint in endpoints.get(complaint.carrier_id, []):
            if event_type not in (endpoint.event_types or []):
                continue
            event_id = event_id_for(event)
            deliveries.append(WebhookDelivery(
                endpoint=endpoint, event_id=event_id, event_type=event_type, complaint=complaint,
                source_event=event, payload=_payload(event_id, event_type, event, complaint),
                state=WebhookState.PENDING, next_attempt_at=now, created_at=now,
                retry_until=now + timedelta(hours=settings.REDRESS_WEBHOOK_RETRY_HOURS),
            ))
    if not deliveries:
        return 0
    before = WebhookDelivery.objects.filter(source_event__in=[d.source_event for d in deliveries],
                                            replay_of__isnull=True).count()
    WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    if settings.REDRESS_NUDGE_DISPATCHER:
        transaction.on_commit(_nudge_dispatcher)
    after = WebhookDelivery.objects.filter(source_event__in=[d.source_event for d in deliveries],
                                           replay_of__isnull=True).count()
    return after - before


def _nudge_dispatcher() -> None:
    from complaints.tasks import dispatch_webhooks

    nudge(dispatch_webhooks, name="webhooks")


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(dt_timezone.utc).isoformat().replace("+00:00", "Z") if value else None


def _payload(event_id: uuid.UUID, event_type: str, event: ComplaintEvent, complaint: Complaint) -> dict:
    """A thin event: what happened and the complaint's state right after it; the full complaint is one GET away."""
    public = event.visibility == Visibility.PUBLIC
    data = dict(event.data or {}) if public else {}
    if event.kind == EventKind.ESCALATED:
        # Who owned it before is our business, not the carrier's.
        data = {k: v for k, v in (event.data or {}).items() if k in ("from_level", "to_level", "reason", "clock")}
    reference = complaint.reference
    return {
        "id": str(event_id),
        "type": event_type,
        "api_version": API_VERSION,
        "created_at": _iso(event.created_at),
        "data": {
            "complaint": {
                "reference": reference,
                "waybill_number": complaint.waybill_number,
                "status": complaint.status,
                "priority": complaint.priority,
                "escalation_level": complaint.escalation_level,
                "updated_at": _iso(complaint.updated_at),
                "url": f"/api/v1/complaints/{reference}/",
            },
            "event": {
                "kind": event.kind,
                "created_at": _iso(event.created_at),
                "actor_role": event.actor_role,
                "message": event.message if public else "",
                "data": data,
            },
        },
    }


# --- Signing --------------------------------------------------------------------------------------------------------


def body_bytes(payload: dict) -> bytes:
    """The exact bytes POSTed (and signed): compact JSON, keys sorted, UTF-8."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, the value of the Redress-Signature header."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(*, secret: str, header: str, body: bytes, tolerance_seconds: int = 300, now: float | None = None) -> bool:
    """What a receiver does (also in docs/webhooks.md): recompute the HMAC, compare in constant time, refuse old
    timestamps (replayed captures)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance_seconds:
        return False
    expected = sign(secret=secret, timestamp=timestamp, body=body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


# --- Dispatch -------------------------------------------------------------------------------------------------------


@dataclass
class WebhookDispatchResult:
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    reclaimed: int = 0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer we do not follow (urllib would turn the POST into a GET): it counts as a failure."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def webhook_url_refusal(url: str, *, resolve: bool) -> str:
    """Why a webhook may not be sent to `url` ("" if it may): only public internet addresses, unless
    REDRESS_WEBHOOK_ALLOW_PRIVATE_HOSTS. With `resolve`, the host name is looked up and every address checked (at send
    time); without, only a literal IP or localhost is judged (at save time, which must not depend on DNS)."""
    if settings.REDRESS_WEBHOOK_ALLOW_PRIVATE_HOSTS:
        return ""
    host = (urllib.parse.urlsplit(url).hostname or "").rstrip(".").lower()
    if not host:
        return _("The URL has no host.")
    if host == "localhost" or host.endswith(".localhost"):
        addresses = ["127.0.0.1"]
    else:
        try:
            addresses = [str(ipaddress.ip_address(host))]
        except ValueError:
            if not resolve:
                return ""
            try:
                addresses = sorted({info[4][0] for info in socket.getaddrinfo(host, None)})
            except OSError as error:
                return _("The host %(host)s could not be resolved: %(error)s") % {"host": host, "error": error}
    for address in addresses:
        if not ipaddress.ip_address(address.split("%")[0]).is_global:
            return _("%(host)s is a private, loopback or reserved address (%(address)s); webhooks go to the "
                     "internet only.") % {"host": host, "address": address}
    return ""


def webhooks_dispatch(*, now: datetime | None = None, batch_size: int = 10, max_batches: int = 20,
                      time_budget_seconds: float = 120) -> WebhookDispatchResult:
    """Claim due deliveries (skip_locked, so parallel dispatchers never send one twice), POST each, log the attempt,
    then mark it delivered, due again later (backoff), or failed once its 24 hours are over.

    Small batches and a time budget keep one run (each POST may wait 10 s) inside the task's time limit; what is
    left is taken by the next run, a minute later at most."""
    fixed_now = now
    result = WebhookDispatchResult()
    now = fixed_now or timezone.now()
    result.reclaimed = WebhookDelivery.objects.filter(
        state=WebhookState.SENDING, claimed_at__lt=now - STUCK_AFTER).update(state=WebhookState.PENDING)
    deadline = time.monotonic() + time_budget_seconds
    for _batch in range(max_batches):
        if time.monotonic() >= deadline:
            break
        now = fixed_now or timezone.now()
        with transaction.atomic():
            claimed = list(
                WebhookDelivery.objects.select_for_update(skip_locked=True)
                .filter(state=WebhookState.PENDING, next_attempt_at__lte=now)
                .order_by("next_attempt_at", "pk")[:batch_size]
            )
            if not claimed:
                break
            WebhookDelivery.objects.filter(pk__in=[d.pk for d in claimed]).update(
                state=WebhookState.SENDING, claimed_at=now)
        endpoints = {e.pk: e for e in WebhookEndpoint.objects.filter(pk__in={d.endpoint_id for d in claimed})}
        for delivery in claimed:
            delivery.endpoint = endpoints[delivery.endpoint_id]
            _attempt(delivery, now=fixed_now, result=result)
    return result


def _attempt(delivery: WebhookDelivery, *, now: datetime | None, result: WebhookDispatchResult) -> None:
    started = now or timezone.now()
    endpoint = delivery.endpoint
    status_code, excerpt, error = None, "", ""
    begin = time.monotonic()
    refusal = webhook_url_refusal(endpoint.url, resolve=True) if endpoint.is_active else ""
    if not endpoint.is_active:
        error = _("The endpoint was deactivated.")
    elif refusal:
        error = refusal
    else:
        body = body_bytes(delivery.payload)
        timestamp = int(started.timestamp())
        request = urllib.request.Request(endpoint.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Redress-Webhooks/1",
            SIGNATURE_HEADER: sign(secret=endpoint.secret, timestamp=timestamp, body=body),
            EVENT_ID_HEADER: str(delivery.event_id),
            EVENT_TYPE_HEADER: delivery.event_type,
        })
        try:
            with _opener.open(request, timeout=settings.REDRESS_WEBHOOK_TIMEOUT_SECONDS) as response:
                status_code = response.status
                excerpt = response.read(RESPONSE_EXCERPT_CHARS * 4).decode("utf-8", "replace")
        except urllib.error.HTTPError as answer:  # 4xx, 5xx and unfollowed 3xx
            status_code = answer.code
            try:
                excerpt = answer.read(RESPONSE_EXCERPT_CHARS * 4).decode("utf-8", "replace")
            except OSError:
                excerpt = ""
            error = f"HTTP {answer.code}"
        except (urllib.error.URLError, OSError, ValueError) as failure:
            error = str(getattr(failure, "reason", failure)) or failure.__class__.__name__
    duration_ms = int((time.monotonic() - begin) * 1000)
    excerpt = excerpt[:RESPONSE_EXCERPT_CHARS]
    delivered = status_code is not None and 200 <= status_code < 300
    attempts = delivery.attempts + 1
    with transaction.atomic():
        WebhookAttempt.objects.create(delivery=delivery, started_at=started, duration_ms=duration_ms,
                                      status_code=status_code, response_excerpt=excerpt, error=error[:2000])
        values = {"attempts": attempts, "last_status_code": status_code, "last_error": error[:2000],
                  "claimed_at": None}
        finished = now or timezone.now()
        if delivered:
            values.update(state=WebhookState.DELIVERED, delivered_at=finished, next_attempt_at=None)
            result.delivered += 1
        elif finished >= delivery.retry_until or not endpoint.is_active:
            values.update(state=WebhookState.FAILED, next_attempt_at=None)
            result.failed += 1
        else:
            values.update(state=WebhookState.PENDING,
                          next_attempt_at=min(finished + backoff(attempts), delivery.retry_until))
            result.retried += 1
        WebhookDelivery.objects.filter(pk=delivery.pk).update(**values)


def backoff(attempts: int) -> timedelta:
    """1 min, 2, 4, 8 … doubling after each failed attempt, capped (default 1 h)."""
    base = settings.REDRESS_WEBHOOK_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), settings.REDRESS_WEBHOOK_RETRY_MAX_SECONDS))


# --- Replay (admin) -------------------------------------------------------------------------------------------------


def webhook_delivery_replay(*, delivery: WebhookDelivery, actor: User | None,
                            now: datetime | None = None) -> WebhookDelivery:
    """Send a finished delivery again: a new delivery (its own attempts and 24-hour window) with the same event id
    and payload, linked to the original, which keeps its history. Replaying while a replay is still under way
    returns that one; an original still being retried cannot be replayed (it is already going out)."""
    now = now or timezone.now()
    original_id = delivery.replay_of_id or delivery.pk
    with transaction.atomic():
        original = WebhookDelivery.objects.select_for_update().select_related("endpoint").get(pk=original_id)
        series = Q(pk=original.pk) | Q(replay_of=original)
        running = (WebhookDelivery.objects.filter(series, state__in=(WebhookState.PENDING, WebhookState.SENDING))
                   .order_by("-created_at", "-pk").first())
        if running is not None:
            if running.pk == original.pk:
                raise IllegalTransition(
                    _("Delivery %(id)s is still being sent (attempt %(n)d); there is nothing to replay yet.")
                    % {"id": original.event_id, "n": original.attempts})
            return running
        if not original.endpoint.is_active:
            raise IllegalTransition(_("The endpoint %(url)s is not active: activate it before replaying.")
                                    % {"url": original.endpoint.url})
        replay = WebhookDelivery.objects.create(
            endpoint=original.endpoint, event_id=original.event_id, event_type=original.event_type,
            complaint_id=original.complaint_id, source_event_id=original.source_event_id, replay_of=original,
            payload=original.payload, state=WebhookState.PENDING, next_attempt_at=now, created_at=now,
            retry_until=now + timedelta(hours=settings.REDRESS_WEBHOOK_RETRY_HOURS),
        )
        logger.info("webhook delivery %s replayed as %s by %s", original.pk, replay.pk, actor)
        if settings.REDRESS_NUDGE_DISPATCHER:
            transaction.on_commit(_nudge_dispatcher)
    return replay


def webhook_endpoint_save(*, endpoint: WebhookEndpoint, actor: User | None = None) -> tuple[WebhookEndpoint, str]:
    """Save an endpoint, with a new secret if it has none. Returns the endpoint and the secret to show once
    ("" if it did not change)."""
    shown = ""
    if not endpoint.secret:
        endpoint.secret = shown = new_secret()
    unknown = set(endpoint.event_types or []) - set(WebhookEventType.values)
    if unknown:
        from complaints.errors import InvalidInput

        raise InvalidInput(_("Unknown event types: %(types)s.") % {"types": ", ".join(sorted(unknown))},
                           fields={"event_types": [_("Choose among the four complaint events.")]})
    refusal = webhook_url_refusal(endpoint.url, resolve=False)
    if refusal:
        from complaints.errors import InvalidInput

        raise InvalidInput(refusal, fields={"url": [refusal]})
    endpoint.full_clean()
    endpoint.save()
    return endpoint, shown
