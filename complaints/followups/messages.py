"""The messages Redress sends: what a complainant is told (acknowledgement, progress, resolution, survey) and the
staff's alerts, in the recipient's language, outside quiet hours.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from complaints.choices import (
    ContactChannel,
    EventKind,
    MessageChannel,
    MessageKind,
    Status,
)
from complaints.links import status_url
from complaints.models import Complaint, ComplaintEvent, OutboundMessage


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


def complainant_message(
    *, complaint: Complaint, kind: str, period: str, context: dict, now: datetime
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
        complaint=complaint,
        kind=kind,
        period=period,
        channel=channel,
        recipient=recipient,
        language=language,
        subject=subject,
        body=body,
        due_at=outside_quiet_hours(now, channel),
        created_at=now,
    )


def staff_message(
    *,
    complaint: Complaint | None,
    period: str,
    recipient: str,
    subject: str,
    now: datetime,
    body: str = "",
    carrier_reminder: bool = False,
) -> OutboundMessage:
    """An email to staff (or, for carrier clocks, to the carrier's contact address), unsaved."""
    kind = MessageKind.STAFF_ALERT
    if carrier_reminder and complaint is not None and complaint.carrier_id and complaint.carrier.contact_email:
        kind, recipient = MessageKind.CARRIER_REMINDER, complaint.carrier.contact_email
    if not body and complaint is not None:
        base = settings.REDRESS_PUBLIC_BASE_URL.rstrip("/")
        body = f"{subject}\n\n{base}/admin/complaints/complaint/{complaint.pk}/change/"
    return OutboundMessage(
        complaint=complaint,
        kind=kind,
        period=period[:64],
        channel=MessageChannel.EMAIL,
        recipient=recipient,
        language=settings.LANGUAGE_CODE,
        subject=subject[:200],
        body=body or subject,
        due_at=now,
        created_at=now,
    )


def acknowledgement_for(complaint: Complaint, *, now: datetime) -> OutboundMessage:
    due = complaint.first_response_due_at or complaint.received_at + timedelta(hours=24)
    return complainant_message(
        complaint=complaint,
        kind=MessageKind.ACKNOWLEDGEMENT,
        period="intake",
        context={"first_response_due": _local(due)},
        now=now,
    )


def resolution_notice_for(complaint: Complaint, *, now: datetime) -> OutboundMessage:
    return complainant_message(
        complaint=complaint,
        kind=MessageKind.RESOLUTION_NOTICE,
        period=f"cycle{complaint.reopen_count}",
        context={"summary": complaint.resolution_summary},
        now=now,
    )


def merge_notice_for(complaint: Complaint, *, primary: Complaint, same_person: bool, now: datetime) -> OutboundMessage:
    """The duplicate's complainant is told once (one period) which reference carries on. The link is to the primary's
    status page only when it is the same person's: another complainant's timeline is not theirs to read."""
    return complainant_message(
        complaint=complaint,
        kind=MessageKind.MERGE_NOTICE,
        period="merged",
        context={
            "primary_reference": primary.reference,
            "status_url": status_url(primary.pk if same_person else complaint.pk),
        },
        now=now,
    )


def _doing(complaint: Complaint) -> str:
    if complaint.status == Status.AWAITING_CARRIER and complaint.carrier_id:
        return _("we have asked the carrier %(carrier)s to check your parcel and are waiting for its answer") % {
            "carrier": complaint.carrier.display_name(translation.get_language() or "zh-hans")
        }
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


def _change_lines(changes: list[ComplaintEvent], complaint: Complaint) -> list[str]:
    """One line per kind of change, the latest of each, in the order they happened: two escalations are told once,
    two status changes as the status now. The carrier's answers each say something of their own: each is kept
    (the same answer twice only once)."""
    latest: dict[object, tuple[int, str]] = {}
    for position, event in enumerate(changes):
        line = _change_line(event, complaint)
        if line:
            key = (event.kind, line) if event.kind == EventKind.PUBLIC_REPLY else event.kind
            latest[key] = (position, line)
    return [line for _position, line in sorted(latest.values())]


def progress_message_for(
    complaint: Complaint, *, changes: list[ComplaintEvent], next_update: datetime, period: str, now: datetime
) -> OutboundMessage:
    with translation.override(complaint.language):
        lines = _change_lines(changes, complaint)
        doing = _doing(complaint)
    return complainant_message(
        complaint=complaint,
        kind=MessageKind.PROGRESS_UPDATE,
        period=period,
        context={"changes": lines, "doing": doing, "next_update": _local(next_update)},
        now=now,
    )
