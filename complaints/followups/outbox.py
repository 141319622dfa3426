"""The outbox: messages are rows written in the transaction that calls for them, and a dispatcher sends them."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from complaints.choices import (
    MessageChannel,
    MessageKind,
    MessageState,
)
from complaints.followups.messages import outside_quiet_hours, staff_message
from complaints.followups.sms import PermanentSendError, TransientSendError, get_backend
from complaints.models import OutboundMessage
from complaints.nudges import outbox_dispatcher_nudge

logger = logging.getLogger(__name__)


STUCK_AFTER = timedelta(minutes=15)


def messages_enqueue(messages: list[OutboundMessage]) -> None:
    """Save new messages; one that exists already for its complaint, kind and period is skipped. The dispatcher is
    nudged after commit so that messages due now go out within seconds, not at the next minute."""
    if not messages:
        return
    OutboundMessage.objects.bulk_create(messages, ignore_conflicts=True)
    if settings.REDRESS_NUDGE_DISPATCHER:
        transaction.on_commit(outbox_dispatcher_nudge)


@dataclass
class DispatchResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0


def outbox_dispatch(*, now: datetime | None = None, batch_size: int = 100, max_batches: int = 50) -> DispatchResult:
    """Claim due messages (skip_locked), send them, mark them. A transient failure is retried with exponential
    backoff; after the last attempt the message is marked failed and staff are alerted."""
    now = now or timezone.now()
    result = DispatchResult()
    # A worker that died mid-send leaves "sending" rows: give them back (the provider id dedupes where it can).
    OutboundMessage.objects.filter(state=MessageState.SENDING, claimed_at__lt=now - STUCK_AFTER).update(
        state=MessageState.PENDING
    )
    for _batch in range(max_batches):
        with transaction.atomic():
            claimed = list(
                OutboundMessage.objects.select_for_update(skip_locked=True)
                .filter(state=MessageState.PENDING, due_at__lte=now)
                .order_by("due_at", "pk")[:batch_size]
            )
            if not claimed:
                break
            ids = [m.pk for m in claimed]
            OutboundMessage.objects.filter(pk__in=ids).update(state=MessageState.SENDING, claimed_at=now)
        for message in claimed:
            message.attempts += 1
            _send_one(message, now=now, result=result)
    return result


def _send_one(message: OutboundMessage, *, now: datetime, result: DispatchResult) -> None:
    if message.channel == MessageChannel.SMS and outside_quiet_hours(now, MessageChannel.SMS) != now:
        morning = outside_quiet_hours(now, MessageChannel.SMS)
        OutboundMessage.objects.filter(pk=message.pk).update(state=MessageState.PENDING, due_at=morning)
        result.deferred += 1
        return
    try:
        provider_id = _deliver(message)
    except TransientSendError as error:
        if message.attempts >= settings.REDRESS_MESSAGE_MAX_ATTEMPTS:
            _fail(message, str(error), now=now)
            result.failed += 1
        else:
            wait = timedelta(seconds=settings.REDRESS_MESSAGE_RETRY_BASE_SECONDS * 2 ** (message.attempts - 1))
            OutboundMessage.objects.filter(pk=message.pk).update(
                state=MessageState.PENDING, attempts=message.attempts, last_error=str(error)[:2000], due_at=now + wait
            )
            result.retried += 1
        return
    except PermanentSendError as error:
        _fail(message, str(error), now=now)
        result.failed += 1
        return
    OutboundMessage.objects.filter(pk=message.pk).update(
        state=MessageState.SENT, attempts=message.attempts, sent_at=now, provider_id=provider_id[:100], last_error=""
    )
    result.sent += 1


def _deliver(message: OutboundMessage) -> str:
    if message.channel == MessageChannel.SMS:
        return get_backend().send(to=message.recipient, body=message.body, message_id=message.pk)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers={"X-Redress-Message-Id": str(message.pk)},
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    if message.attachment_name and message.attachment is not None:
        email.attach(
            message.attachment_name, bytes(message.attachment), message.attachment_type or "application/octet-stream"
        )
    try:
        email.send()
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
        raise PermanentSendError(str(error)) from error
    except (smtplib.SMTPException, OSError) as error:
        raise TransientSendError(str(error)) from error
    return f"email-{message.pk}"


def _fail(message: OutboundMessage, error: str, *, now: datetime) -> None:
    with transaction.atomic():
        OutboundMessage.objects.filter(pk=message.pk).update(
            state=MessageState.FAILED, attempts=message.attempts, last_error=error[:2000]
        )
        if message.kind in (MessageKind.STAFF_ALERT,):
            return  # never alert about a failed alert in a loop
        complaint = message.complaint
        recipient = (
            complaint.owner.email
            if complaint and complaint.owner_id and complaint.owner.email
            else settings.REDRESS_ESCALATION_RECIPIENTS[0]
        )
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("Could not send %(kind)s to %(to)s after %(n)d attempts") % {
                "kind": MessageKind(message.kind).label,
                "to": message.recipient,
                "n": message.attempts,
            }
        messages_enqueue(
            [
                staff_message(
                    complaint=complaint,
                    period=f"failed:{message.pk}",
                    recipient=recipient,
                    subject=subject,
                    body=f"{subject}\n\n{error}",
                    now=now,
                )
            ]
        )
