"""Business actions on complaints. The admin, the API, tasks and commands call these and nothing else.

Each action: locks the complaint row, returns quietly if its result already holds (safe to call twice), checks the
version the caller saw and the state map, writes the change and exactly one ComplaintEvent, and bumps the version.
Anything else is refused with a ServiceError that says what is wrong, and nothing is written.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Carrier, User
from accounts.roles import user_role
from complaints.choices import (
    OPEN_STATUSES,
    PRIORITY_RANK,
    TRANSITIONS,
    Channel,
    ContactChannel,
    EscalationLevel,
    EventKind,
    Language,
    Priority,
    RootCauseArea,
    Status,
    Visibility,
)
from complaints.errors import IllegalTransition, InvalidInput, NotAllowed, VersionConflict
from complaints.escalation import complaint_refresh_clocks
from complaints.models import (
    Complaint,
    ComplaintEvent,
    ProposalState,
    ReferenceSequence,
    ResolutionProposal,
    SurveyResponse,
)
from complaints.outbox import acknowledgement_for, messages_enqueue, resolution_notice_for
from complaints.outcomes import first_response_met, resolution_outcome
from complaints.rows import instance_sync as _sync
from complaints.validators import normalise_phone
from complaints.webhooks import webhook_deliveries_enqueue

MESSAGE_MAX_LENGTH = 5000

# Targets with their own action, because they need more than a status (a carrier, a summary, a reason).
_DEDICATED_ACTIONS = {
    Status.AWAITING_CARRIER: "hand to carrier",
    Status.RESOLVED: "resolve",
    Status.REOPENED: "reopen",
    Status.CLOSED: "close",
}

# Fields an agent may correct after intake through complaint_update.
EDITABLE_FIELDS = (
    "waybill_number",
    "carrier",
    "category",
    "channel",
    "description",
    "complainant_name",
    "complainant_phone",
    "complainant_email",
    "language",
    "contact_channel",
    "declared_value",
    "insured_value",
    "shipping_fee",
    "priority",
    "risk_medical",
    "risk_social_media",
)


# --- Intake ---------------------------------------------------------------------------------------------------------


def complaint_create(
    *,
    actor: User | None,
    channel: str,
    category: str,
    waybill_number: str,
    description: str,
    complainant_name: str,
    complainant_phone: str = "",
    complainant_email: str = "",
    language: str = Language.ZH_HANS,
    contact_channel: str = "",
    carrier: Carrier | None = None,
    declared_value: Decimal | str | int = Decimal("0.00"),
    insured_value: Decimal | str | int = Decimal("0.00"),
    shipping_fee: Decimal | str | int = Decimal("0.00"),
    priority: str = Priority.NORMAL,
    risk_medical: bool = False,
    risk_social_media: bool = False,
    at: datetime | None = None,
) -> Complaint:
    """Record a new complaint: validate it, flag its risks, link it to a recent complaint it repeats."""
    at = at or timezone.now()
    complainant_phone = normalise_phone(complainant_phone)
    complainant_email = (complainant_email or "").strip()
    if not contact_channel:
        contact_channel = ContactChannel.SMS if complainant_phone else ContactChannel.EMAIL
    complaint = Complaint(
        reference="pending",
        waybill_number=(waybill_number or "").strip().upper(),
        carrier=carrier,
        category=category,
        channel=channel,
        description=(description or "").strip(),
        complainant_name=(complainant_name or "").strip(),
        complainant_phone=complainant_phone,
        complainant_email=complainant_email,
        language=language,
        contact_channel=contact_channel,
        declared_value=declared_value,
        insured_value=insured_value,
        shipping_fee=shipping_fee,
        priority=priority,
        risk_medical=bool(risk_medical),
        risk_social_media=bool(risk_social_media) or channel == Channel.SOCIAL_MEDIA,
        risk_regulator=channel == Channel.REGULATOR,
        status=Status.NEW,
        received_at=at,
    )
    _validate(complaint, exclude=["reference", "repeat_of", "owner"])

    complaint.risk_high_value = complaint.declared_value >= Decimal(settings.REDRESS_HIGH_VALUE_THRESHOLD)
    with transaction.atomic():
        repeat_of = _find_repeated(complaint, at=at)
        complaint.repeat_of = repeat_of
        complaint.risk_repeat = repeat_of is not None
        if complaint.is_high_risk:
            # High-risk complaints start with a supervisor and at least high priority (DOMAIN.md, Escalation).
            complaint.escalation_level = EscalationLevel.SUPERVISOR
            if PRIORITY_RANK[complaint.priority] < PRIORITY_RANK[Priority.HIGH]:
                complaint.priority = Priority.HIGH
        complaint.reference = _next_reference(at)
        complaint.created_at = complaint.updated_at = at
        complaint.save()
        _record(
            complaint=complaint,
            kind=EventKind.CREATED,
            actor=actor,
            visibility=Visibility.PUBLIC,
            message=complaint.description,
            data={
                "channel": complaint.channel,
                "category": complaint.category,
                "priority": complaint.priority,
                "risk_flags": complaint.risk_flags,
                "escalation_level": complaint.escalation_level,
                "repeat_of": repeat_of.reference if repeat_of else None,
            },
            at=at,
        )
        # The automatic acknowledgement: it tells the complainant when to expect a person, and does not stop the
        # first-response clock (only a human reply does).
        messages_enqueue([acknowledgement_for(complaint, now=at)])
    return complaint


def _find_repeated(complaint: Complaint, *, at: datetime) -> Complaint | None:
    """The most recent complaint in the repeat window about the same waybill or from the same phone."""
    same = Q(waybill_number=complaint.waybill_number)
    if complaint.complainant_phone:
        same |= Q(complainant_phone=complaint.complainant_phone)
    window_start = at - timedelta(days=settings.REDRESS_REPEAT_WINDOW_DAYS)
    return (
        Complaint.objects.filter(same, received_at__gte=window_start, received_at__lte=at)
        .order_by("-received_at", "-id")
        .first()
    )


def _next_reference(at: datetime) -> str:
    """C + local date (yymmdd) + the day's number: C2611220001. Numbers are handed out under a row lock."""
    day = timezone.localdate(at)
    sequence, _created = ReferenceSequence.objects.select_for_update().get_or_create(day=day)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"C{day:%y%m%d}{sequence.last_number:04d}"


