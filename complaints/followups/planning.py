"""Timed follow-ups planned by beat: a progress update every day a complaint is open, and the revisit with its
satisfaction survey after it is resolved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.bulk import complaints_update_many
from complaints.choices import (
    OPEN_STATUSES,
    Clock,
    ContactChannel,
    EventKind,
    MessageKind,
    Status,
    Visibility,
)
from complaints.errors import IllegalTransition
from complaints.events import event_build, events_record_many
from complaints.followups.messages import complainant_message, progress_message_for
from complaints.followups.outbox import messages_enqueue
from complaints.links import survey_url
from complaints.models import Complaint, ComplaintEvent, SlaPolicy, SurveyResponse
from complaints.sla.clocks import DUE_FIELDS, due_from, started_before


@dataclass
class PlanResult:
    planned: int = 0


def progress_updates_plan(
    *, now: datetime | None = None, batch_size: int = 500, complaint_ids: list[int] | None = None
) -> PlanResult:
    """Every open complaint whose progress update is due gets one, saying what changed since the last one, or
    what is being done and when the next comes. Constant queries per batch."""
    now = now or timezone.now()
    policies = {p.pk: p for p in SlaPolicy.objects.select_related("calendar").prefetch_related("calendar__closures")}
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
            since = {
                c.pk: started_before(policies[c.sla_policy_id], Clock.PROGRESS, c.progress_due_at) for c in claimed
            }
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
                next_update = due_from(policy, Clock.PROGRESS, now)
                message = progress_message_for(
                    complaint, changes=changes[complaint.pk], next_update=next_update, period=period, now=now
                )
                messages.append(message)
                events.append(
                    event_build(
                        complaint=complaint,
                        kind=EventKind.PROGRESS_UPDATE,
                        at=now,
                        visibility=Visibility.PUBLIC,
                        message=message.body,
                        data={"channel": message.channel, "period": period},
                    )
                )
                complaint.progress_due_at = next_update
                dues = [getattr(complaint, f) for f in DUE_FIELDS.values() if getattr(complaint, f)]
                complaint.next_due_at = min(dues) if dues else None
                result.planned += 1
            events_record_many(events=events, now=now)
            messages_enqueue(messages)
            complaints_update_many(claimed, ["progress_due_at", "next_due_at"])


def complaint_send_progress_update_now(*, complaint: Complaint, now: datetime | None = None) -> Complaint:
    """An agent's "send progress update now": plans this complaint's update at once. Only open complaints get
    progress updates."""
    now = now or timezone.now()
    updated = Complaint.objects.filter(pk=complaint.pk, status__in=OPEN_STATUSES).update(progress_due_at=now)
    if not updated:
        raise IllegalTransition(_("Only an open complaint gets progress updates."))
    progress_updates_plan(now=now, complaint_ids=[complaint.pk])
    return complaint


def revisits_plan(*, now: datetime | None = None, batch_size: int = 500) -> PlanResult:
    """A satisfaction survey N days after resolution, and one reminder M days after the survey if unanswered."""
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
                # By SMS the survey says a digit in reply answers it (complaints/inbound).
                survey_context = {"survey_url": link, "sms": complaint.contact_channel == ContactChannel.SMS}
                if complaint.revisit_due_at and complaint.revisit_due_at <= now:
                    messages.append(
                        complainant_message(
                            complaint=complaint,
                            kind=MessageKind.SURVEY,
                            period=f"cycle{cycle}",
                            context=survey_context,
                            now=now,
                        )
                    )
                    complaint.revisit_due_at = None
                    complaint.survey_reminder_due_at = now + timedelta(days=settings.REDRESS_SURVEY_REMINDER_AFTER_DAYS)
                elif complaint.survey_reminder_due_at and complaint.survey_reminder_due_at <= now:
                    if (complaint.pk, cycle) not in answered:
                        messages.append(
                            complainant_message(
                                complaint=complaint,
                                kind=MessageKind.SURVEY_REMINDER,
                                period=f"cycle{cycle}",
                                context=survey_context,
                                now=now,
                            )
                        )
                    complaint.survey_reminder_due_at = None
                result.planned += 1
            messages_enqueue(messages)
            Complaint.objects.bulk_update(due, ["revisit_due_at", "survey_reminder_due_at"])
