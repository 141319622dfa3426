"""Reads about complaints. Views, the admin and the API ask these instead of building queries themselves."""

from __future__ import annotations

import re
from datetime import datetime

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import is_supervisor
from complaints.choices import FINAL_STATUSES, OPEN_STATUSES, TRANSITIONS, EventKind, Status, Visibility
from complaints.evidence.choices import EvidenceVisibility
from complaints.models import Complaint, ComplaintEvent, ProposalState, ResolutionProposal
from complaints.validators import normalise_phone


class ComplaintAction(models.TextChoices):
    """What staff can do to a complaint in the back office: the buttons of its change page, each calling one service.
    The labels are the buttons' own."""

    ASSIGN_ME = "assign_me", _("Assign to me")
    ASSIGN = "assign", _("Set owner")
    REPLY = "reply", _("Send reply")
    NOTE = "note", _("Add note")
    TRANSITION = "transition", _("Change status")
    HAND_TO_CARRIER = "hand_to_carrier", _("Hand to carrier")
    RESOLVE = "resolve", _("Resolve")
    CLOSE = "close", _("Close")
    REOPEN = "reopen", _("Reopen")
    SEND_PROGRESS_UPDATE = "send_progress_update", _("Send progress update now")
    ESCALATE = "escalate", _("Escalate")
    CONFIRM_RESOLUTION = "confirm_resolution", _("Confirm and resolve")
    MERGE = "merge", _("Merge into…")


# Statuses with their own action, because they need more than a status (a carrier, a summary, a reason): the state
# map allows them, and complaint_transition refuses them, pointing here.
DEDICATED_ACTIONS: dict[str, ComplaintAction] = {
    Status.AWAITING_CARRIER: ComplaintAction.HAND_TO_CARRIER,
    Status.RESOLVED: ComplaintAction.RESOLVE,
    Status.REOPENED: ComplaintAction.REOPEN,
    Status.CLOSED: ComplaintAction.CLOSE,
    Status.MERGED: ComplaintAction.MERGE,
}
# Statuses reached through complaint_transition: every other status the state map leads to.
PLAIN_TARGETS = tuple(
    status
    for status in Status
    if status not in DEDICATED_ACTIONS and any(status in targets for targets in TRANSITIONS.values())
)


def overdue_condition(*, now: datetime) -> Q:
    """Open, and the nearest running clock is already past its due time: what the admin's "Overdue" filter and the
    API's `overdue=true` both mean."""
    return Q(status__in=OPEN_STATUSES, next_due_at__lt=now)


def complaint_timeline(
    *, complaint: Complaint, include_internal: bool = True, newest_first: bool = True
) -> QuerySet[ComplaintEvent]:
    """The complaint's events with those of the duplicates merged into it (each event names its complaint)."""
    events = ComplaintEvent.objects.filter(complaint_id__in=merged_family_ids(complaint=complaint)).select_related(
        "actor", "complaint"
    )
    if not include_internal:
        events = events.public()
    return events.order_by("-created_at", "-id") if newest_first else events.order_by("created_at", "id")


def complaint_plain_targets(*, complaint: Complaint) -> list[str]:
    """The statuses an agent can move this complaint to with a plain status change."""
    return [status for status in PLAIN_TARGETS if status in TRANSITIONS[complaint.status]]


def complaint_can(*, complaint: Complaint, target: str) -> bool:
    return target in TRANSITIONS[complaint.status]


def action_permitted(*, user: User, action: str) -> bool:
    """Whether the user's role and permissions let them take this action at all, whatever the complaint's state (the
    services check the state, and say why not). Choosing another owner is a supervisor's call; so is the escalation
    level (or whoever holds its permission, as complaint_escalate allows)."""
    if action not in ComplaintAction.values or not user.has_perm("complaints.change_complaint"):
        return False
    if action == ComplaintAction.ASSIGN:
        return is_supervisor(user)
    if action == ComplaintAction.ESCALATE:
        return is_supervisor(user) or user.has_perm("complaints.escalate_complaint")
    return True


