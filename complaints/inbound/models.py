"""Inbound SMS, each recorded once (unique per gateway and the gateway's message id, so a retried or replayed
callback changes nothing), the numbers that opted out of SMS, and inbound emails, each recorded once (unique by
Message-ID, whichever way it came)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SmsGateway(models.TextChoices):
    ALIYUN = "aliyun", _("Aliyun SMS (SmsUp)")
    GENERIC = "generic", _("Generic JSON")


class InboundOutcome(models.TextChoices):
    SURVEY_ANSWERED = "survey_answered", _("Answered the survey")
    REPLY = "reply", _("Reply on a complaint")
    NEW_COMPLAINT = "new_complaint", _("New complaint")
    OPTED_OUT = "opted_out", _("Opted out of SMS")
    OPTED_IN = "opted_in", _("Opted back in to SMS")
    UNMATCHED = "unmatched", _("Not matched: for an agent to read")
    REFUSED = "refused", _("Refused: see the detail")


class InboundSms(models.Model):
    gateway = models.CharField(_("gateway"), max_length=16, choices=SmsGateway.choices)
    gateway_message_id = models.CharField(_("gateway's message id"), max_length=100)
    # E.164 when the number parses (complaints.phones), else as the gateway sent it.
    phone = models.CharField(_("phone"), max_length=32, db_index=True)
    text = models.TextField(_("text"), blank=True)
    sent_at = models.DateTimeField(_("sent at (gateway's time)"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=InboundOutcome.choices)
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_sms",
    )
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        verbose_name = _("inbound SMS")
        verbose_name_plural = _("inbound SMS")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["gateway", "gateway_message_id"], name="inbound_sms_once"),
        ]

    def __str__(self) -> str:
        return f"{self.phone}: {self.text[:30]}"


class SmsOptOut(models.Model):
    """A number that asked for no more SMS (TD, 退订, STOP). The outbox sends its messages by email if the complaint
    has an address, else holds them. The number opts back in with START or 订阅 (the row is then deleted; the
    inbound SMS keep the history)."""

    phone = models.CharField(_("phone"), max_length=32, unique=True)
    opted_out_at = models.DateTimeField(_("opted out at"))
    keyword = models.CharField(_("keyword sent"), max_length=32, blank=True)
    source = models.ForeignKey(
        InboundSms,
        verbose_name=_("inbound SMS"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("SMS opt-out")
        verbose_name_plural = _("SMS opt-outs")
        ordering = ["-opted_out_at"]

    def __str__(self) -> str:
        return self.phone


class EmailSource(models.TextChoices):
    MAILGUN = "mailgun", _("Mailgun (inbound webhook)")
    IMAP = "imap", _("IMAP mailbox")


class EmailOutcome(models.TextChoices):
    REPLY = "reply", _("Reply on a complaint")
    NEW_COMPLAINT = "new_complaint", _("New complaint")
    UNMATCHED = "unmatched", _("Not matched: for an agent to read")
    DROPPED = "dropped", _("Dropped: forged or unknown reply address")
    IGNORED = "ignored", _("Ignored: an automatic reply")
    REFUSED = "refused", _("Refused: see the detail")
    FAILED = "failed", _("Could not be read: see the detail")


class InboundEmail(models.Model):
    """One inbound email, recorded in the transaction that does what it says. `message_key` (the SHA-256 of its
    Message-ID, or of the whole message when it has none) is unique: the same mail twice (a webhook retried, two
    pollers, the webhook and the mailbox both) is one row and one effect, and the second poller waits on the first
    one's insert and then finds it there."""

    source = models.CharField(_("source"), max_length=16, choices=EmailSource.choices)
    message_key = models.CharField(_("message key"), max_length=64, unique=True)
    message_id = models.TextField(_("Message-ID"), blank=True)
    sender = models.CharField(_("sender"), max_length=254, blank=True, db_index=True)
    recipient = models.CharField(_("recipient"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    # What was kept of the text: quoted history and signature stripped, at most the length of a reply.
    text = models.TextField(_("text"), blank=True)
    attachments = models.PositiveSmallIntegerField(_("files attached"), default=0)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=EmailOutcome.choices)
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_emails",
    )
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject[:40]}"
