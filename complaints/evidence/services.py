"""Adding and hiding evidence files.

evidence_add checks and sanitises every file before anything is written (one bad file refuses them all, and the
error names each), locks the complaint, stores the new files (the same bytes twice on one complaint are stored
once), inserts their rows and records one event, all in one transaction. The objects are written to the storage
before the commit; if the transaction fails in here they are deleted again. If an outer transaction of the caller's
rolls back after evidence_add returned, the objects stay behind with no row: `manage.py evidence_orphans` lists them
and deletes them (docs/channels.md).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role, user_role
from complaints.choices import EventKind, Status, Visibility
from complaints.errors import FileTooLarge, IllegalTransition, InvalidInput, NotAllowed
from complaints.events import event_record
from complaints.evidence.choices import IMAGE_TYPES, Contributor, EvidenceKind, EvidenceVisibility, evidence_summary
from complaints.evidence.files import CleanFile, file_check_size, file_sanitise
from complaints.evidence.models import Evidence
from complaints.evidence.storage import object_modified_at, object_name, object_names, object_write, objects_delete
from complaints.guards import complaint_check_version, complaint_lock, complaint_save, instance_sync
from complaints.models import Complaint, ComplaintEvent
from complaints.services.inputs import message_clean

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IncomingFile:
    """A file that did not come through a Django upload (an email's attachment, a test): its name and bytes."""

    name: str
    data: bytes


# What evidence_add takes: uploads, files from elsewhere, or files evidence_files_check has already checked (a reply
# checks its files before it locks the complaint, so the slow part runs outside the lock).
FileInput = UploadedFile | IncomingFile | CleanFile


def evidence_files_check(files: Sequence[FileInput]) -> list[CleanFile]:
    """Check and sanitise the files of one message. Nothing is written. Raises one InvalidInput naming every file
    that is refused (FileTooLarge, HTTP 413, when any is over the size limit)."""
    limit = settings.REDRESS_EVIDENCE_MAX_FILES_PER_MESSAGE
    if len(files) > limit:
        raise InvalidInput(
            _("Too many files: at most %(n)d at a time.") % {"n": limit},
            fields={"files": [_("At most %(n)d files at a time.") % {"n": limit}]},
            code="too_many_files",
        )
    cleaned: list[CleanFile] = []
    problems: list[InvalidInput] = []
    for item in files:
        try:
            cleaned.append(_sanitise(item))
        except InvalidInput as error:
            problems.append(error)
    if problems:
        error_class = FileTooLarge if any(isinstance(p, FileTooLarge) for p in problems) else InvalidInput
        if len(problems) == 1:
            raise problems[0]
        raise error_class(
            _("%(n)d of the files were refused; nothing was saved.") % {"n": len(problems)},
            fields={"files": [p.message for p in problems]},
            code=problems[0].code if len({p.code for p in problems}) == 1 else None,
        )
    return cleaned


def _sanitise(item: FileInput) -> CleanFile:
    if isinstance(item, CleanFile):
        return item
    if isinstance(item, IncomingFile):
        return file_sanitise(name=item.name, data=item.data)
    # An upload: refuse one over the limit before reading it into memory.
    file_check_size(name=item.name or "", size=item.size or 0)
    item.seek(0)
    return file_sanitise(name=item.name or "", data=item.read())


def _contributor(actor: User | None, complainant: bool) -> str:
    return Contributor.COMPLAINANT if complainant else str(user_role(actor))


def _check_who_and_what(*, complaint: Complaint, actor: User | None, complainant: bool, kind: str, visibility: str):
    errors = {}
    if kind is not None and kind not in EvidenceKind.values:
        errors["kind"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(EvidenceKind.values)}]
    if visibility not in EvidenceVisibility.values:
        errors["visibility"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(EvidenceVisibility.values)}]
    if errors:
        raise InvalidInput(_("Some fields are not valid."), fields=errors)
    role = _contributor(actor, complainant)
    if role == Contributor.COMPLAINANT and visibility != EvidenceVisibility.PUBLIC:
        raise InvalidInput(
            _("The complainant's own files are public: the complainant sees them."),
            fields={"visibility": [_("Must be “%(v)s”.") % {"v": EvidenceVisibility.PUBLIC.label}]},
        )
    if role == Role.CARRIER:
        if actor.carrier_id != complaint.carrier_id:
            raise NotAllowed(_("This complaint is not about your carrier's parcel."))
        if visibility == EvidenceVisibility.INTERNAL:
            raise InvalidInput(
                _("A carrier's files are seen by the carrier: they cannot be for the agents only."),
                fields={"visibility": [_("Choose “public” or “carrier”.")]},
            )


