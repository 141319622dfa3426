"""The outbox: every message to a complainant, carrier or staff member is a row first, unique per complaint, kind
and period; beat's sweeps plan them and the dispatcher sends them. Losing the broker loses at most one sweep."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from complaints.choices import (
    OPEN_STATUSES,
    Clock,
    ContactChannel,
    EventKind,
    MessageChannel,
    MessageKind,
    MessageState,
    Status,
    Visibility,
)
from complaints.links import status_url, survey_url
from complaints.models import Complaint, ComplaintEvent, OutboundMessage, SlaPolicy
from complaints.nudges import nudge
from complaints.sms import PermanentSendError, TransientSendError, get_backend

logger = logging.getLogger(__name__)
STUCK_AFTER = timedelta(minutes=15)


# --- Building messages ----------------------------------------------------------------------------------------------


def _local(dt: datetime) -> str:
    return timezone.localtime(dt, ZoneInfo(settings.REDRESS_COMPLAINANT_TIME_ZONE)).strftime("%Y-%m-%d %H:%M")


def outside_quiet_hours(due: datetime, channel: str) -> datetime:
    """SMS never goes out between the quiet hours (default 21:00-09:00 local): move it to the next morning."""
    if channel != MessageChannel.SMS:
        return due
    zone = ZoneInfo(settings.REDRESS_COMPLAINANT_TIME_ZONE)
    local = timezone.localtime(due, zone)
    start, end = settings.REDRESS_QUIET_HOURS_START, settings.REDRESS_QUIET_HOURS_END
    if local.hour >= start:
        morning = datetime.combine(local.date() + timedelta(days=1), time(end), tzinfo=zone)
    elif local.hour < end:
        morning = datetime.combine(local.date(), time(end), tzinfo=zone)
    else:
        return due
    return morning


def complainant_message(*, complaint: Complaint, kind: str, period: str, context: dict, now: datetime
                        ) -> OutboundMessage:
    """A message to the complainant in their language and on their preferred channel (unsaved)."""
    channel = MessageChannel.SMS if complaint.contact_channel == ContactChannel.SMS else MessageChannel.EMAIL
    recipient = complaint.complainant_phone if channel == MessageChannel.SMS else complaint.complainant_email
    language = complaint.language
    base = {
        "name": complaint.complainant_name,
        "reference": complaint.reference,
        "waybill": complaint.waybill_number,
        "status_url": status_url(complaint.pk),
    }
    with translation.override(language):
        body = render_to_string(f"complaints/messages/{language}/{kind}.txt", {**base, **context}).strip()
        subject = _("Your complaint %(ref)s") % {"ref": complaint.reference}
    return OutboundMessage(
        complaint=complaint, kind=kind, period=period, channel=channel, recipient=recipient, language=language,
        subject=subject, body=body, due_at=outside_quiet_hours(now, channel), created_at=now,
    )


def staff_message(*, complaint: Complaint | None, period: str, recipient: str, subject: str, now: datetime,
                  body: str = "", carrier_reminder: bool = False) -> OutboundMessage:
    """An email to staff (or, for carrier clocks, to the carrier's contact address), unsaved."""
    kind = MessageKind.STAFF_ALERT
    if carrier_reminder and complaint is not None and complaint.carrier_id and complaint.carrier.contact_email:
        kind, recipient = MessageKind.CARRIER_REMINDER, complaint.carrier.contact_email
    if not body and complaint is not None:
        body = f"{subject}\n\n{settings.REDRESS_PUBLIC_BASE_URL.rstrip('/')}/admin/complaints/complaint/{complaint.pk}/change/"
    return OutboundMessage(
        complaint=complaint, kind=kind, period=period[:64], channel=MessageChannel.EMAIL, recipient=recipient,
        language=settings.LANGUAGE_CODE, subject=subject[:200], body=body or subject, due_at=now, created_at=now,
    )


def messages_enqueue(messages: list[OutboundMessage]) -> None:
    """Save new messages; one that exists already for its complaint, kind and period is skipped. The dispatcher is
    nudged after commit so that messages due now go out within seconds, not at the next minute."""
    if not messages:
        return
    OutboundMessage.objects.bulk_create(messages, ignore_conflicts=True)
    if settings.REDRESS_NUDGE_DISPATCHER:
        transaction.on_commit(_nudge_dispatcher)


def _nudge_dispatcher() -> None:
    from complaints.tasks import dispatch_outbox

    nudge(dispatch_outbox, name="outbox")


# --- Planned by the services ----------------------------------------------------------------------------------------


def acknowledgement_for(complaint: Complaint, *, now: datetime) -> OutboundMessage:
    due = complaint.first_response_due_at or complaint.received_at + timedelta(hours=24)
    return complainant_message(complaint=complaint, kind=MessageKind.ACKNOWLEDGEMENT, period="intake",
                               context={"first_response_due": _local(due)}, now=now)


def resolution_notice_for(complaint: Complaint, *, now: datetime) -> OutboundMessage:
    return complainant_message(complaint=complaint, kind=MessageKind.RESOLUTION_NOTICE,
                               period=f"cycle{complaint.reopen_count}",
                               context={"summary": complaint.resolution_summary}, now=now)


# --- Progress updates -----------------------------------------------------------------------------------------------


def _doing(complaint: Complaint) -> str:
    if complaint.status == Status.AWAITING_CARRIER and complaint.carrier_id:
        return _("we have asked the carrier %(carrier)s to check your parcel and are waiting for its answer") % {
            "carrier": complaint.carrier.display_name(translation.get_language() or "zh-hans")}
    if complaint.status == Status.AWAITING_CUSTOMER:
        return _("we are waiting for the information we asked you for; please reply to our last message")
    if complaint.status == Status.REOPENED:
        return _("we are handling your complaint again")
    if complaint.status in (Status.NEW, Status.ACKNOWLEDGED):
        return _("we are checking what happened to your parcel")
    return _("our agent is working on your complaint")


def _change_line(event: ComplaintEvent, complaint: Complaint) -> str | None:
    data = event.data or {}
    if event.kind == EventKind.STATUS_CHANGED:
        return _("the status is now “%(status)s”") % {"status": Status(data["to"]).label}
    if event.kind == EventKind.HANDED_TO_CARRIER:
        return _("we asked the carrier to check your parcel")
    if event.kind == EventKind.CARRIER_ACCEPTED:
        return _("the carrier has taken up your case")
    if event.kind == EventKind.PUBLIC_REPLY and event.actor_role == "carrier":
        return _("the carrier answered: %(message)s") % {"message": event.message[:200]}
    if event.kind == EventKind.ESCALATED:
        return _("a supervisor is now handling your complaint")
    return None


def progress_message_for(complaint: Complaint, *, changes: list[ComplaintEvent], next_update: datetime,
                         period: str, now: datetime) -> OutboundMessage:
    with translation.override(complaint.language):
        lines = [line for line in (_change_line(e, complaint) for e in changes) if line]
        doing = _doing(complaint)
    return complainant_message(
        complaint=complaint, kind=MessageKind.PROGRESS_UPDATE, period=period,
        context={"changes": lines, "doing": doing, "next_update": _local(next_update)}, now=now,
    )


@dataclass
class PlanResult:
    planned: int = 0


def progress_updates_plan(*, now: datetime | None = None, batch_size: int = 500,
                          complaint_ids: list[int] | None = None) -> PlanResult:
    """Every open complaint whose progress update is due gets one, saying what changed since the last one, or
    what is being done and when the next comes. Constant queries per batch."""
    from complaints.clocks import DUE_FIELDS, target

    now = now or timezone.now()
    policies = {p.pk: p for p in SlaPolicy.objects.all()}
    result = PlanResult()
    while True:
        with transaction.atomic():
            claimed = list(
                Complaint.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(progress_due_at__lte=now, status__in=OPEN_STATUSES, sla_policy__isnull=False)
                .filter(**({"pk__in": complaint_ids} if complaint_ids is not None else {}))
                .select_related("carrier")
                .order_by("progress_due_at", "pk")[:batch_size]
            )
            if not claimed:
                return result
            since = {c.pk: c.progress_due_at - target(policies[c.sla_policy_id], Clock.PROGRESS) for c in claimed}
            changes: dict[int, list[ComplaintEvent]] = {c.pk: [] for c in claimed}
            for event in ComplaintEvent.objects.filter(
                complaint__in=claimed, visibility=Visibility.PUBLIC, created_at__gte=min(since.values())
            ).order_by("created_at", "id"):
                if event.created_at > since[event.complaint_id]:
                    changes[event.complaint_id].append(event)
            messages, events = [], []
            for complaint in claimed:
                policy = policies[complaint.sla_policy_id]
                period = f"progress:{complaint.progress_due_at.isoformat()}"
                next_update = now + target(policy, Clock.PROGRESS)
                message = progress_message_for(complaint, changes=changes[complaint.pk], next_update=next_update,
                                               period=period, now=now)
                messages.append(message)
                events.append(ComplaintEvent(
                    complaint=complaint, kind=EventKind.PROGRESS_UPDATE, actor=None, actor_role="system",
                    visibility=Visibility.PUBLIC, message=message.body,
                    data={"channel": message.channel, "period": period}, created_at=now,
                ))
                complaint.progress_due_at = next_update
                dues = [getattr(complaint, f) for f in DUE_FIELDS.values() if getattr(complaint, f)]
                complaint.next_due_at = min(dues) if dues else None
                result.planned += 1
            ComplaintEvent.objects.bulk_create(events)
            messages_enqueue(messages)
            Complaint.objects.bulk_update(claimed, ["progress_due_at", "next_due_at"])


def complaint_send_progress_update_now(*, complaint: Complaint, now: datetime | None = None) -> Complaint:
    """An agent's "send progress update now": plans this complaint's update at once. Only open complaints get
    progress updates."""
    from complaints.errors import IllegalTransition

    now = now or timezone.now()
    updated = Complaint.objects.filter(pk=complaint.pk, status__in=OPEN_STATUSES).update(progress_due_at=now)
    if not updated:
        raise IllegalTransition(_("Only an open complaint gets progress updates."))
    progress_updates_plan(now=now, complaint_ids=[complaint.pk])
    return complaint


# --- The revisit ----------------------------------------------------------------------------------------------------


def revisits_plan(*, now: datetime | None = None, batch_size: int = 500) -> PlanResult:
    """A satisfaction survey N days after resolution, and one reminder M days after the survey if unanswered."""
    from complaints.models import SurveyResponse

    now = now or timezone.now()
    result = PlanResult()
    while True:
        with transaction.atomic():
            due = list(
                Complaint.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status=Status.RESOLVED)
                .filter(Q(revisit_due_at__lte=now) | Q(survey_reminder_due_at__lte=now))
                .order_by("pk")[:batch_size]
            )
            if not due:
                return result
            answered = set(SurveyResponse.objects.filter(complaint__in=due).values_list("complaint_id", "cycle"))
            messages = []
            for complaint in due:
                cycle = complaint.reopen_count
                link = survey_url(complaint.pk, cycle)
                if complaint.revisit_due_at and complaint.revisit_due_at <= now:
                    messages.append(complainant_message(complaint=complaint, kind=MessageKind.SURVEY,
                                                        period=f"cycle{cycle}", context={"survey_url": link}, now=now))
                    complaint.revisit_due_at = None
                    complaint.survey_reminder_due_at = now + timedelta(
                        days=settings.REDRESS_SURVEY_REMINDER_AFTER_DAYS)
                elif complaint.survey_reminder_due_at and complaint.survey_reminder_due_at <= now:
                    if (complaint.pk, cycle) not in answered:
                        messages.append(complainant_message(complaint=complaint, kind=MessageKind.SURVEY_REMINDER,
                                                            period=f"cycle{cycle}", context={"survey_url": link},
                                                            now=now))
                    complaint.survey_reminder_due_at = None
                result.planned += 1
            messages_enqueue(messages)
            Complaint.objects.bulk_update(due, ["revisit_due_at", "survey_reminder_due_at"])