def complaint_actions_for(*, complaint: Complaint, user: User) -> list[ComplaintAction]:
    """The actions this user may take on this complaint now: the state map (TRANSITIONS, with the dedicated actions
    for the statuses that need more than a status) crossed with the user's role and permissions. The admin's action
    panel offers exactly these."""
    is_open = complaint.status in OPEN_STATUSES
    not_closed = complaint.status not in FINAL_STATUSES
    can_resolve = complaint_can(complaint=complaint, target=Status.RESOLVED)
    by_state = {
        ComplaintAction.ASSIGN_ME: not_closed and complaint.owner_id != user.pk,
        ComplaintAction.ASSIGN: not_closed,
        ComplaintAction.REPLY: not_closed,
        ComplaintAction.NOTE: True,
        ComplaintAction.TRANSITION: bool(complaint_plain_targets(complaint=complaint)),
        ComplaintAction.HAND_TO_CARRIER: complaint_can(complaint=complaint, target=Status.AWAITING_CARRIER)
        and complaint.carrier_id is not None,
        ComplaintAction.RESOLVE: can_resolve,
        ComplaintAction.CLOSE: complaint_can(complaint=complaint, target=Status.CLOSED),
        ComplaintAction.REOPEN: complaint_can(complaint=complaint, target=Status.REOPENED),
        ComplaintAction.SEND_PROGRESS_UPDATE: is_open,
        ComplaintAction.ESCALATE: is_open,
        ComplaintAction.CONFIRM_RESOLUTION: can_resolve and complaint_pending_proposal(complaint=complaint) is not None,
        ComplaintAction.MERGE: complaint_can(complaint=complaint, target=Status.MERGED),
    }
    return [action for action in ComplaintAction if by_state[action] and action_permitted(user=user, action=action)]


def complaint_pending_proposal(*, complaint: Complaint) -> ResolutionProposal | None:
    """The carrier's resolution proposal waiting for an agent, if any (a newer one supersedes the pending one)."""
    return (
        ResolutionProposal.objects.filter(complaint=complaint, state=ProposalState.PROPOSED)
        .select_related("carrier")
        .order_by("-created_at", "-id")
        .first()
    )


def assignable_staff() -> QuerySet[User]:
    return User.objects.filter(is_active=True, is_staff=True, carrier__isnull=True).order_by("username")


def complaint_public_timeline(*, complaint: Complaint, kinds: tuple[str, ...]) -> QuerySet[ComplaintEvent]:
    """What the complainant sees: public events of the given kinds, newest first, with those of the duplicates they
    filed themselves that were merged into this complaint."""
    ids = merged_family_ids(complaint=complaint, complainant_only=True)
    events = ComplaintEvent.objects.filter(complaint_id__in=ids, kind__in=kinds).public()
    return events.select_related("complaint").order_by("-created_at", "-id")


# --- Duplicates ---------------------------------------------------------------------------------------------------


def same_complainant(first: Complaint, second: Complaint) -> bool:
    """The two complaints come from the same person: the same phone number (E.164) or the same email address. The
    sender and the recipient of one parcel both complain about its waybill: neither reads the other's timeline."""
    same_phone = bool(first.complainant_phone) and first.complainant_phone == second.complainant_phone
    email = (first.complainant_email or "").strip().lower()
    return same_phone or (bool(email) and email == (second.complainant_email or "").strip().lower())


def merged_family_ids(*, complaint: Complaint, complainant_only: bool = False) -> list[int]:
    """The complaint's id and those of the duplicates merged into it (no chains: complaint_merge refuses them), for
    staff; with `complainant_only`, only the duplicates the same complainant filed (what their status page shows)."""
    merged = list(
        Complaint.objects.filter(merged_into_id=complaint.pk).only("pk", "complainant_phone", "complainant_email")
    )
    if complainant_only and merged:
        own = Complaint.objects.only("pk", "complainant_phone", "complainant_email").get(pk=complaint.pk)
        merged = [other for other in merged if same_complainant(own, other)]
    return [complaint.pk, *(other.pk for other in merged)]


def complaint_open_same_waybill(*, complaint: Complaint, limit: int = 10) -> list[Complaint]:
    """Other open complaints about the complaint's waybill, any carrier (agents see every carrier's), oldest first:
    the candidates an agent may merge this one into, or merge into it."""
    return list(
        Complaint.objects.filter(waybill_number=complaint.waybill_number, status__in=OPEN_STATUSES)
        .exclude(pk=complaint.pk)
        .select_related("carrier")
        .order_by("received_at", "id")[:limit]
    )


def complaint_references(*, ids: set[int]) -> dict[int, tuple[str, int | None]]:
    """Reference and carrier of each complaint, by id: no query when there are none."""
    if not ids:
        return {}
    return {
        pk: (ref, carrier)
        for pk, ref, carrier in Complaint.objects.filter(pk__in=ids).values_list("pk", "reference", "carrier_id")
    }


def complaint_by_reference(*, reference: str) -> Complaint | None:
    """The complaint an agent typed the reference of (any case, spaces and dashes ignored)."""
    code = _CODE_SEPARATORS.sub("", (reference or "").strip()).upper()
    return Complaint.objects.filter(reference=code).first() if code else None


# --- The partner API: what a carrier sees -------------------------------------------------------------------------