def complaint_update(
    *,
    complaint: Complaint,
    actor: User,
    expected_version: int | None,
    changes: dict[str, Any],
    at: datetime | None = None,
) -> Complaint:
    """Correct the details recorded at intake. Status, owner and clocks are not details: they have their actions."""
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise InvalidInput(
            _("These fields cannot be changed here: %(fields)s.") % {"fields": ", ".join(unknown)},
            fields={name: [_("This field is read-only.")] for name in unknown},
        )
    at = at or timezone.now()
    with transaction.atomic():
        fresh = _lock(complaint)
        _check_version(fresh, expected_version)
        if "complainant_phone" in changes:
            changes["complainant_phone"] = normalise_phone(changes["complainant_phone"])
        before = {name: getattr(fresh, name) for name in changes}
        for name, value in changes.items():
            setattr(fresh, name, value.strip() if isinstance(value, str) else value)
        _validate(fresh, exclude=["repeat_of", "owner"])
        diff = {
            name: [_plain(before[name]), _plain(getattr(fresh, name))]
            for name in changes
            if before[name] != getattr(fresh, name)
        }
        if not diff:
            return _sync(complaint, fresh)
        fresh.risk_high_value = fresh.declared_value >= Decimal(settings.REDRESS_HIGH_VALUE_THRESHOLD)
        fresh.risk_social_media = fresh.risk_social_media or fresh.channel == Channel.SOCIAL_MEDIA
        fresh.risk_regulator = fresh.channel == Channel.REGULATOR
        _save(fresh, [*changes, "risk_high_value", "risk_social_media", "risk_regulator"], at=at)
        _record(
            complaint=fresh,
            kind=EventKind.UPDATED,
            actor=actor,
            visibility=Visibility.INTERNAL,
            data={"changes": diff},
            at=at,
        )
    return _sync(complaint, fresh)


# --- Working a complaint --------------------------------------------------------------------------------------------


