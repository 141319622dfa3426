"""The carrier's part: handing a complaint to the carrier, the carrier's acceptance and notes, and resolution proposals
an agent confirms.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from complaints.choices import (
    OPEN_STATUSES,
    EventKind,
    Status,
    Visibility,
)
from complaints.errors import (
    IllegalTransition,
    InvalidInput,
    NotAllowed,
)
from complaints.events import event_record
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
    ComplaintEvent,
    ProposalState,
    ResolutionProposal,
)
from complaints.services.inputs import MESSAGE_MAX_LENGTH, message_clean
from complaints.services.workflow import complaint_resolve


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
        fresh = complaint_lock(complaint=complaint)
        if fresh.status == Status.AWAITING_CARRIER:
            return instance_sync(complaint, fresh)
        complaint_check_version(fresh, expected_version)
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
        complaint_check_transition(fresh, Status.AWAITING_CARRIER)
        previous = fresh.status
        fresh.status = Status.AWAITING_CARRIER
        complaint_save(fresh, ["status"], at=at)
        event_record(
            complaint=fresh,
            kind=EventKind.HANDED_TO_CARRIER,
            actor=actor,
            visibility=Visibility.PUBLIC,
            message=(message or "").strip(),
            data={"from": previous, "to": Status.AWAITING_CARRIER, "carrier": fresh.carrier.code},
            at=at,
        )
    return instance_sync(complaint, fresh)


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
        fresh = complaint_lock(complaint=complaint)
        if fresh.status != Status.AWAITING_CARRIER:
            raise IllegalTransition(
                _("Complaint %(ref)s is not waiting for the carrier (it is “%(status)s”).")
                % {"ref": fresh.reference, "status": Status(fresh.status).label}
            )
        handed = fresh.events.filter(kind=EventKind.HANDED_TO_CARRIER).order_by("-created_at", "-id").first()
        if handed and fresh.events.filter(kind=EventKind.CARRIER_ACCEPTED, created_at__gte=handed.created_at).exists():
            return instance_sync(complaint, fresh)
        complaint_check_version(fresh, expected_version)
        complaint_save(fresh, [], at=at)
        event_record(
            complaint=fresh,
            kind=EventKind.CARRIER_ACCEPTED,
            actor=actor,
            visibility=Visibility.PUBLIC,
            at=at,
            data={"carrier": fresh.carrier.code},
        )
    return instance_sync(complaint, fresh)


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
    message = message_clean(message, field="message")
    at = at or timezone.now()
    with transaction.atomic():
        fresh = complaint_lock(complaint=complaint)
        complaint_check_version(fresh, expected_version)
        complaint_refuse_if_closed(fresh)
        complaint_save(fresh, [], at=at)
        event = event_record(
            complaint=fresh,
            kind=EventKind.CARRIER_NOTE,
            actor=actor,
            visibility=Visibility.INTERNAL,
            message=message,
            data={"carrier": fresh.carrier.code},
            at=at,
        )
    instance_sync(complaint, fresh)
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
    for field, text, hint in (
        ("summary", summary, _("Say what was done for the complainant.")),
        ("root_cause", root_cause, _("Say what caused the problem.")),
    ):
        if not (text or "").strip():
            errors[field] = [hint]
        elif len(text.strip()) > MESSAGE_MAX_LENGTH:
            errors[field] = [_("Keep it under %(max)d characters.") % {"max": MESSAGE_MAX_LENGTH}]
    if errors:
        raise InvalidInput(_("A resolution proposal needs a summary and a root cause."), fields=errors)
    at = at or timezone.now()
    with transaction.atomic():
        fresh = complaint_lock(complaint=complaint)
        complaint_check_version(fresh, expected_version)
        if fresh.status not in OPEN_STATUSES:
            raise IllegalTransition(
                _("Complaint %(ref)s is “%(status)s”: only an open complaint can get a resolution proposal.")
                % {"ref": fresh.reference, "status": Status(fresh.status).label}
            )
        superseded = list(
            ResolutionProposal.objects.filter(complaint=fresh, state=ProposalState.PROPOSED).values_list(
                "pk", flat=True
            )
        )
        ResolutionProposal.objects.filter(pk__in=superseded).update(state=ProposalState.SUPERSEDED, decided_at=at)
        proposal = ResolutionProposal.objects.create(
            complaint=fresh,
            carrier=fresh.carrier,
            summary=summary.strip(),
            root_cause=root_cause.strip(),
            proposed_by=actor,
            created_at=at,
        )
        complaint_save(fresh, [], at=at)
        event_record(
            complaint=fresh,
            kind=EventKind.RESOLUTION_PROPOSED,
            actor=actor,
            visibility=Visibility.INTERNAL,
            message=proposal.summary,
            data={"proposal": proposal.pk, "root_cause": proposal.root_cause, "superseded": superseded},
            at=at,
        )
    instance_sync(complaint, fresh)
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
        complaint_resolve(
            complaint=fresh.complaint,
            actor=actor,
            summary=fresh.summary,
            root_cause=fresh.root_cause,
            root_cause_area=root_cause_area,
            carrier_liable=carrier_liable,
            expected_version=expected_version,
            at=at,
        )
        fresh.state, fresh.decided_by, fresh.decided_at = ProposalState.CONFIRMED, actor, at
        fresh.save(update_fields=["state", "decided_by", "decided_at"])
    proposal.state, proposal.decided_by, proposal.decided_at = fresh.state, fresh.decided_by, fresh.decided_at
    return fresh