# --- The dispatcher -------------------------------------------------------------------------------------------------


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
        state=MessageState.PENDING)
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
                state=MessageState.PENDING, attempts=message.attempts, last_error=str(error)[:2000],
                due_at=now + wait)
            result.retried += 1
        return
    except PermanentSendError as error:
        _fail(message, str(error), now=now)
        result.failed += 1
        return
    OutboundMessage.objects.filter(pk=message.pk).update(
        state=MessageState.SENT, attempts=message.attempts, sent_at=now, provider_id=provider_id[:100],
        last_error="")
    result.sent += 1


def _deliver(message: OutboundMessage) -> str:
    if message.channel == MessageChannel.SMS:
        return get_backend().send(to=message.recipient, body=message.body, message_id=message.pk)
    email = EmailMultiAlternatives(subject=message.subject, body=message.body, from_email=settings.DEFAULT_FROM_EMAIL,
                                   to=[message.recipient], headers={"X-Redress-Message-Id": str(message.pk)})
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    if message.attachment_name and message.attachment is not None:
        email.attach(message.attachment_name, bytes(message.attachment),
                     message.attachment_type or "application/octet-stream")
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
            state=MessageState.FAILED, attempts=message.attempts, last_error=error[:2000])
        if message.kind in (MessageKind.STAFF_ALERT,):
            return  # never alert about a failed alert in a loop
        complaint = message.complaint
        recipient = (complaint.owner.email if complaint and complaint.owner_id and complaint.owner.email
                     else settings.REDRESS_ESCALATION_RECIPIENTS[0])
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("Could not send %(kind)s to %(to)s after %(n)d attempts") % {
                "kind": MessageKind(message.kind).label, "to": message.recipient, "n": message.attempts}
        messages_enqueue([staff_message(complaint=complaint, period=f"failed:{message.pk}", recipient=recipient,
                                        subject=subject, body=f"{subject}\n\n{error}", now=now)])
