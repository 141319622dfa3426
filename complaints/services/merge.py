"""Duplicates: an agent merges a complaint into the one that carries on (the primary).

The duplicate becomes "merged" (final) and names its primary; its clocks stop without breaching (a complaint that is
not open has no running clock, so the sweep never looks at it again); the primary keeps the earlier receipt of the two,
because the statutory 7 days count from the complainant's first contact; the complainant is told once, with the
primary's reference. The duplicate's own facts are left as they were: its events and files are shown in the primary's
timeline (complaints.selectors.merged_family_ids), not moved.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from complaints.choices import OPEN_STATUSES, EventKind, Status, Visibility
from complaints.errors import IllegalTransition, InvalidInput
from complaints.events import event_record
from complaints.followups.messages import merge_notice_for
from complaints.followups.outbox import messages_enqueue
from complaints.guards import (
    complaint_check_transition,
    complaint_check_version,
    complaint_lock,
    complaint_save,
    instance_sync,
)
from complaints.models import Complaint
from complaints.recount import figures_recount
from complaints.selectors import same_complainant


def complaint_merge(
    *,
    duplicate: Complaint,
    primary: Complaint,
    actor: User | None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Complaint:
    """Merge `duplicate` into `primary`; returns the duplicate, merged. `expected_version` is the duplicate's (the
    page the agent merged from). Merging again into the same primary changes nothing and sends nothing."""
    if duplicate.pk == primary.pk:
        raise InvalidInput(
            _("A complaint cannot be merged into itself."),
            fields={"primary": [_("Give the reference of another complaint.")]},
        )
    at = at or timezone.now()
    with transaction.atomic():
        # Both rows locked in the order of their ids, whoever merges which into which: two merges of the same pair (or
        # of crossed pairs) wait for each other instead of deadlocking.
        locked = {pk: complaint_lock(complaint=Complaint(pk=pk)) for pk in sorted((duplicate.pk, primary.pk))}
        dup, prim = locked[duplicate.pk], locked[primary.pk]
        if dup.status == Status.MERGED and dup.merged_into_id == prim.pk:
            instance_sync(primary, prim)
            return instance_sync(duplicate, dup)
        complaint_check_version(dup, expected_version)
        _check_mergeable(dup, prim)
        # Both leave their days' counts: the duplicate is counted through the primary, which may take its receipt.
        figures_recount(complaint_ids=[dup.pk, prim.pk])
        previous = dup.status
        dup.status = Status.MERGED
        dup.merged_into = prim
        complaint_save(dup, ["status", "merged_into"], at=at)
        event_record(
            complaint=dup,
            kind=EventKind.MERGED,
            actor=actor,
            visibility=Visibility.PUBLIC,
            data={"from": previous, "to": Status.MERGED, "merged_into": prim.reference},
            at=at,
        )

        data: dict = {"duplicate": dup.reference}
        fields = []
        if dup.received_at < prim.received_at:
            # The first contact: the statutory limit (and every clock counted from receipt) is replayed from it.
            data["received_at"] = [prim.received_at.isoformat(), dup.received_at.isoformat()]
            prim.received_at = dup.received_at
            fields.append("received_at")
        complaint_save(prim, fields, at=at)
        event_record(
            complaint=prim,
            kind=EventKind.DUPLICATE_MERGED,
            actor=actor,
            visibility=Visibility.PUBLIC,
            data=data,
            at=at,
        )
        # Unique per complaint, kind and period: told once, however often the merge is retried.
        messages_enqueue([merge_notice_for(dup, primary=prim, same_person=same_complainant(dup, prim), now=at)])
    instance_sync(primary, prim)
    return instance_sync(duplicate, dup)


def _check_mergeable(dup: Complaint, prim: Complaint) -> None:
    refs = {"duplicate": dup.reference, "primary": prim.reference}
    if dup.status == Status.MERGED:
        raise IllegalTransition(
            _("Complaint %(duplicate)s was already merged into %(other)s.") % {**refs, "other": dup.merged_into}
        )
    if prim.status == Status.MERGED:
        # No chains: every merged complaint names the complaint that carries on.
        raise IllegalTransition(
            _("Complaint %(primary)s was itself merged into %(other)s: merge into %(other)s instead.")
            % {**refs, "other": prim.merged_into},
            fields={"primary": [_("Give the reference of the complaint that carries on.")]},
        )
    if prim.status not in OPEN_STATUSES:
        raise IllegalTransition(
            _(
                "Complaint %(primary)s is “%(status)s”: only an open complaint takes in a duplicate. Reopen it first, "
                "or handle %(duplicate)s on its own."
            )
            % {**refs, "status": Status(prim.status).label},
            fields={"primary": [_("Give the reference of an open complaint.")]},
        )
    if dup.merged_duplicates.exists():
        raise IllegalTransition(
            _(
                "Other complaints were merged into %(duplicate)s: merge %(primary)s into %(duplicate)s instead, so "
                "that every duplicate names the complaint that carries on."
            )
            % refs
        )
    if dup.carrier_id != prim.carrier_id:
        # A carrier sees its own complaints only: a merge across carriers would show one the other's.
        raise InvalidInput(
            _(
                "Complaints %(duplicate)s and %(primary)s concern different carriers. Only complaints about the same "
                "carrier are merged: correct the carrier of the duplicate first if it is wrong."
            )
            % refs,
            fields={"primary": [_("Choose a complaint about the same carrier.")]},
        )
    complaint_check_transition(dup, Status.MERGED)
