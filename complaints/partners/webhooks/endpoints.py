"""Carriers' webhook endpoints (saved only with a public https address) and replays of a delivery."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from complaints.errors import IllegalTransition, InvalidInput
from complaints.nudges import webhook_dispatcher_nudge
from complaints.partners.webhooks.addresses import webhook_url_refusal
from complaints.partners.webhooks.models import (
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEventType,
    WebhookState,
)
from complaints.partners.webhooks.signing import new_secret

logger = logging.getLogger(__name__)


def webhook_delivery_replay(
    *, delivery: WebhookDelivery, actor: User | None, now: datetime | None = None
) -> WebhookDelivery:
    """Send a finished delivery again: a new delivery (its own attempts and 24-hour window) with the same event id
    and payload, linked to the original, which keeps its history. Replaying while a replay is still under way
    returns that one; an original still being retried cannot be replayed (it is already going out)."""
    now = now or timezone.now()
    original_id = delivery.replay_of_id or delivery.pk
    with transaction.atomic():
        original = WebhookDelivery.objects.select_for_update().select_related("endpoint").get(pk=original_id)
        series = Q(pk=original.pk) | Q(replay_of=original)
        running = (
            WebhookDelivery.objects.filter(series, state__in=(WebhookState.PENDING, WebhookState.SENDING))
            .order_by("-created_at", "-pk")
            .first()
        )
        if running is not None:
            if running.pk == original.pk:
                raise IllegalTransition(
                    _("Delivery %(id)s is still being sent (attempt %(n)d); there is nothing to replay yet.")
                    % {"id": original.event_id, "n": original.attempts}
                )
            return running
        if not original.endpoint.is_active:
            raise IllegalTransition(
                _("The endpoint %(url)s is not active: activate it before replaying.") % {"url": original.endpoint.url}
            )
        replay = WebhookDelivery.objects.create(
            endpoint=original.endpoint,
            event_id=original.event_id,
            event_type=original.event_type,
            complaint_id=original.complaint_id,
            source_event_id=original.source_event_id,
            replay_of=original,
            payload=original.payload,
            state=WebhookState.PENDING,
            next_attempt_at=now,
            created_at=now,
            retry_until=now + timedelta(hours=settings.REDRESS_WEBHOOK_RETRY_HOURS),
        )
        logger.info("webhook delivery %s replayed as %s by %s", original.pk, replay.pk, actor)
        if settings.REDRESS_NUDGE_DISPATCHER:
            transaction.on_commit(webhook_dispatcher_nudge)
    return replay


def webhook_endpoint_save(*, endpoint: WebhookEndpoint, actor: User | None = None) -> tuple[WebhookEndpoint, str]:
    """Save an endpoint, with a new secret if it has none. Returns the endpoint and the secret to show once
    ("" if it did not change)."""
    shown = ""
    if not endpoint.secret:
        endpoint.secret = shown = new_secret()
    unknown = set(endpoint.event_types or []) - set(WebhookEventType.values)
    if unknown:
        raise InvalidInput(
            _("Unknown event types: %(types)s.") % {"types": ", ".join(sorted(unknown))},
            fields={"event_types": [_("Choose among the four complaint events.")]},
        )
    refusal = webhook_url_refusal(endpoint.url, resolve=False)
    if refusal:
        raise InvalidInput(refusal, fields={"url": [refusal]})
    endpoint.full_clean()
    endpoint.save()
    return endpoint, shown
