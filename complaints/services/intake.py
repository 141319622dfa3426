"""Intake: a new complaint is validated, given its reference and risks, linked to a complaint it repeats, and
acknowledged; agents correct its facts afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Carrier, User
from complaints.choices import (
    OPEN_STATUSES,
    PRIORITY_RANK,
    Channel,
    ContactChannel,
    EscalationLevel,
    EventKind,
    Language,
    Priority,
    Status,
    Visibility,
)
from complaints.errors import (
    InvalidInput,
)
from complaints.events import event_record
from complaints.evidence.choices import EvidenceVisibility
from complaints.evidence.services import FileInput, evidence_add, evidence_files_check
from complaints.followups.messages import acknowledgement_for
from complaints.followups.outbox import messages_enqueue
from complaints.guards import (
    complaint_check_version,
    complaint_lock,
    complaint_refuse_if_closed,
    complaint_save,
    instance_sync,
)
from complaints.models import (
    Complaint,
    ReferenceSequence,
)
from complaints.recount import figures_recount
from complaints.services.inputs import complaint_full_clean, plain_value
from complaints.validators import normalise_phone

# The fields the weekly report splits the flows by (reports.metrics.common.DIMS).
REPORTED_BY = {"carrier", "category", "channel"}
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
    shipping_fee: Decimal | str | int | None = None,  # None: not recorded (unknown is not ¥0.00)
    priority: str = Priority.NORMAL,
    risk_medical: bool = False,
    risk_social_media: bool = False,
    files: Sequence[FileInput] = (),
    at: datetime | None = None,
) -> Complaint:
    """Record a new complaint: validate it, flag its risks, link it to a recent complaint it repeats. `files` (photos,
    PDFs) belong to its "created" event, public; with no `actor` they are the complainant's own. Every file is checked
    before anything is written: one refused file refuses the complaint (InvalidInput naming each)."""
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
    complaint_full_clean(complaint, exclude=["reference", "repeat_of", "duplicate_of", "owner"])
    cleaned_files = evidence_files_check(list(files)) if files else []  # the slow part, before any lock

    complaint.risk_high_value = complaint.declared_value >= Decimal(settings.REDRESS_HIGH_VALUE_THRESHOLD)
    with transaction.atomic():
        # Agents see the link to the latest repeated complaint, whichever carrier's it is. What the carrier reads
        # (the repeat risk, and the priority, level and due times it sets) comes from the same carrier's complaints
        # only: otherwise forwarding a complaint would tell a carrier whether another carrier has one about that
        # phone or waybill.
        repeat_of = _find_repeated(complaint, at=at)
        own_repeat = (
            repeat_of
            if repeat_of is None or repeat_of.carrier_id == complaint.carrier_id
            else _find_repeated(complaint, at=at, same_carrier=True)
        )
        complaint.repeat_of = repeat_of
        complaint.risk_repeat = own_repeat is not None
        # Shown to the agent, never merged by itself: only a person decides that two complaints are one.
        complaint.duplicate_of = _find_open_same_waybill(complaint)
        if complaint.is_high_risk:
            # High-risk complaints start with a supervisor and at least high priority (docs/domain.md, Escalation).
            complaint.escalation_level = EscalationLevel.SUPERVISOR
            if PRIORITY_RANK[complaint.priority] < PRIORITY_RANK[Priority.HIGH]:
                complaint.priority = Priority.HIGH
        complaint.reference = _next_reference(at)
        complaint.created_at = complaint.updated_at = at
        complaint.save()
        created = event_record(
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
                # The event is the carrier's to read (webhooks): only a repeat of its own complaint is named.
                "repeat_of": own_repeat.reference if own_repeat else None,
            },
            at=at,
        )
        if cleaned_files:
            evidence_add(
                complaint=complaint,
                actor=actor,
                complainant=actor is None,
                files=cleaned_files,
                kind=None,
                visibility=EvidenceVisibility.PUBLIC,
                event=created,
                at=at,
            )
        # The automatic acknowledgement: it tells the complainant when to expect a person, and does not stop the
        # first-response clock (only a human reply does).
        messages_enqueue([acknowledgement_for(complaint, now=at)])
    return complaint


def _find_repeated(complaint: Complaint, *, at: datetime, same_carrier: bool = False) -> Complaint | None:
    """The most recent complaint in the repeat window about the same waybill or from the same phone; with
    `same_carrier`, only among the complaints of the complaint's carrier (none: those without a carrier)."""
    same = Q(waybill_number=complaint.waybill_number)
    if complaint.complainant_phone:
        same |= Q(complainant_phone=complaint.complainant_phone)
    window_start = at - timedelta(days=settings.REDRESS_REPEAT_WINDOW_DAYS)
    candidates = Complaint.objects.filter(same, received_at__gte=window_start, received_at__lte=at)
    if same_carrier:
        candidates = candidates.filter(carrier_id=complaint.carrier_id)
    return candidates.order_by("-received_at", "-id").first()


def _find_open_same_waybill(complaint: Complaint) -> Complaint | None:
    """The first-received open complaint about the same waybill, whichever carrier's: the likely primary."""
    return (
        Complaint.objects.filter(waybill_number=complaint.waybill_number, status__in=OPEN_STATUSES)
        .order_by("received_at", "id")
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
        fresh = complaint_lock(complaint=complaint)
        complaint_check_version(fresh, expected_version)
        if fresh.status == Status.MERGED:
            # Its life goes on in the primary: a changed carrier or waybill here would contradict the merge.
            complaint_refuse_if_closed(fresh)
        if "complainant_phone" in changes:
            changes["complainant_phone"] = normalise_phone(changes["complainant_phone"])
        before = {name: getattr(fresh, name) for name in changes}
        for name, value in changes.items():
            setattr(fresh, name, value.strip() if isinstance(value, str) else value)
        complaint_full_clean(fresh, exclude=["repeat_of", "duplicate_of", "merged_into", "owner"])
        diff = {
            name: [plain_value(before[name]), plain_value(getattr(fresh, name))]
            for name in changes
            if before[name] != getattr(fresh, name)
        }
        if not diff:
            return instance_sync(complaint, fresh)
        fresh.risk_high_value = fresh.declared_value >= Decimal(settings.REDRESS_HIGH_VALUE_THRESHOLD)
        fresh.risk_social_media = fresh.risk_social_media or fresh.channel == Channel.SOCIAL_MEDIA
        fresh.risk_regulator = fresh.channel == Channel.REGULATOR
        complaint_save(fresh, [*changes, "risk_high_value", "risk_social_media", "risk_regulator"], at=at)
        if diff.keys() & REPORTED_BY:
            # Its past flows move to another carrier, category or channel in the report's daily roll-up.
            figures_recount(complaint_ids=[fresh.pk])
        event_record(
            complaint=fresh,
            kind=EventKind.UPDATED,
            actor=actor,
            visibility=Visibility.INTERNAL,
            data={"changes": diff},
            at=at,
        )
    return instance_sync(complaint, fresh)