def complaint_assign(
    *,
    complaint: Complaint,
    actor: User,
    owner: User | None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Complaint:
    """Give the complaint to an agent or supervisor (or back to the queue with owner=None)."""
    if owner is not None and (owner.carrier_id is not None or not owner.is_active or not owner.is_staff):
        raise InvalidInput(
            _("%(user)s cannot own complaints: only active agents and supervisors can.") % {"user": owner},
            fields={"owner": [_("Choose an active agent or supervisor.")]},
        )
    at = at or timezone.now()
    with transaction.atomic():
        fresh = _lock(complaint)
        if fresh.owner_id == (owner.pk if owner else None):
            return _sync(complaint, fresh)
        _check_version(fresh, expected_version)
        _refuse_if_closed(fresh)
        previous = fresh.owner
        fresh.owner = owner
        _save(fresh, ["owner"], at=at)
        _record(
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
    return _sync(complaint, fresh)


def complaint_reply(
    *,
    complaint: Complaint,
    actor: User,
    message: str,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Complaint:
    """A customer-visible reply. The first one by a person stops the first-response clock."""
    message = _clean_message(message, field="message")
    at = at or timezone.now()
    with transaction.atomic():
        fresh = _lock(complaint)
        _check_version(fresh, expected_version)
        _refuse_if_closed(fresh)
        fields = []
        if fresh.first_response_at is None and actor is not None:
            fresh.first_response_at = at
            fresh.first_response_met = first_response_met(complaint=fresh)
            fields += ["first_response_at", "first_response_met"]
        _save(fresh, fields, at=at)
        _record(
            complaint=fresh,
            kind=EventKind.PUBLIC_REPLY,
            actor=actor,
            visibility=Visibility.PUBLIC,
            message=message,
            at=at,
        )
    return _sync(complaint, fresh)


def complaint_add_note(
    *,
    complaint: Complaint,
    actor: User,
    message: str,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Complaint:
    """An internal note: seen by staff only, never by the complainant or the carrier."""
    message = _clean_message(message, field="message")
    at = at or timezone.now()
    with transaction.atomic():
        fresh = _lock(complaint)
        _check_version(fresh, expected_version)
        _save(fresh, [], at=at)
        _record(
            complaint=fresh,
            kind=EventKind.INTERNAL_NOTE,
            actor=actor,
            visibility=Visibility.INTERNAL,
            message=message,
            at=at,
        )
    return _sync(complaint, fresh)


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
    if to_status in _DEDICATED_ACTIONS:
        raise IllegalTransition(
            _("To make a complaint “%(status)s”, use the “%(action)s” action.")
            % {"status": Status(to_status).label, "action": _(_DEDICATED_ACTIONS[to_status])}
        )
    at = at or timezone.now()
    with transaction.atomic():
        fresh = _lock(complaint)
        if fresh.status == to_status:
            return _sync(complaint, fresh)
        _check_version(fresh, expected_version)
        _check_transition(fresh, to_status)
        previous = fresh.status
        fresh.status = to_status
        _save(fresh, ["status"], at=at)
        _record(
            complaint=fresh,
            kind=EventKind.STATUS_CHANGED,
            actor=actor,
            visibility=Visibility.PUBLIC,
            message=(note or "").strip(),
            data={"from": previous, "to": to_status},
            at=at,
        )
    return _sync(complaint, fresh)


def complaint_hand_to_carrier(
    *,
    complaint: Complaint,
    actor: User,
    message: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Complaint:
    """Ask the carrier to act: the complaint waits on the carrier until it answers."""
    at = at or timezone.now()
    with transaction.atomic():
        fresh = _lock(complaint)
        if fresh.status == Status.AWAITING_CARRIER:
            return _sync(complaint, fresh)
        _check_version(fresh, expected_version)
        if fresh.carrier_id is None:
            raise InvalidInput(
                _("Complaint %(ref)s has no carrier: set the carrier before handing it over.") % {"ref": fresh},
                fields={"carrier": [_("Choose the carrier that handled the parcel.")]},
            )
        if not fresh.carrier.is_active:
            raise InvalidInput(
                _("Carrier %(carrier)s is not active.") % {"carrier": fresh.carrier.code},
                fields={"carrier": [_("This carrier is not active.")]},
            )
        _check_transition(fresh, Status.AWAITING_CARRIER)
        previous = fresh.status
        fresh.status = Status.AWAITING_CARRIER
        _save(fresh, ["status"], at=at)
        _record(
            complaint=fresh,
            kind=EventKind.HANDED_TO_CARRIER,
            actor=actor,
            visibility=Visibility.PUBLIC,
            message=(message or "").strip(),
            data={"from": previous, "to": Status.AWAITING_CARRIER, "carrier": fresh.carrier.code},
            at=at,
        )
    return _sync(complaint, fresh)


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
        fresh = _lock(complaint)
        if fresh.status == Status.RESOLVED:
            return _sync(complaint, fresh)
        _check_version(fresh, expected_version)
        _check_transition(fresh, Status.RESOLVED)
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
        _save(fresh, ["status", "resolved_at", "resolution_summary", "root_cause", "root_cause_area",
                      "carrier_liable", "revisit_due_at", "survey_reminder_due_at"], at=at)
        _record(
            complaint=fresh,
            kind=EventKind.RESOLVED,
            actor=actor,
            visibility=Visibility.PUBLIC,
            message=fresh.resolution_summary,
            data={"from": previous, "to": Status.RESOLVED, "root_cause": fresh.root_cause,
                  "root_cause_area": fresh.root_cause_area, "carrier_liable": fresh.carrier_liable},
            at=at,
            outcome=outcome,
        )
        messages_enqueue([resolution_notice_for(fresh, now=at)])
    return _sync(complaint, fresh)


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
        fresh = _lock(complaint)
        if fresh.status == Status.CLOSED:
            return _sync(complaint, fresh)
        _check_version(fresh, expected_version)
        _check_transition(fresh, Status.CLOSED)
        fresh.status = Status.CLOSED
        fresh.closed_at = at
        fresh.revisit_due_at = fresh.survey_reminder_due_at = None
        _save(fresh, ["status", "closed_at", "revisit_due_at", "survey_reminder_due_at"], at=at)
        _record(
            complaint=fresh,
            kind=EventKind.CLOSED,
            actor=actor,
            visibility=Visibility.PUBLIC,
            data={"from": Status.RESOLVED, "to": Status.CLOSED},
            at=at,
        )
    return _sync(complaint, fresh)


def complaint_reopen(
    *,
    complaint: Complaint,
    actor: User | None,
    reason: str,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Complaint:
    """Reopen a resolved complaint (the complainant is not satisfied, or the fix did not hold)."""
    reason = _clean_message(reason, field="reason")
    at = at or timezone.now()
    with transaction.atomic():
        fresh = _lock(complaint)
        if fresh.status == Status.REOPENED:
            return _sync(complaint, fresh)
        _check_version(fresh, expected_version)
        _check_transition(fresh, Status.REOPENED)
        fresh.status = Status.REOPENED
        fresh.resolved_at = None
        fresh.reopen_count += 1
        fresh.revisit_due_at = fresh.survey_reminder_due_at = None
        _save(fresh, ["status", "resolved_at", "reopen_count", "revisit_due_at", "survey_reminder_due_at"], at=at)
        _record(
            complaint=fresh,
            kind=EventKind.REOPENED,
            actor=actor,
            visibility=Visibility.PUBLIC,
            message=reason,
            data={"from": Status.RESOLVED, "to": Status.REOPENED, "reopen_count": fresh.reopen_count},
            at=at,
        )
    return _sync(complaint, fresh)


def complaint_carrier_accept(
    *,
    complaint: Complaint,
    actor: User,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Complaint:
    """The carrier takes ownership of its next step: its accept clock stops and its reply clock starts."""
    if actor.carrier_id is None or actor.carrier_id != complaint.carrier_id:
        raise NotAllowed(_("Only the complaint's carrier can accept it."))
    at = at or timezone.now()
    with transaction.atomic():
        fresh = _lock(complaint)
        if fresh.status != Status.AWAITING_CARRIER:
            raise IllegalTransition(
                _("Complaint %(ref)s is not waiting for the carrier (it is “%(status)s”).")
                % {"ref": fresh.reference, "status": Status(fresh.status).label}
            )
        handed = fresh.events.filter(kind=EventKind.HANDED_TO_CARRIER).order_by("-created_at", "-id").first()
        if handed and fresh.events.filter(kind=EventKind.CARRIER_ACCEPTED, created_at__gte=handed.created_at).exists():
            return _sync(complaint, fresh)
        _check_version(fresh, expected_version)
        _save(fresh, [], at=at)
        _record(complaint=fresh, kind=EventKind.CARRIER_ACCEPTED, actor=actor, visibility=Visibility.PUBLIC, at=at,
                data={"carrier": fresh.carrier.code})
    return _sync(complaint, fresh)


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
        fresh = _lock(complaint)
        if SurveyResponse.objects.filter(complaint=fresh, cycle=cycle).exists():
            raise IllegalTransition(_("This survey has already been answered. Thank you."), code="already_answered")
        if fresh.reopen_count != cycle or fresh.status not in (Status.RESOLVED, Status.CLOSED):
            raise IllegalTransition(_("This survey is no longer open."), code="survey_closed")
        response = SurveyResponse.objects.create(complaint=fresh, cycle=cycle, score=score, comment=comment,
                                                 answered_at=at)
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
        _save(fresh, fields, at=at)
        _record(
            complaint=fresh,
            kind=EventKind.SURVEY_ANSWERED,
            actor=None,
            visibility=Visibility.PUBLIC,
            message=comment,
            data={"score": score, "cycle": cycle, **({"from": Status.RESOLVED, "to": Status.REOPENED,
                                                       "escalation_level": fresh.escalation_level} if low else {})},
            at=at,
        )
    _sync(complaint, fresh)
    return response


# --- The partner API: carrier notes and resolution proposals ------------------------------------------------------


def _check_carrier(actor: User, complaint: Complaint, what: str) -> None:
    if actor is None or actor.carrier_id is None or actor.carrier_id != complaint.carrier_id:
        raise NotAllowed(_("Only the complaint's carrier can %(what)s.") % {"what": what})


def complaint_carrier_note(
    *,
    complaint: Complaint,
    actor: User,
    message: str,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> ComplaintEvent:
    """The carrier's answer for the agents only: the carrier and staff see it, the complainant never does.
    It counts as the carrier's reply for its reply clock, not as a response to the complainant."""
    _check_carrier(actor, complaint, _("add a carrier note"))
    message = _clean_message(message, field="message")
    at = at or timezone.now()
    with transaction.atomic():
        fresh = _lock(complaint)
        _check_version(fresh, expected_version)
        _refuse_if_closed(fresh)
        _save(fresh, [], at=at)
        event = _record(complaint=fresh, kind=EventKind.CARRIER_NOTE, actor=actor, visibility=Visibility.INTERNAL,
                        message=message, data={"carrier": fresh.carrier.code}, at=at)
    _sync(complaint, fresh)
    return event


def resolution_propose(
    *,
    complaint: Complaint,
    actor: User,
    summary: str,
    root_cause: str,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> ResolutionProposal:
    """The carrier proposes to resolve: what it did and what caused the problem. An agent confirms it (see
    resolution_proposal_confirm); a pending proposal from before is superseded."""
    _check_carrier(actor, complaint, _("propose a resolution"))
    errors = {}
    for field, text, hint in (("summary", summary, _("Say what was done for the complainant.")),
                              ("root_cause", root_cause, _("Say what caused the problem."))):
        if not (text or "").strip():
            errors[field] = [hint]
        elif len(text.strip()) > MESSAGE_MAX_LENGTH:
            errors[field] = [_("Keep it under %(max)d characters.") % {"max": MESSAGE_MAX_LENGTH}]
    if errors:
        raise InvalidInput(_("A resolution proposal needs a summary and a root cause."), fields=errors)
    at = at or timezone.now()
    with transaction.atomic():
        fresh = _lock(complaint)
        _check_version(fresh, expected_version)
        if fresh.status not in OPEN_STATUSES:
            raise IllegalTransition(
                _("Complaint %(ref)s is “%(status)s”: only an open complaint can get a resolution proposal.")
                % {"ref": fresh.reference, "status": Status(fresh.status).label}
            )
        superseded = list(ResolutionProposal.objects.filter(complaint=fresh, state=ProposalState.PROPOSED)
                          .values_list("pk", flat=True))
        ResolutionProposal.objects.filter(pk__in=superseded).update(state=ProposalState.SUPERSEDED, decided_at=at)
        proposal = ResolutionProposal.objects.create(
            complaint=fresh, carrier=fresh.carrier, summary=summary.strip(), root_cause=root_cause.strip(),
            proposed_by=actor, created_at=at,
        )
        _save(fresh, [], at=at)
        _record(complaint=fresh, kind=EventKind.RESOLUTION_PROPOSED, actor=actor, visibility=Visibility.INTERNAL,
                message=proposal.summary,
                data={"proposal": proposal.pk, "root_cause": proposal.root_cause, "superseded": superseded}, at=at)
    _sync(complaint, fresh)
    return proposal


def resolution_proposal_confirm(
    *,
    proposal: ResolutionProposal,
    actor: User,
    root_cause_area: str = "",
    carrier_liable: bool | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> ResolutionProposal:
    """An agent accepts the carrier's proposal: the complaint is resolved with its summary and root cause, and the
    agent's view of where it arose and whether the carrier is liable."""
    at = at or timezone.now()
    with transaction.atomic():
        fresh = ResolutionProposal.objects.select_for_update().select_related("complaint").get(pk=proposal.pk)
        if fresh.state == ProposalState.CONFIRMED:
            return fresh
        if fresh.state != ProposalState.PROPOSED:
            raise IllegalTransition(
                _("This resolution proposal is “%(state)s”: only a pending proposal can be confirmed.")
                % {"state": fresh.get_state_display()}
            )
        complaint_resolve(complaint=fresh.complaint, actor=actor, summary=fresh.summary, root_cause=fresh.root_cause,
                          root_cause_area=root_cause_area, carrier_liable=carrier_liable,
                          expected_version=expected_version, at=at)
        fresh.state, fresh.decided_by, fresh.decided_at = ProposalState.CONFIRMED, actor, at
        fresh.save(update_fields=["state", "decided_by", "decided_at"])
    proposal.state, proposal.decided_by, proposal.decided_at = fresh.state, fresh.decided_by, fresh.decided_at
    return fresh


# --- Helpers --------------------------------------------------------------------------------------------------------


def _validate(complaint: Complaint, *, exclude: list[str]) -> None:
    """Model validation, with the contact rules reported against the fields they concern (the database
    constraints behind them would only say "__all__")."""
    fields: dict[str, list[str]] = {}
    try:
        complaint.full_clean(exclude=exclude)
    except DjangoValidationError as error:
        fields = InvalidInput.from_django(error).fields
    contact_rules = {
        "complaint_has_contact", "complaint_sms_needs_phone", "complaint_email_needs_email",
    }
    constraint_messages = {
        str(c.violation_error_message) for c in Complaint._meta.constraints if c.name in contact_rules
    }
    general = [m for m in fields.pop("__all__", []) if m not in constraint_messages]
    if general:
        fields["__all__"] = general
    if not complaint.complainant_phone and not complaint.complainant_email:
        message = _("Give the complainant's phone number or email address, or both.")
        fields.setdefault("complainant_phone", []).append(message)
        fields.setdefault("complainant_email", []).append(message)
    elif complaint.contact_channel == ContactChannel.SMS and not complaint.complainant_phone:
        fields.setdefault("complainant_phone", []).append(_("A phone number is needed to reach the complainant by SMS."))
    elif complaint.contact_channel == ContactChannel.EMAIL and not complaint.complainant_email:
        fields.setdefault("complainant_email", []).append(
            _("An email address is needed to reach the complainant by email."))
    if complaint.carrier is not None and not complaint.carrier.is_active and complaint._state.adding:
        fields.setdefault("carrier", []).append(_("Carrier %(code)s is not active.") % {"code": complaint.carrier.code})
    if fields:
        raise InvalidInput(_("Some fields are not valid."), fields=fields)


def _clean_message(message: str, *, field: str) -> str:
    message = (message or "").strip()
    if not message:
        raise InvalidInput(_("The %(field)s is empty.") % {"field": _(field)}, fields={field: [_("Write something.")]})
    if len(message) > MESSAGE_MAX_LENGTH:
        raise InvalidInput(
            _("The %(field)s is too long.") % {"field": _(field)},
            fields={field: [_("Keep it under %(max)d characters.") % {"max": MESSAGE_MAX_LENGTH}]},
        )
    return message


def _lock(complaint: Complaint) -> Complaint:
    """The complaint as it is now in the database, locked until the transaction ends."""
    # of=self: PostgreSQL cannot lock the nullable side of the outer joins to carrier and owner.
    return Complaint.objects.select_for_update(of=("self",)).select_related("carrier", "owner").get(pk=complaint.pk)


def _check_version(fresh: Complaint, expected_version: int | None) -> None:
    if expected_version is None or int(expected_version) == fresh.version:
        return
    last = fresh.events.select_related("actor").order_by("-created_at", "-id").first()
    who = last.actor.username if last and last.actor else _("the system")
    what = last.get_kind_display() if last else ""
    raise VersionConflict(
        _(
            "Complaint %(ref)s was changed by %(who)s (%(what)s) after you opened it. Nothing was saved: "
            "reload it, check the change, and try again."
        )
        % {"ref": fresh.reference, "who": who, "what": what},
        fields={"version": [_("You had version %(mine)s; it is now at version %(now)s.")
                            % {"mine": expected_version, "now": fresh.version}]},
    )


def _check_transition(fresh: Complaint, to_status: str) -> None:
    allowed = TRANSITIONS[fresh.status]
    if to_status not in allowed:
        allowed_labels = ", ".join(str(Status(s).label) for s in sorted(allowed)) or _("none (it is final)")
        raise IllegalTransition(
            _("A complaint that is “%(current)s” cannot become “%(target)s”. From here it can become: %(allowed)s.")
            % {"current": Status(fresh.status).label, "target": Status(to_status).label, "allowed": allowed_labels},
            fields={"status": [_("Not allowed from “%(current)s”.") % {"current": Status(fresh.status).label}]},
        )


def _refuse_if_closed(fresh: Complaint) -> None:
    if fresh.status == Status.CLOSED:
        raise IllegalTransition(_("Complaint %(ref)s is closed.") % {"ref": fresh.reference})


def _save(fresh: Complaint, fields: list[str], *, at: datetime) -> None:
    """Write the fields and bump the version, only if nobody else bumped it first."""
    old_version = fresh.version
    values = {name: getattr(fresh, name) for name in fields}
    values["version"] = old_version + 1
    values["updated_at"] = at
    updated = Complaint.objects.filter(pk=fresh.pk, version=old_version).update(**values)
    if updated != 1:
        raise VersionConflict(
            _("Complaint %(ref)s was changed by someone else at the same moment. Nothing was saved: reload and try "
              "again.") % {"ref": fresh.reference}
        )
    fresh.version = old_version + 1
    fresh.updated_at = values["updated_at"]


def _record(
    *,
    complaint: Complaint,
    kind: str,
    actor: User | None,
    visibility: str,
    at: datetime,
    message: str = "",
    data: dict | None = None,
    outcome: dict | None = None,
) -> ComplaintEvent:
    event = ComplaintEvent.objects.create(
        **(outcome or {}),
        complaint=complaint,
        kind=kind,
        actor=actor,
        actor_role=user_role(actor),
        visibility=visibility,
        message=message,
        data=data or {},
        created_at=at,
    )
    # Every change replays the timeline: the due times always match the history.
    complaint_refresh_clocks(complaint=complaint)
    # The carrier's webhooks, in the same transaction: no event is lost, none is sent for a rolled-back change.
    webhook_deliveries_enqueue(event=event)
    return event




def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return str(value)
    return value



# --- For other apps' services (compensation): the same lock, version bump and event as the actions above ----------


def complaint_lock(*, complaint: Complaint, expected_version: int | None = None) -> Complaint:
    """The complaint as it is now, locked until the transaction ends, refused if it is no longer at the version the
    caller saw (when given). Call inside transaction.atomic()."""
    fresh = _lock(complaint)
    _check_version(fresh, expected_version)
    return fresh


def complaint_record_event(
    *,
    complaint: Complaint,
    kind: str,
    actor: User | None,
    visibility: str,
    at: datetime,
    message: str = "",
    data: dict | None = None,
) -> ComplaintEvent:
    """Record a step taken on something that belongs to the complaint (a compensation claim) on its timeline.
    `complaint` must come from complaint_lock in the same transaction: its version is bumped like any change's."""
    _save(complaint, [], at=at)
    return _record(complaint=complaint, kind=kind, actor=actor, visibility=visibility, at=at, message=message,
                   data=data)
