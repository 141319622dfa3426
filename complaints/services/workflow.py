"""Working a complaint: assignment, replies and notes, status changes, resolution, closing and reopening."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from complaints.choices import (
    FINAL_STATUSES,
    EventKind,
    RootCauseArea,
    Status,
    Visibility,
)
from complaints.errors import (
    IllegalTransition,
    InvalidInput,
)
from complaints.events import event_record
from complaints.evidence.choices import EvidenceVisibility
from complaints.evidence.services import FileInput, evidence_add, evidence_files_check
from complaints.followups.messages import resolution_notice_for
from complaints.followups.outbox import messages_enqueue
from complaints.guards import (
    complaint_check_transition,
    complaint_check_version,
    complaint_lock,
    complaint_refuse_if_closed,
    complaint_save,
    instance_sync,
)
from complaints.models import (
    Complaint,
)
from complaints.selectors import DEDICATED_ACTIONS
from complaints.services.inputs import message_clean
from complaints.sla.outcomes import first_response_met, resolution_outcome


def _check_can_own(owner: User) -> None:
    if owner.carrier_id is not None or not owner.is_active or not owner.is_staff:
        raise InvalidInput(
            _("%(user)s cannot own complaints: only active agents and supervisors can.") % {"user": owner},
            fields={"owner": [_("Choose an active agent or supervisor.")]},
        )


def complaint_assign(
    *,
    complaint: Complaint,
    actor: User,
    owner: User | None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Complaint:
    """Give the complaint to an agent or supervisor (or back to the queue with owner=None)."""
    if owner is not None:
        _check_can_own(owner)
    at = at or timezone.now()
    with transaction.atomic():
        fresh = complaint_lock(complaint=complaint)
        if fresh.owner_id == (owner.pk if owner else None):
            return instance_sync(complaint, fresh)
        complaint_check_version(fresh, expected_version)
        complaint_refuse_if_closed(fresh)
        previous = fresh.owner
        fresh.owner = owner
        complaint_save(fresh, ["owner"], at=at)
        event_record(
            complaint=fresh,
            kind=EventKind.ASSIGNED,
            actor=actor,
            visibility=Visibility.INTERNAL,
            data={
                "from": previous.username if previous else None,
                "to": owner.username if owner else None,
            },
            at=at,
        )
    return instance_sync(complaint, fresh)


@dataclass(frozen=True)
class TakeResult:
    """What complaints_take did: how many it gave the actor, how many were theirs already, and how many it left
    alone because a colleague owns them or they are closed."""

    taken: int = 0
    already_yours: int = 0
    owned_by_others: int = 0
    closed: int = 0

    @property
    def skipped(self) -> int:
        return self.owned_by_others + self.closed


def complaints_take(
    *,
    complaints: Iterable[Complaint],
    actor: User,
    at: datetime | None = None,
) -> TakeResult:
    """The actor takes the unowned complaints among these (the bulk "assign to me"). A colleague's complaint is never
    taken, even if the colleague took it after the list was read: that is a supervisor's call, one by one (the
    ownership is checked with the row locked, so complaint_assign cannot be refused after it). Closed complaints are
    left alone. Each complaint is its own transaction: what was taken stays taken whatever happens to the next."""
    _check_can_own(actor)
    at = at or timezone.now()
    counts = {"taken": 0, "already_yours": 0, "owned_by_others": 0, "closed": 0}
    for complaint in complaints:
        with transaction.atomic():
            fresh = complaint_lock(complaint=complaint)
            if fresh.status in FINAL_STATUSES:
                outcome = "closed"
            elif fresh.owner_id == actor.pk:
                outcome = "already_yours"
            elif fresh.owner_id is not None:
                outcome = "owned_by_others"
            else:
                complaint_assign(complaint=fresh, actor=actor, owner=actor, at=at)
                outcome = "taken"
            instance_sync(complaint, fresh)
        counts[outcome] += 1
    return TakeResult(**counts)


def complaint_reply(
    *,
    complaint: Complaint,
    actor: User,
    message: str,
    files: Sequence[FileInput] = (),
    expected_version: int | None = None,
    data: dict | None = None,
    at: datetime | None = None,
) -> Complaint:
    """A customer-visible reply. The first one by a person stops the first-response clock. Not idempotent: each call
    adds a reply (pass expected_version to refuse a retry of one already made). `files` are attached to the reply,
    visible to the complainant and the carrier, in the same transaction (checked before anything is written)."""
    message = message_clean(message, field="message")
    checked = evidence_files_check(files) if files else []
    at = at or timezone.now()
    with transaction.atomic():
        fresh = complaint_lock(complaint=complaint)
        complaint_check_version(fresh, expected_version)
        complaint_refuse_if_closed(fresh)
        fields = []
        if fresh.first_response_at is None and actor is not None:
            fresh.first_response_at = at
            fresh.first_response_met = first_response_met(complaint=fresh)
            fields += ["first_response_at", "first_response_met"]
        complaint_save(fresh, fields, at=at)
        event = event_record(
            complaint=fresh,
            kind=EventKind.PUBLIC_REPLY,
            actor=actor,
            visibility=Visibility.PUBLIC,
            message=message,
            data=data,
            at=at,
        )
        if checked:
            evidence_add(
                complaint=fresh,
                actor=actor,
                files=checked,
                kind=None,
                visibility=EvidenceVisibility.PUBLIC,
                event=event,
            )
    return instance_sync(complaint, fresh)


def complaint_add_note(
    *,
    complaint: Complaint,
    actor: User,
    message: str,
    files: Sequence[FileInput] = (),
    expected_version: int | None = None,
    data: dict | None = None,
    at: datetime | None = None,
) -> Complaint:
    """An internal note: seen by staff only, never by the complainant or the carrier. Not idempotent: each call adds
    a note (pass expected_version to refuse a retry of one already made). `files` are attached to the note, for the
    agents only, in the same transaction."""
    message = message_clean(message, field="message")
    checked = evidence_files_check(files) if files else []
    at = at or timezone.now()
    with transaction.atomic():
        fresh = complaint_lock(complaint=complaint)
        complaint_check_version(fresh, expected_version)
        complaint_save(fresh, [], at=at)
        event = event_record(
            complaint=fresh,
            kind=EventKind.INTERNAL_NOTE,
            actor=actor,
            visibility=Visibility.INTERNAL,
            message=message,
            data=data,
            at=at,
        )
        if checked:
            evidence_add(
                complaint=fresh,
                actor=actor,
                files=checked,
                kind=None,
                visibility=EvidenceVisibility.INTERNAL,
                event=event,
            )
    return instance_sync(complaint, fresh)


def complaint_transition(
    *,
    complaint: Complaint,
    actor: User | None,
    to_status: str,
    expected_version: int | None = None,
    note: str = "",
    at: datetime | None = None,
) -> Complaint:
    """Move along the state map to a status that needs nothing else (acknowledged, in progress, awaiting the
    complainant). Handing to the carrier, resolving, reopening and closing have their own actions."""
    if to_status not in Status.values:
        raise InvalidInput(
            _("Unknown status “%(status)s”.") % {"status": to_status},
            fields={"to_status": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(Status.values)}]},
        )
    if to_status in DEDICATED_ACTIONS:
        raise IllegalTransition(
            _("To make a complaint “%(status)s”, use the “%(action)s” action.")
            % {"status": Status(to_status).label, "action": DEDICATED_ACTIONS[to_status].label}
        )
    at = at or timezone.now()
    with transaction.atomic():
        fresh = complaint_lock(complaint=complaint)
        if fresh.status == to_status:
            return instance_sync(complaint, fresh)
        complaint_check_version(fresh, expected_version)
        complaint_check_transition(fresh, to_status)
        previous = fresh.status
        fresh.status = to_status
        complaint_save(fresh, ["status"], at=at)
        event_record(
            complaint=fresh,
            kind=EventKind.STATUS_CHANGED,
            actor=actor,
            visibility=Visibility.PUBLIC,
            message=(note or "").strip(),
            data={"from": previous, "to": to_status},
            at=at,
        )
    return instance_sync(complaint, fresh)


def complaint_resolve(
    *,
    complaint: Complaint,
    actor: User | None,
    summary: str,
    root_cause: str,
    root_cause_area: str = "",
    carrier_liable: bool | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Complaint:
    """Resolve with what was done and why it happened (fed back to the department that caused it), where in the
    network it arose, and whether the carrier is liable (a valid complaint in the regulator's count)."""
    errors = {}
    if not (summary or "").strip():
        errors["summary"] = [_("Say what was done for the complainant.")]
    if not (root_cause or "").strip():
        errors["root_cause"] = [_("Say what caused the problem, for the department that caused it.")]
    if root_cause_area and root_cause_area not in RootCauseArea.values:
        errors["root_cause_area"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(RootCauseArea.values)}]
    if errors:
        raise InvalidInput(_("A resolution needs a summary and a root cause."), fields=errors)
    at = at or timezone.now()
    with transaction.atomic():
        fresh = complaint_lock(complaint=complaint)
        if fresh.status == Status.RESOLVED:
            return instance_sync(complaint, fresh)
        complaint_check_version(fresh, expected_version)
        complaint_check_transition(fresh, Status.RESOLVED)
        outcome = resolution_outcome(complaint=fresh, at=at)
        previous = fresh.status
        fresh.status = Status.RESOLVED
        fresh.resolved_at = at
        fresh.resolution_summary = summary.strip()
        fresh.root_cause = root_cause.strip()
        fresh.root_cause_area = root_cause_area
        fresh.carrier_liable = carrier_liable
        fresh.revisit_due_at = at + timedelta(days=settings.REDRESS_SURVEY_AFTER_DAYS)
        fresh.survey_reminder_due_at = None
        complaint_save(
            fresh,
            [
                "status",
                "resolved_at",
                "resolution_summary",
                "root_cause",
                "root_cause_area",
                "carrier_liable",
                "revisit_due_at",
                "survey_reminder_due_at",
            ],
            at=at,
        )
        event_record(
            complaint=fresh,
            kind=EventKind.RESOLVED,
            actor=actor,
            visibility=Visibility.PUBLIC,
            message=fresh.resolution_summary,
            data={
                "from": previous,
                "to": Status.RESOLVED,
                "root_cause": fresh.root_cause,
                "root_cause_area": fresh.root_cause_area,
                "carrier_liable": fresh.carrier_liable,
            },
            at=at,
            outcome=outcome,
        )
        messages_enqueue([resolution_notice_for(fresh, now=at)])
    return instance_sync(complaint, fresh)


