"""Carriers' webhook endpoints (saved only with a public https address) and replays of a delivery."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditAction, User
from complaints.encryption import secrets_reencrypt
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
        audit_record(
            actor=actor,
            action=AuditAction.WEBHOOK_DELIVERY_REPLAYED,
            target=replay,
            data={"replay_of": original.pk, "event_id": original.event_id, "endpoint": original.endpoint_id},
            at=now,
        )
        if settings.REDRESS_NUDGE_DISPATCHER:
            transaction.on_commit(webhook_dispatcher_nudge)
    return replay


def webhook_endpoint_save(*, endpoint: WebhookEndpoint, actor: User | None = None) -> tuple[WebhookEndpoint, str]:
    """Save an endpoint, with a new secret if it has none. Returns the endpoint and the secret to show once
    ("" if it did not change). A secret replaced here (typed, or "new" in the admin) replaces the old one at once,
    and ends any rotation's overlap: this is how a leaked secret is revoked."""
    shown = ""
    if not endpoint.secret_encrypted:
        endpoint.secret = shown = new_secret()
    unknown = set(endpoint.event_types or []) - set(WebhookEventType.values)
    if unknown:
        raise InvalidInput(
            _("Unknown event types: %(types)s.") % {"types": ", ".join(sorted(unknown))},
            fields={"event_types": [_("Choose among the complaint events listed.")]},
        )
    refusal = webhook_url_refusal(endpoint.url)
    if refusal:
        raise InvalidInput(refusal, fields={"url": [refusal]})
    with transaction.atomic():
        stored = None
        if endpoint.pk:
            stored = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint.pk).first()
            if stored is not None and stored.secret != endpoint.secret:
                endpoint.previous_secret_encrypted, endpoint.previous_secret_until = "", None
                logger.info("webhook endpoint %s: signing secret replaced by %s", endpoint.pk, actor)
        endpoint.full_clean()
        endpoint.save()
        if audit := _endpoint_changes(stored, endpoint, new_secret_shown=bool(shown)):
            audit_record(actor=actor, action=AuditAction.WEBHOOK_ENDPOINT_SAVED, target=endpoint, data=audit)
    return endpoint, shown


_ENDPOINT_AUDITED = ("carrier_id", "url", "event_types", "description", "is_active")


def _endpoint_changes(stored: WebhookEndpoint | None, saved: WebhookEndpoint, *, new_secret_shown: bool) -> dict:
    """What the audit trail says of a save: each changed setting (before and after) and whether the secret was
    replaced, never the secret itself. Empty when nothing changed."""
    changed = {
        name: [getattr(stored, name) if stored else None, getattr(saved, name)]
        for name in _ENDPOINT_AUDITED
        if stored is None or getattr(stored, name) != getattr(saved, name)
    }
    replaced = stored is not None and stored.secret != saved.secret
    if stored is not None and not changed and not replaced:
        return {}
    secret = "new" if new_secret_shown else "replaced" if replaced else "unchanged"
    return {"created": stored is None, "changed": changed, "secret": secret}


MAX_OVERLAP_HOURS = 24 * 30


def webhook_endpoint_rotate_secret(
    *, endpoint: WebhookEndpoint, actor: User | None, overlap_hours: int, now: datetime | None = None
) -> tuple[WebhookEndpoint, str]:
    """Give the endpoint a new signing secret and keep signing with the current one for `overlap_hours` too (both
    signatures in the header), so the carrier can switch its verifier to the new secret without losing a delivery.
    Returns the endpoint and the new secret, to show once. A second rotation during an overlap keeps the secret it
    replaces as the previous one (the oldest stops signing). `overlap_hours=0` replaces the secret at once."""
    now = now or timezone.now()
    if not 0 <= overlap_hours <= MAX_OVERLAP_HOURS:
        message = _("The overlap must be between 0 and %(max)d hours.") % {"max": MAX_OVERLAP_HOURS}
        raise InvalidInput(message, fields={"overlap_hours": [message]})
    secret = new_secret()
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if overlap_hours:
            locked.previous_secret_encrypted = locked.secret_encrypted
            locked.previous_secret_until = now + timedelta(hours=overlap_hours)
        else:
            locked.previous_secret_encrypted, locked.previous_secret_until = "", None
        locked.secret = secret
        locked.save(update_fields=["secret_encrypted", "previous_secret_encrypted", "previous_secret_until"])
        audit_record(
            actor=actor,
            action=AuditAction.WEBHOOK_SECRET_ROTATED,
            target=locked,
            data={"overlap_hours": overlap_hours, "previous_signs_until": locked.previous_secret_until},
            at=now,
        )
    logger.info(
        "webhook endpoint %s: signing secret rotated by %s, the old one signs until %s",
        locked.pk,
        actor,
        locked.previous_secret_until,
    )
    return locked, secret


def webhook_secrets_reencrypt() -> int:
    """After REDRESS_SECRETS_KEY gained a new first key: encrypt every stored secret under it (the old key can be
    dropped afterwards). Returns how many endpoints were rewritten."""
    count = 0
    with transaction.atomic():
        for endpoint in WebhookEndpoint.objects.select_for_update().only(
            "pk", "secret_encrypted", "previous_secret_encrypted"
        ):
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
                secret_encrypted=secrets_reencrypt(endpoint.secret_encrypted),
                previous_secret_encrypted=secrets_reencrypt(endpoint.previous_secret_encrypted),
            )
            count += 1
    return count
