"""The outbox: messages are rows written in the transaction that calls for them, and a dispatcher sends them."""

from __future__ import annotations

import logging
import smtplib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr

from celery.exceptions import SoftTimeLimitExceeded
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
from complaints.followups.optouts import HELD, sms_opt_out_apply
from complaints.followups.sms import PermanentSendError, TransientSendError, get_backend, idempotency_key
from complaints.links import reply_address
from complaints.models import OutboundMessage
from complaints.nudges import outbox_dispatcher_nudge

logger = logging.getLogger(__name__)


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
    reclaimed: int = 0
    held: int = 0  # SMS to a number that opted out, with no email address to send them to instead


def outbox_dispatch(
    *, now: datetime | None = None, time_budget_seconds: float | None = None, max_messages: int = 2000
) -> DispatchResult:
    """Send due messages one at a time: claim one (skip_locked, so parallel dispatchers never take the same), mark it
    "sending" and count the attempt, send it, mark it sent, due again later (backoff) or failed (staff are alerted).

    Only the message being sent is ever "sending": a worker killed mid-run leaves one message in doubt (taken back
    after REDRESS_MESSAGE_STUCK_AFTER_SECONDS and sent again with the same idempotency key), never a batch. The run
    stops claiming once its time budget (REDRESS_OUTBOX_TIME_BUDGET_SECONDS, well inside the task's soft time limit)
    is spent; what is left stays "pending" for the next run. Whatever a backend raises concerns its message only."""
    fixed_now = now
    now = fixed_now or timezone.now()
    budget = settings.REDRESS_OUTBOX_TIME_BUDGET_SECONDS if time_budget_seconds is None else time_budget_seconds
    deadline = time.monotonic() + budget
    result = DispatchResult()
    # A worker that died mid-send leaves its one message "sending": give it back (the idempotency key dedupes).
    stuck_after = timedelta(seconds=settings.REDRESS_MESSAGE_STUCK_AFTER_SECONDS)
    result.reclaimed = OutboundMessage.objects.filter(
        state=MessageState.SENDING, claimed_at__lt=now - stuck_after
    ).update(state=MessageState.PENDING)
    morning = outside_quiet_hours(now, MessageChannel.SMS)
    if morning != now:
        # Quiet hours: every SMS due now waits for the morning.
        result.deferred = OutboundMessage.objects.filter(
            state=MessageState.PENDING, channel=MessageChannel.SMS, due_at__lte=now
        ).update(due_at=morning)
    for _n in range(max_messages):
        if time.monotonic() >= deadline:
            break
        now = fixed_now or timezone.now()
        message = _claim_next(now=now)
        if message is None:
            break
        _send_one(message, now=now, result=result)
    return result


def _claim_next(*, now: datetime) -> OutboundMessage | None:
    """The next due message, marked "sending" with its attempt counted (so an attempt cut short is counted too)."""
    quiet = outside_quiet_hours(now, MessageChannel.SMS) != now
    with transaction.atomic():
        due = OutboundMessage.objects.select_for_update(skip_locked=True).filter(
            state=MessageState.PENDING, due_at__lte=now
        )
        if quiet:
            due = due.exclude(channel=MessageChannel.SMS)  # queued during this run: the next run defers it
        message = due.order_by("due_at", "pk").first()
        if message is None:
            return None
        message.attempts += 1
        message.state, message.claimed_at = MessageState.SENDING, now
        OutboundMessage.objects.filter(pk=message.pk).update(
            state=MessageState.SENDING, claimed_at=now, attempts=message.attempts
        )
    return message


def _send_one(message: OutboundMessage, *, now: datetime, result: DispatchResult) -> None:
    if sms_opt_out_apply(message) == HELD:  # an opted-out number: by email instead, or held
        result.held += 1
        return
    try:
        provider_id = _deliver(message)
    except PermanentSendError as error:
        _fail(message, str(error), now=now)
        result.failed += 1
        return
    except TransientSendError as error:
        _retry_or_fail(message, str(error), now=now, result=result)
        return
    except Exception as error:  # anything else a backend raised: this message only; the run goes on
        logger.exception("outbox: sending message %s raised %s", message.pk, error.__class__.__name__)
        _retry_or_fail(message, f"{error.__class__.__name__}: {error}", now=now, result=result)
        if isinstance(error, SoftTimeLimitExceeded):
            raise  # the task must stop now; the message is due again like any transient failure
        return
    OutboundMessage.objects.filter(pk=message.pk).update(
        state=MessageState.SENT, sent_at=now, provider_id=(provider_id or "")[:100], last_error=""
    )
    result.sent += 1


def _retry_or_fail(message: OutboundMessage, error: str, *, now: datetime, result: DispatchResult) -> None:
    """A transient failure: due again after a doubling wait, or failed (and staff alerted) after the last attempt."""
    if message.attempts >= settings.REDRESS_MESSAGE_MAX_ATTEMPTS:
        _fail(message, error, now=now)
        result.failed += 1
        return
    wait = timedelta(seconds=settings.REDRESS_MESSAGE_RETRY_BASE_SECONDS * 2 ** (message.attempts - 1))
    OutboundMessage.objects.filter(pk=message.pk).update(
        state=MessageState.PENDING, last_error=error[:2000], due_at=now + wait
    )
    result.retried += 1


def email_message_id(message: OutboundMessage) -> str:
    """A Message-ID that is the same on every attempt, `<redress-<id>@<sender's domain>>`: mail systems and clients
    that see the message twice (a resend after a crash) can tell it is one message."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "redress.local"
    return f"<{idempotency_key(message.pk)}@{domain}>"


def email_reply_to(message: OutboundMessage) -> list[str]:
    """A complainant's email carries Reply-To: the complaint's signed reply address (when an inbound domain is
    configured), so that their answer comes back to this complaint. Staff and carriers' emails carry none."""
    complaint = message.complaint if message.complaint_id else None
    if complaint is None or not complaint.complainant_email:
        return []
    if message.recipient.strip().lower() != complaint.complainant_email.strip().lower():
        return []
    address = reply_address(complaint.pk)
    return [address] if address else []


def _deliver(message: OutboundMessage) -> str:
    if message.channel == MessageChannel.SMS:
        return get_backend().send(to=message.recipient, body=message.body, message_id=message.pk)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers={"Message-ID": email_message_id(message), "X-Redress-Message-Id": str(message.pk)},
        reply_to=email_reply_to(message),
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
        OutboundMessage.objects.filter(pk=message.pk).update(state=MessageState.FAILED, last_error=error[:2000])
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
