"""The guards every writer of a complaint goes through: lock the row, check the version the caller saw and the
state map, save with a version bump only if nobody else bumped it first, and hand the saved state back."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from django.db import models
from django.utils.translation import gettext as _

from complaints.choices import TRANSITIONS, Status
from complaints.errors import IllegalTransition, VersionConflict
from complaints.models import Complaint

M = TypeVar("M", bound=models.Model)


def instance_sync(target: M, fresh: M) -> M:
    """A service locks and writes a fresh copy of the row; copy its saved state onto the caller's instance too, so
    callers never hold a stale version. Returns the fresh copy."""
    if target is not fresh:
        for field in type(fresh)._meta.concrete_fields:
            setattr(target, field.attname, getattr(fresh, field.attname))
        target._state.fields_cache.clear()
    return fresh


def complaint_lock(*, complaint: Complaint, expected_version: int | None = None) -> Complaint:
    """The complaint as it is now in the database, locked until the transaction ends, refused if it is no longer at
    the version the caller saw (when given). Call inside transaction.atomic()."""
    # of=self: PostgreSQL cannot lock the nullable side of the outer joins to carrier and owner.
    fresh = Complaint.objects.select_for_update(of=("self",)).select_related("carrier", "owner").get(pk=complaint.pk)
    complaint_check_version(fresh, expected_version)
    return fresh


def complaint_check_version(fresh: Complaint, expected_version: int | None) -> None:
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
        fields={
            "version": [
                _("You had version %(mine)s; it is now at version %(now)s.")
                % {"mine": expected_version, "now": fresh.version}
            ]
        },
    )


def complaint_check_transition(fresh: Complaint, to_status: str) -> None:
    allowed = TRANSITIONS[fresh.status]
    if to_status not in allowed:
        allowed_labels = ", ".join(str(Status(s).label) for s in sorted(allowed)) or _("none (it is final)")
        raise IllegalTransition(
            _("A complaint that is “%(current)s” cannot become “%(target)s”. From here it can become: %(allowed)s.")
            % {"current": Status(fresh.status).label, "target": Status(to_status).label, "allowed": allowed_labels},
            fields={"status": [_("Not allowed from “%(current)s”.") % {"current": Status(fresh.status).label}]},
        )


def complaint_refuse_if_closed(fresh: Complaint) -> None:
    if fresh.status == Status.CLOSED:
        raise IllegalTransition(_("Complaint %(ref)s is closed.") % {"ref": fresh.reference})
    if fresh.status == Status.MERGED:
        raise IllegalTransition(
            _("Complaint %(ref)s was merged into %(primary)s: work on %(primary)s.")
            % {"ref": fresh.reference, "primary": fresh.merged_into}
        )


def complaint_save(fresh: Complaint, fields: list[str], *, at: datetime) -> None:
    """Write the fields and bump the version, only if nobody else bumped it first."""
    old_version = fresh.version
    values = {name: getattr(fresh, name) for name in fields}
    values["version"] = old_version + 1
    values["updated_at"] = at
    updated = Complaint.objects.filter(pk=fresh.pk, version=old_version).update(**values)
    if updated != 1:
        raise VersionConflict(
            _(
                "Complaint %(ref)s was changed by someone else at the same moment. Nothing was saved: reload and try "
                "again."
            )
            % {"ref": fresh.reference}
        )
    fresh.version = old_version + 1
    fresh.updated_at = values["updated_at"]