# Internal events a carrier still sees on its complaints: its own notes and resolution proposals, and compensation
# proposals (it pays back what it is liable for). Never internal notes.
CARRIER_VISIBLE_INTERNAL_KINDS = (
    EventKind.CARRIER_NOTE,
    EventKind.RESOLUTION_PROPOSED,
    EventKind.COMPENSATION_PROPOSED,
)


def carrier_complaints(*, carrier_id: int) -> QuerySet[Complaint]:
    """The complaints about one carrier's parcels: everything the partner API lets that carrier read or touch."""
    return Complaint.objects.filter(carrier_id=carrier_id)


def carrier_timeline(*, complaint: Complaint) -> QuerySet[ComplaintEvent]:
    """The events the complaint's carrier may see, oldest first: with files added for the carrier and the agents
    (complaints/evidence), which are internal to the complainant only."""
    return (
        ComplaintEvent.objects.filter(complaint=complaint)
        .filter(
            Q(visibility=Visibility.PUBLIC)
            | Q(kind__in=CARRIER_VISIBLE_INTERNAL_KINDS)
            | Q(kind=EventKind.EVIDENCE_ADDED, data__visibility=EvidenceVisibility.CARRIER)
        )
        .order_by("created_at", "id")
    )


# --- Search: what an agent typed in the admin's search box ------------------------------------------------------------

_CODE = re.compile(r"[A-Z0-9]{8,30}")  # a reference (C2611220001) or a waybill number, uppercased, separators removed
_CODE_SEPARATORS = re.compile(r"[\s\-]")
_PHONE = re.compile(r"[+\d\s().\-]{7,}")  # digits with the + and the separators people type
_PHONE_SEPARATORS = re.compile(r"[\s\u3000().\-/（）－]")
NAME_ANYWHERE_FROM = 3  # characters: a shorter name fragment is looked for at the start of the name
# A name search stops after this many matches: a common name (张伟) is shared by thousands of complaints, each read
# from the table to be counted and sorted; past it, the agent is asked to narrow the search.
NAME_MATCH_CAP = 1_000


def _phone_prefixes(term: str) -> set[str]:
    """The stored forms a phone number, whole or its start, may begin with: the normalised whole number, and the
    start as typed without separators, in E.164 (+86…, the trunk 0 of an area code dropped) and as plain digits."""
    digits = _PHONE_SEPARATORS.sub("", term)
    prefixes = {normalise_phone(term), digits}
    if digits.startswith("00"):
        prefixes.add("+" + digits[2:])
    elif digits.startswith("0"):
        prefixes.add("+86" + digits[1:])
    elif not digits.startswith("+"):
        prefixes.add("+86" + digits)
    return {prefix for prefix in prefixes if prefix}


def complaint_search_is_name(*, term: str) -> bool:
    """True when complaint_search reads `term` as a name (not a reference, waybill or phone number)."""
    term = (term or "").strip()
    if not term:
        return False
    code = _CODE_SEPARATORS.sub("", term).upper()
    is_code = bool(_CODE.fullmatch(code)) and any(ch.isdigit() for ch in code)
    return not is_code and not _PHONE.fullmatch(term)


def complaint_search(*, term: str) -> Q:
    """The complaints an agent means by what they typed in the search box, recognised by its shape, each branch
    answered by one index (migration complaints/0018_search_indexes):

    - letters and digits, 8 to 30 of them, with at least one digit (spaces and dashes ignored, any case): a reference
      or a waybill number, exactly (references are C + date + number; waybills are stored uppercased);
    - digits with the separators people type ('138 1234 5678', '+86 138-1234-5678', '010-6552'): the complaints from
      phone numbers starting so, stored in E.164 or as plain digits;
    - anything else: a complainant's name containing it, or, for one or two characters (a surname, a two-character
      name), starting with it: trigram indexes need three characters to look inside a name.

    A term of several shapes (an all-digit waybill number looks like a phone) finds what each shape finds."""
    term = (term or "").strip()
    if not term:
        return Q()
    conditions = []
    code = _CODE_SEPARATORS.sub("", term).upper()
    is_code = bool(_CODE.fullmatch(code)) and any(ch.isdigit() for ch in code)
    if is_code:
        conditions += [Q(reference=code), Q(waybill_number=code)]
    if _PHONE.fullmatch(term):
        conditions += [Q(complainant_phone__startswith=prefix) for prefix in sorted(_phone_prefixes(term))]
    elif not is_code:
        if len(term) >= NAME_ANYWHERE_FROM:
            conditions.append(Q(complainant_name__icontains=term))
        else:
            conditions.append(Q(complainant_name__istartswith=term))
    condition = conditions[0]
    for other in conditions[1:]:
        condition |= other
    return condition
