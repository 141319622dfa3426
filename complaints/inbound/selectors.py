"""What a number's text is about: its pending survey, the complaint a reply belongs to, the complaint it last made.
Numbers are compared in E.164 (complaints.phones), as they are stored."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from complaints.choices import OPEN_STATUSES, MessageKind, MessageState, Status
from complaints.inbound.models import SmsOptOut
from complaints.models import Complaint, OutboundMessage, SurveyResponse
from complaints.phones import phone_normalise


def pending_survey_for_phone(*, phone: str, now: datetime) -> Complaint | None:
    """The complaint whose survey this number was sent and has not answered, the most recently sent first: the
    survey of its current cycle went out (by SMS or email) within the survey link's lifetime
    (REDRESS_SURVEY_LINK_DAYS), and is unanswered."""
    since = now - timedelta(days=settings.REDRESS_SURVEY_LINK_DAYS)
    candidates = {
        c.pk: c
        for c in Complaint.objects.filter(
            complainant_phone=phone, status__in=(Status.RESOLVED, Status.CLOSED), resolved_at__isnull=False
        ).order_by("-resolved_at", "-pk")[:20]
    }
    if not candidates:
        return None
    surveys = OutboundMessage.objects.filter(
        complaint_id__in=candidates, kind=MessageKind.SURVEY, state=MessageState.SENT, sent_at__gte=since
    ).order_by("-sent_at", "-pk")
    answered = set(SurveyResponse.objects.filter(complaint_id__in=candidates).values_list("complaint_id", "cycle"))
    for survey in surveys:
        complaint = candidates[survey.complaint_id]
        cycle = complaint.reopen_count
        if survey.period == f"cycle{cycle}" and (complaint.pk, cycle) not in answered:
            return complaint
    return None


def reply_target_for_phone(*, phone: str) -> Complaint | None:
    """The complaint a reply from this number belongs to: its latest open complaint; else its latest resolved one
    (resolved, not closed: the revisit is still under way, and "thanks" or "still broken" after a resolution belongs
    there, for the owner to read and reopen if need be)."""
    latest = Complaint.objects.filter(complainant_phone=phone).order_by("-received_at", "-pk")
    return latest.filter(status__in=OPEN_STATUSES).first() or latest.filter(status=Status.RESOLVED).first()


def latest_complaint_for_phone(*, phone: str) -> Complaint | None:
    """The number's most recent complaint, whatever its status (a new complaint from this number takes its
    complainant's details from it)."""
    return Complaint.objects.filter(complainant_phone=phone).order_by("-received_at", "-pk").first()


def sms_opted_out(*, phone: str) -> bool:
    """The number asked for no more SMS (and has not opted back in)."""
    return SmsOptOut.objects.filter(phone=phone_normalise(phone)).exists()


def open_complaint_for_email(*, email: str) -> Complaint | None:
    """The address's latest open complaint (the address compared in any case)."""
    if not email:
        return None
    return (
        Complaint.objects.filter(complainant_email__iexact=email, status__in=OPEN_STATUSES)
        .order_by("-received_at", "-pk")
        .first()
    )


def latest_complaint_for_email(*, email: str) -> Complaint | None:
    """The address's most recent complaint, whatever its status (a new complaint from it takes its details)."""
    if not email:
        return None
    return Complaint.objects.filter(complainant_email__iexact=email).order_by("-received_at", "-pk").first()


def complaint_by_id(*, complaint_id: int) -> Complaint | None:
    """A complaint by id, the one it was merged into when it was merged."""
    complaint = Complaint.objects.filter(pk=complaint_id).first()
    if complaint is not None and complaint.status == Status.MERGED and complaint.merged_into_id:
        return Complaint.objects.filter(pk=complaint.merged_into_id).first() or complaint
    return complaint
