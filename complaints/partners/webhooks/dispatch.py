"""The webhook dispatcher: claims due deliveries, posts them, logs every attempt, retries with backoff."""

from __future__ import annotations

import logging
import time
import urllib.parse
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.outbound_http import describe_failure, http_session, refused_address
from complaints.partners.webhooks.addresses import address_refusal
from complaints.partners.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookState,
)
from complaints.partners.webhooks.signing import (
    EVENT_ID_HEADER,
    EVENT_TYPE_HEADER,
    SIGNATURE_HEADER,
    body_bytes,
    sign,
)

logger = logging.getLogger(__name__)


# A worker that died mid-send leaves "sending" rows; after this long they are given back to the queue.
STUCK_AFTER = timedelta(minutes=15)


RESPONSE_EXCERPT_CHARS = 500


@dataclass
class WebhookDispatchResult:
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    reclaimed: int = 0


def webhooks_dispatch(
    *, now: datetime | None = None, batch_size: int = 10, max_batches: int = 20, time_budget_seconds: float = 120
) -> WebhookDispatchResult:
    """Claim due deliveries (skip_locked, so parallel dispatchers never send one twice), POST each, log the attempt,
    then mark it delivered, due again later (backoff), or failed once its 24 hours are over.

    Small batches and a time budget keep one run (each POST may wait 10 s) inside the task's time limit; what is
    left is taken by the next run, a minute later at most. Whatever goes wrong with one POST (a refused address, a
    receiver answering garbage) is that delivery's failed attempt: logged, retried; the run goes on."""
    fixed_now = now
    result = WebhookDispatchResult()
    now = fixed_now or timezone.now()
    result.reclaimed = WebhookDelivery.objects.filter(
        state=WebhookState.SENDING, claimed_at__lt=now - STUCK_AFTER
    ).update(state=WebhookState.PENDING)
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
                state=WebhookState.SENDING, claimed_at=now
            )
        endpoints = {e.pk: e for e in WebhookEndpoint.objects.filter(pk__in={d.endpoint_id for d in claimed})}
        attempted = 0
        try:
            with _session() as session:
                for delivery in claimed:
                    delivery.endpoint = endpoints[delivery.endpoint_id]
                    attempted += 1
                    _attempt(delivery, session=session, now=fixed_now, result=result)
        except BaseException:
            # Stopped mid-batch (the task's time limit, a worker shutting down): what was not tried goes back now
            # rather than waiting STUCK_AFTER in "sending".
            WebhookDelivery.objects.filter(
                pk__in=[d.pk for d in claimed[attempted:]], state=WebhookState.SENDING
            ).update(state=WebhookState.PENDING, claimed_at=None)
            raise
    return result


def _session() -> requests.Session:
    """Redirects never followed, a timeout on every POST, and (unless REDRESS_WEBHOOK_ALLOW_PRIVATE_HOSTS) the address
    checked when the connection is made: the address checked is the address connected to."""
    return http_session(
        timeout_seconds=settings.REDRESS_WEBHOOK_TIMEOUT_SECONDS,
        filter_private_addresses=not settings.REDRESS_WEBHOOK_ALLOW_PRIVATE_HOSTS,
    )


def _attempt(
    delivery: WebhookDelivery, *, session: requests.Session, now: datetime | None, result: WebhookDispatchResult
) -> None:
    started = now or timezone.now()
    endpoint = delivery.endpoint
    status_code, excerpt, error = None, "", ""
    begin = time.monotonic()
    interrupted = None
    if not endpoint.is_active:
        error = _("The endpoint was deactivated.")
    else:
        try:
            status_code, excerpt = _post(delivery, session=session, at=started)
            if not 200 <= status_code < 300:
                error = f"HTTP {status_code}"
        except requests.RequestException as failure:
            address = refused_address(failure)
            if address:
                host = urllib.parse.urlsplit(endpoint.url).hostname or ""
                error = address_refusal(host, address)
            else:
                error = describe_failure(failure)
        except Exception as failure:  # anything else (a bug, an undecryptable secret): this delivery only
            logger.exception("webhook delivery %s: the attempt raised %s", delivery.pk, failure.__class__.__name__)
            error = f"{failure.__class__.__name__}: {failure}"
            if isinstance(failure, SoftTimeLimitExceeded):
                interrupted = failure
    duration_ms = int((time.monotonic() - begin) * 1000)
    excerpt = excerpt[:RESPONSE_EXCERPT_CHARS]
    delivered = status_code is not None and 200 <= status_code < 300
    attempts = delivery.attempts + 1
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            started_at=started,
            duration_ms=duration_ms,
            status_code=status_code,
            response_excerpt=excerpt,
            error=error[:2000],
        )
        values = {"attempts": attempts, "last_status_code": status_code, "last_error": error[:2000], "claimed_at": None}
        finished = now or timezone.now()
        if delivered:
            values.update(state=WebhookState.DELIVERED, delivered_at=finished, next_attempt_at=None)
            result.delivered += 1
        elif finished >= delivery.retry_until or not endpoint.is_active:
            values.update(state=WebhookState.FAILED, next_attempt_at=None)
            result.failed += 1
        else:
            values.update(
                state=WebhookState.PENDING, next_attempt_at=min(finished + backoff(attempts), delivery.retry_until)
            )
            result.retried += 1
        WebhookDelivery.objects.filter(pk=delivery.pk).update(**values)
    if interrupted is not None:
        raise interrupted  # the task must stop now; this attempt is logged and the delivery is due again


def _post(delivery: WebhookDelivery, *, session: requests.Session, at: datetime) -> tuple[int, str]:
    """POST the delivery, signed with every secret the endpoint currently signs with. Returns the status code and the
    start of the answer (only that much is read)."""
    endpoint = delivery.endpoint
    body = body_bytes(delivery.payload)
    timestamp = int(at.timestamp())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Redress-Webhooks/1",
        SIGNATURE_HEADER: sign(secrets=endpoint.signing_secrets(at=at), timestamp=timestamp, body=body),
        EVENT_ID_HEADER: str(delivery.event_id),
        EVENT_TYPE_HEADER: delivery.event_type,
    }
    with session.post(endpoint.url, data=body, headers=headers, stream=True) as response:
        start = response.raw.read(RESPONSE_EXCERPT_CHARS * 4, decode_content=True) or b""
        return response.status_code, start.decode("utf-8", "replace")


def backoff(attempts: int) -> timedelta:
    """1 min, 2, 4, 8 … doubling after each failed attempt, capped (default 1 h)."""
    base = settings.REDRESS_WEBHOOK_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), settings.REDRESS_WEBHOOK_RETRY_MAX_SECONDS))
