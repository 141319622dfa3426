"""The complainant answers: an SMS reply, an email reply or a message on the status page, on one complaint."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from complaints.choices import (
    EventKind,
    ReplyChannel,
    Status,
    Visibility,
)
from complaints.errors import InvalidInput
from complaints.events import event_record
from complaints.evidence.choices import IMAGE_TYPES, EvidenceKind, EvidenceVisibility
from complaints.evidence.files import CleanFile
from complaints.evidence.services import FileInput, evidence_add, evidence_check_room, evidence_files_check
from complaints.followups.messages import staff_message
from complaints.followups.outbox import messages_enqueue
from complaints.guards import (
    complaint_check_transition,
    complaint_lock,
    complaint_refuse_if_closed,
    complaint_save,
    instance_sync,
)
from complaints.models import Complaint, ComplaintEvent
from complaints.services.inputs import message_clean


def complaint_receive_reply(
    *,
    complaint: Complaint,
    channel: str,
    message: str,
    files: Sequence[FileInput] = (),
    at: datetime | None = None,
) -> Complaint:
    """The complainant's reply on a complaint that is not closed. Each change is its own event:

    - a public `complainant_reply` event with the message (and the files, attached to it as the complainant's
      evidence, visible to them, the carrier and the agents);
    - a complaint awaiting the complainant moves back to "in progress" at once (a `status_changed` event by the
      system), which resumes the resolution clock;
    - the owner gets an email alert with the message (the level's queue when nobody owns it).

    A reply is not a progress update (the complainant still hears from us on time) and not a first response. Not
    idempotent: each call adds a reply (the SMS channel records each gateway message once before calling this)."""
    if channel not in ReplyChannel.values:
        raise InvalidInput(
            _("Unknown reply channel “%(channel)s”.") % {"channel": channel},
            fields={"channel": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(ReplyChannel.values)}]},
        )
    files = list(files or ())
    message = (message or "").strip()
    if message or not files:  # files may come without words
        message = message_clean(message, field="message")
    # Every file of the message at once, whatever its kind: the limit is per message, and the slow part (reading and
    # re-encoding) runs before the lock.
    checked = evidence_files_check(files) if files else []
    at = at or timezone.now()
    with transaction.atomic():
        fresh = complaint_lock(complaint=complaint)
        complaint_refuse_if_closed(fresh)
        # The whole message fits in the complaint or none of it is stored (nothing written yet).
        evidence_check_room(complaint=fresh, files=checked)
        resumes = fresh.status == Status.AWAITING_CUSTOMER
        if resumes:
            complaint_check_transition(fresh, Status.IN_PROGRESS)
            fresh.status = Status.IN_PROGRESS
        complaint_save(fresh, ["status"] if resumes else [], at=at)
        event = event_record(
            complaint=fresh,
            kind=EventKind.COMPLAINANT_REPLY,
            actor=None,
            visibility=Visibility.PUBLIC,
            message=message,
            data={"channel": channel, **({"files": len(files)} if files else {})},
            at=at,
        )
        for kind, group in _files_by_kind(checked):
            evidence_add(
                complaint=fresh,
                actor=None,
                complainant=True,
                files=group,
                kind=kind,
                visibility=EvidenceVisibility.PUBLIC,
                event=event,
                at=at,
            )
        if resumes:
            event_record(
                complaint=fresh,
                kind=EventKind.STATUS_CHANGED,
                actor=None,
                visibility=Visibility.PUBLIC,
                data={"from": Status.AWAITING_CUSTOMER, "to": Status.IN_PROGRESS, "because": "complainant_reply"},
                at=at,
            )
        messages_enqueue([_owner_alert(fresh, event, channel=channel, at=at)])
    return instance_sync(complaint, fresh)


def _files_by_kind(files: list[CleanFile]) -> list[tuple[str, list[CleanFile]]]:
    """PDFs are documents, pictures are photos: by the type read from the bytes, not the name."""
    documents = [f for f in files if f.content_type not in IMAGE_TYPES]
    photos = [f for f in files if f.content_type in IMAGE_TYPES]
    return [
        (kind, group) for kind, group in ((EvidenceKind.PHOTO, photos), (EvidenceKind.DOCUMENT, documents)) if group
    ]


def _owner_alert(complaint: Complaint, event: ComplaintEvent, *, channel: str, at: datetime):
    if complaint.owner is not None and complaint.owner.email:
        recipient = complaint.owner.email
    else:
        recipient = settings.REDRESS_ESCALATION_RECIPIENTS[min(complaint.escalation_level, 2)]
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("%(ref)s: the complainant replied (%(channel)s)") % {
            "ref": complaint.reference,
            "channel": ReplyChannel(channel).label,
        }
    link = f"{settings.REDRESS_PUBLIC_BASE_URL.rstrip('/')}/admin/complaints/complaint/{complaint.pk}/change/"
    body = "\n\n".join(part for part in (subject, event.message, link) if part)
    return staff_message(
        complaint=complaint, period=f"reply:{event.pk}", recipient=recipient, subject=subject, body=body, now=at
    )
