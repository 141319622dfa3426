"""Webhooks to partner carriers: where to send (endpoints), what to send (deliveries), what happened (attempts).

Imported by complaints.models, so the models belong to the complaints app. Workflows live in complaints.webhooks.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from complaints.encryption import SecretUnreadable, secret_decrypt, secret_encrypt


class WebhookEventType(models.TextChoices):
    ASSIGNED = "complaint.assigned", _("Complaint handed to the carrier")
    UPDATED = "complaint.updated", _("Complaint updated (a change the complainant can see)")
    ESCALATED = "complaint.escalated", _("Complaint escalated")
    RESOLVED = "complaint.resolved", _("Complaint resolved")
    EVIDENCE_ADDED = "complaint.evidence_added", _("Files added that the carrier may see")
    MERGED = "complaint.merged", _("Complaint merged into another of the carrier's complaints")


class WebhookState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


def all_event_types() -> list[str]:
    return list(WebhookEventType.values)


class WebhookEndpoint(models.Model):
    """A URL of a carrier's system that receives signed events about the carrier's complaints."""

    carrier = models.ForeignKey(
        "accounts.Carrier", verbose_name=_("carrier"), on_delete=models.PROTECT, related_name="webhook_endpoints"
    )
    url = models.CharField(
        _("URL"),
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Where events are POSTed, e.g. https://api.carrier.example.com/redress/hooks"),
    )
    # Encrypted at rest (complaints.encryption, keyed by REDRESS_SECRETS_KEY); read and set through `secret`.
    secret_encrypted = models.TextField(_("signing secret (encrypted)"), editable=False)
    # During a rotation the previous secret still signs, until previous_secret_until.
    previous_secret_encrypted = models.TextField(_("previous signing secret (encrypted)"), blank=True, editable=False)
    previous_secret_until = models.DateTimeField(_("previous secret signs until"), null=True, blank=True)
    event_types = models.JSONField(
        _("event types"), default=all_event_types, help_text=_("The events this endpoint receives.")
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["carrier", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(secret_encrypted=""), name="webhook_endpoint_has_secret"),
        ]

    def __str__(self) -> str:
        return f"{self.carrier.code} {self.url}"

    @property
    def secret(self) -> str:
        """The signing secret in clear (decrypted on each read; SecretUnreadable if the keys do not open it)."""
        return secret_decrypt(self.secret_encrypted)

    @secret.setter
    def secret(self, value: str) -> None:
        self.secret_encrypted = secret_encrypt(value)

    @property
    def previous_secret(self) -> str:
        return secret_decrypt(self.previous_secret_encrypted)

    @previous_secret.setter
    def previous_secret(self, value: str) -> None:
        self.previous_secret_encrypted = secret_encrypt(value)

    def signing_secrets(self, *, at: datetime) -> list[str]:
        """The secrets a delivery made at `at` is signed with: the current one, then the previous one while its
        overlap lasts."""
        secrets = [self.secret]
        if self.previous_secret_encrypted and self.previous_secret_until and at < self.previous_secret_until:
            secrets.append(self.previous_secret)
        return secrets

    @property
    def masked_secret(self) -> str:
        """What the admin shows: a short prefix, enough to tell two secrets apart, never enough to guess one."""
        return mask_secret(self.secret_encrypted)

    @property
    def masked_previous_secret(self) -> str:
        return mask_secret(self.previous_secret_encrypted) if self.previous_secret_encrypted else ""


SHOWN_SECRET_CHARS = 4


def mask_secret(token: str) -> str:
    """The first SHOWN_SECRET_CHARS characters of a stored secret (after a "whsec_" marker), then "…"."""
    try:
        secret = secret_decrypt(token)
    except SecretUnreadable:
        return gettext("(cannot be decrypted: check REDRESS_SECRETS_KEY)")
    marker = "whsec_" if secret.startswith("whsec_") else ""
    return f"{marker}{secret[len(marker) : len(marker) + SHOWN_SECRET_CHARS]}…"


class WebhookDelivery(models.Model):
    """One event for one endpoint. The event id is the same on every attempt (and on a replay), so a receiver can
    drop what it has already processed. One delivery per endpoint and complaint event (replays aside)."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("endpoint"), on_delete=models.PROTECT, related_name="deliveries"
    )
    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, db_index=True, editable=False)
    event_type = models.CharField(_("event type"), max_length=32, choices=WebhookEventType.choices)
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="webhook_deliveries",
    )
    source_event = models.ForeignKey(
        "complaints.ComplaintEvent",
        verbose_name=_("source event"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    replay_of = models.ForeignKey(
        "self", verbose_name=_("replay of"), on_delete=models.PROTECT, null=True, blank=True, related_name="replays"
    )
    payload = models.JSONField(_("payload"))
    state = models.CharField(_("state"), max_length=16, choices=WebhookState.choices, default=WebhookState.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    retry_until = models.DateTimeField(_("retried until"))
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("last status code"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        permissions = [("replay_webhookdelivery", _("Can replay webhook deliveries"))]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="webhook_delivery_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "source_event"],
                condition=Q(replay_of__isnull=True),
                name="webhook_delivery_once_per_event",
            ),
            models.CheckConstraint(condition=Q(state__in=WebhookState.values), name="webhook_delivery_state_known"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class WebhookAttempt(models.Model):
    """One POST of a delivery: when, how long, what came back."""

    delivery = models.ForeignKey(
        WebhookDelivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="attempt_log"
    )
    started_at = models.DateTimeField(_("started at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    status_code = models.PositiveIntegerField(_("status code"), null=True, blank=True)
    response_excerpt = models.TextField(_("response excerpt"), blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.started_at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error[:40]}"
