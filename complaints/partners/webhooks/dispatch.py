"""The webhook dispatcher: claims due deliveries, posts them, logs every attempt, retries with backoff."""

from __future__ import annotations

import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.partners.webhooks.addresses import webhook_url_refusal
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


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer we do not follow (urllib would turn the POST into a GET): it counts as a failure."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def webhooks_dispatch(
    *, now: datetime | None = None, batch_size: int = 10, max_batches: int = 20, time_budget_seconds: float = 120
) -> WebhookDispatchResult:
    """Claim due deliveries (skip_locked, so parallel dispatchers never send one twice), POST each, log the attempt,
    then mark it delivered, due again later (backoff), or failed once its 24 hours are over.

    Small batches and a time budget keep one run (each POST may wait 10 s) inside the task's time limit; what is
    left is taken by the next run, a minute later at most."""
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
        request = urllib.request.Request(
            endpoint.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "Redress-Webhooks/1",
                SIGNATURE_HEADER: sign(secret=endpoint.secret, timestamp=timestamp, body=body),
                EVENT_ID_HEADER: str(delivery.event_id),
                EVENT_TYPE_HEADER: delivery.event_type,
            },
        )
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


def backoff(attempts: int) -> timedelta:
    """1 min, 2, 4, 8 … doubling after each failed attempt, capped (default 1 h)."""
    base = settings.REDRESS_WEBHOOK_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), settings.REDRESS_WEBHOOK_RETRY_MAX_SECONDS))