def evidence_add(
    *,
    complaint: Complaint,
    actor: User | None,
    files: Sequence[FileInput],
    kind: str | None,
    visibility: str,
    event: ComplaintEvent | None = None,
    complainant: bool = False,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> list[Evidence]:
    """Attach files to a complaint. `actor` is the user adding them (None with complainant=True for the complainant,
    who has no account). With `event` (a reply or note just recorded in the same transaction) the files belong to
    that event; otherwise one "files added" event is recorded (public when the files are). `kind` None: each file's
    kind follows its type (pictures are photos, PDFs documents). Returns the complaint's
    evidence for the files given, in their order: files it already had (the same bytes) are returned, not stored
    again, and if all were there already nothing is written."""
    if not files:
        raise InvalidInput(_("Choose at least one file."), fields={"files": [_("No file was sent.")]})
    _check_who_and_what(complaint=complaint, actor=actor, complainant=complainant, kind=kind, visibility=visibility)
    cleaned = evidence_files_check(files)
    at = at or timezone.now()
    written: list[str] = []
    try:
        with transaction.atomic():
            fresh = complaint_lock(complaint=complaint)
            complaint_check_version(fresh, expected_version)
            result = _add_locked(
                fresh=fresh,
                actor=actor,
                cleaned=cleaned,
                kind=kind,
                visibility=visibility,
                event=event,
                complainant=complainant,
                at=at,
                written=written,
            )
    except BaseException:
        # Nothing was committed: the objects written for it must not stay (nothing would ever point at them).
        try:
            objects_delete(written)
        except Exception:  # the sweep (evidence_orphans) deletes what could not be deleted now
            logger.exception("Could not delete %d evidence objects after a rollback", len(written))
        raise
    instance_sync(complaint, fresh)
    return result


def _add_locked(
    *,
    fresh: Complaint,
    actor: User | None,
    cleaned: list[CleanFile],
    kind: str | None,
    visibility: str,
    event: ComplaintEvent | None,
    complainant: bool,
    at: datetime,
    written: list[str],
) -> list[Evidence]:
    if fresh.status == Status.CLOSED and visibility != EvidenceVisibility.INTERNAL:
        raise IllegalTransition(
            _("Complaint %(ref)s is closed: only files for the agents can still be added.") % {"ref": fresh.reference}
        )
    if fresh.status == Status.MERGED and visibility != EvidenceVisibility.INTERNAL:
        raise IllegalTransition(
            _("Complaint %(ref)s was merged into %(primary)s: add the files there.")
            % {"ref": fresh.reference, "primary": fresh.merged_into}
        )
    if event is not None and event.complaint_id != fresh.pk:
        raise InvalidInput(_("This event belongs to another complaint."))
    existing = {e.sha256: e for e in Evidence.objects.filter(complaint=fresh, sha256__in=[c.sha256 for c in cleaned])}
    new: dict[str, CleanFile] = {}
    for clean in cleaned:
        if clean.sha256 not in existing:
            new.setdefault(clean.sha256, clean)
    if not new:
        return [existing[c.sha256] for c in cleaned]
    evidence_check_room(complaint=fresh, files=list(new.values()))
    role = _contributor(actor, complainant)
    rows = []
    for clean in new.values():
        name = object_write(object_name(folder=fresh.reference, extension=clean.extension), clean.data)
        written.append(name)
        thumbnail_name = ""
        if clean.thumbnail is not None:
            thumbnail_name = object_write(
                object_name(folder=fresh.reference, extension="jpg", suffix="-thumb"), clean.thumbnail
            )
            written.append(thumbnail_name)
        rows.append(
            Evidence(
                complaint=fresh,
                added_by=actor,
                added_by_role=role,
                kind=kind or (EvidenceKind.PHOTO if clean.content_type in IMAGE_TYPES else EvidenceKind.DOCUMENT),
                visibility=visibility,
                original_name=clean.original_name,
                detected_type=clean.detected_type,
                content_type=clean.content_type,
                size=clean.size,
                sha256=clean.sha256,
                stored_size=len(clean.data),
                stored_sha256=clean.stored_sha256,
                width=clean.width,
                height=clean.height,
                storage_name=name,
                thumbnail_name=thumbnail_name,
                created_at=at,
            )
        )
    if event is not None:
        for row in rows:
            row.event = event
        created = {row.sha256: row for row in Evidence.objects.bulk_create(rows)}
        return [existing.get(c.sha256) or created[c.sha256] for c in cleaned]
    # Files on their own: the rows first, so that their "files added" event (and the carrier's webhook, queued as it
    # is recorded) can name them; then the rows point at it, in the same transaction.
    created = {row.sha256: row for row in Evidence.objects.bulk_create(rows)}
    complaint_save(fresh, [], at=at)
    with translation.override(fresh.language):
        message = evidence_summary({row.kind for row in rows}, len(rows))
    event = event_record(
        complaint=fresh,
        kind=EventKind.EVIDENCE_ADDED,
        actor=actor,
        visibility=Visibility.PUBLIC if visibility == EvidenceVisibility.PUBLIC else Visibility.INTERNAL,
        message=message,
        data={
            "count": len(rows),
            "kinds": sorted({row.kind for row in rows}),
            "visibility": visibility,
            "added_by": role,
            "names": [row.original_name for row in rows],
            "attachments": [{"id": row.pk, "kind": row.kind} for row in rows],
        },
        at=at,
    )
    Evidence.objects.filter(pk__in=[row.pk for row in rows]).update(event=event)
    for row in rows:
        row.event = event
    return [existing.get(c.sha256) or created[c.sha256] for c in cleaned]


def evidence_check_room(*, complaint: Complaint, files: Sequence[CleanFile]) -> None:
    """Refuse files that would take the complaint over REDRESS_EVIDENCE_MAX_FILES_PER_COMPLAINT (files it already
    has, the same bytes, do not count). `complaint` is locked by the caller, so the count holds until it commits."""
    present = set(
        Evidence.objects.filter(complaint=complaint, sha256__in=[f.sha256 for f in files]).values_list(
            "sha256", flat=True
        )
    )
    new = {f.sha256 for f in files} - present
    if not new:
        return
    limit = settings.REDRESS_EVIDENCE_MAX_FILES_PER_COMPLAINT
    count = Evidence.objects.filter(complaint=complaint).count()
    if count + len(new) > limit:
        raise InvalidInput(
            _("A complaint can have at most %(limit)d files; this one has %(count)d, so %(left)d more can be added.")
            % {"limit": limit, "count": count, "left": max(0, limit - count)},
            fields={"files": [_("At most %(limit)d files a complaint.") % {"limit": limit}]},
            code="too_many_files",
        )


def evidence_hide(*, evidence: Evidence, actor: User, reason: str, at: datetime | None = None) -> Evidence:
    """An agent or supervisor hides a file (it stays stored, and the agents still see it, marked hidden): it is no
    longer shown to the complainant or the carrier. Hiding a hidden file changes nothing."""
    if user_role(actor) not in (Role.AGENT, Role.SUPERVISOR):
        raise NotAllowed(_("Only agents and supervisors can hide a file."))
    reason = message_clean(reason, field="reason")
    at = at or timezone.now()
    with transaction.atomic():
        fresh_complaint = complaint_lock(complaint=evidence.complaint)
        fresh = Evidence.objects.select_for_update().get(pk=evidence.pk)
        if fresh.is_hidden:
            return instance_sync(evidence, fresh)
        fresh.hidden_at = at
        fresh.hidden_by = actor
        fresh.hidden_reason = reason
        fresh.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        complaint_save(fresh_complaint, [], at=at)
        event_record(
            complaint=fresh_complaint,
            kind=EventKind.EVIDENCE_HIDDEN,
            actor=actor,
            visibility=Visibility.INTERNAL,
            message=reason,
            data={"evidence": fresh.pk, "name": fresh.original_name, "visibility": fresh.visibility},
            at=at,
        )
    return instance_sync(evidence, fresh)


def evidence_orphans(*, older_than: timedelta = timedelta(hours=1), delete: bool = False) -> list[str]:
    """Objects in the evidence storage that no evidence row names: left by a caller's transaction that rolled back
    after evidence_add had written them. Only objects older than `older_than` count (a newer one may belong to a
    transaction still running). Deletes them when `delete`. Returns their names."""
    known = set(Evidence.objects.values_list("storage_name", flat=True))
    known |= set(Evidence.objects.exclude(thumbnail_name="").values_list("thumbnail_name", flat=True))
    cutoff = timezone.now() - older_than
    orphans = [name for name in object_names() if name not in known and _written_before(name, cutoff)]
    if delete:
        objects_delete(orphans)
    return orphans


def _written_before(name: str, cutoff: datetime) -> bool:
    written_at = object_modified_at(name)
    return written_at is not None and written_at < cutoff


__all__ = [
    "IncomingFile",
    "evidence_add",
    "evidence_check_room",
    "evidence_files_check",
    "evidence_hide",
    "evidence_orphans",
]
