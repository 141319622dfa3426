"""The complainant's answer to the satisfaction survey; a low score reopens the complaint."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.choices import (
    EventKind,
    Status,
    Visibility,
)
from complaints.errors import (
    IllegalTransition,
    InvalidInput,
)
from complaints.events import event_record
from complaints.guards import (
    complaint_lock,
    complaint_save,
    instance_sync,
)
from complaints.models import (
    Complaint,
    SurveyResponse,
)
from complaints.services.inputs import MESSAGE_MAX_LENGTH

LOW_SCORES = (1, 2)


def complaint_answer_survey(
    *,
    complaint: Complaint,
    cycle: int,
    score: int,
    comment: str = "",
    at: datetime | None = None,
) -> SurveyResponse:
    """The complainant's satisfaction answer (one per resolution cycle). A score of 1 or 2 reopens the complaint
    and escalates it to a supervisor, with the comment in the timeline."""
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise InvalidInput(_("Choose a score from 1 to 5."), fields={"score": [_("Choose a score from 1 to 5.")]})
    comment = (comment or "").strip()[:MESSAGE_MAX_LENGTH]
    at = at or timezone.now()
    with transaction.atomic():
        fresh = complaint_lock(complaint=complaint)
        if SurveyResponse.objects.filter(complaint=fresh, cycle=cycle).exists():
            raise IllegalTransition(_("This survey has already been answered. Thank you."), code="already_answered")
        if fresh.reopen_count != cycle or fresh.status not in (Status.RESOLVED, Status.CLOSED):
            raise IllegalTransition(_("This survey is no longer open."), code="survey_closed")
        response = SurveyResponse.objects.create(
            complaint=fresh, cycle=cycle, score=score, comment=comment, answered_at=at
        )
        low = score in LOW_SCORES and fresh.status == Status.RESOLVED
        fields = ["survey_reminder_due_at", "revisit_due_at"]
        fresh.survey_reminder_due_at = fresh.revisit_due_at = None
        if low:
            # Dissatisfied: reopen and escalate to a supervisor, in one audited step.
            fresh.status = Status.REOPENED
            fresh.resolved_at = None
            fresh.reopen_count += 1
            fresh.escalation_level = max(fresh.escalation_level, 1)
            fresh.owner = None
            fields += ["status", "resolved_at", "reopen_count", "escalation_level", "owner"]
        complaint_save(fresh, fields, at=at)
        event_record(
            complaint=fresh,
            kind=EventKind.SURVEY_ANSWERED,
            actor=None,
            visibility=Visibility.PUBLIC,
            message=comment,
            data={
                "score": score,
                "cycle": cycle,
                **(
                    {"from": Status.RESOLVED, "to": Status.REOPENED, "escalation_level": fresh.escalation_level}
                    if low
                    else {}
                ),
            },
            at=at,
        )
    instance_sync(complaint, fresh)
    return response