def complaint_close(
    *,
    complaint: Complaint,
    actor: User | None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Complaint:
    """Close a resolved complaint for good."""
    at = at or timezone.now()
    with transaction.atomic():
        fresh = complaint_lock(complaint=complaint)
        if fresh.status == Status.CLOSED:
            return instance_sync(complaint, fresh)
        complaint_check_version(fresh, expected_version)
        complaint_check_transition(fresh, Status.CLOSED)
        fresh.status = Status.CLOSED
        fresh.closed_at = at
        fresh.revisit_due_at = fresh.survey_reminder_due_at = None
        complaint_save(fresh, ["status", "closed_at", "revisit_due_at", "survey_reminder_due_at"], at=at)
        event_record(
            complaint=fresh,
            kind=EventKind.CLOSED,
            actor=actor,
            visibility=Visibility.PUBLIC,
            data={"from": Status.RESOLVED, "to": Status.CLOSED},
            at=at,
        )
    return instance_sync(complaint, fresh)


def complaint_reopen(
    *,
    complaint: Complaint,
    actor: User | None,
    reason: str,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Complaint:
    """Reopen a resolved complaint (the complainant is not satisfied, or the fix did not hold)."""
    reason = message_clean(reason, field="reason")
    at = at or timezone.now()
    with transaction.atomic():
        fresh = complaint_lock(complaint=complaint)
        if fresh.status == Status.REOPENED:
            return instance_sync(complaint, fresh)
        complaint_check_version(fresh, expected_version)
        complaint_check_transition(fresh, Status.REOPENED)
        fresh.status = Status.REOPENED
        fresh.resolved_at = None
        fresh.reopen_count += 1
        fresh.revisit_due_at = fresh.survey_reminder_due_at = None
        complaint_save(
            fresh, ["status", "resolved_at", "reopen_count", "revisit_due_at", "survey_reminder_due_at"], at=at
        )
        event_record(
            complaint=fresh,
            kind=EventKind.REOPENED,
            actor=actor,
            visibility=Visibility.PUBLIC,
            message=reason,
            data={"from": Status.RESOLVED, "to": Status.REOPENED, "reopen_count": fresh.reopen_count},
            at=at,
        )
    return instance_sync(complaint, fresh)
