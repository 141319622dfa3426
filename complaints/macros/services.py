"""Writing, filling in and sending canned replies."""

from __future__ import annotations

import string
from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import override as language_override

from accounts.models import User
from complaints.choices import Visibility
from complaints.errors import InvalidInput
from complaints.evidence.services import FileInput
from complaints.macros.models import Macro
from complaints.models import Complaint
from complaints.services import complaint_add_note, complaint_reply, complaint_transition

PLACEHOLDERS = ("reference", "waybill", "carrier", "complainant_name", "next_update", "due")
EDITABLE = ("name", "category", "language", "body", "next_status", "visibility", "is_active")


def macro_placeholders_check(body: str) -> None:
    """Refuse a text whose placeholders are not all known ones ({reference}, {waybill}, …), or that is not a valid
    template (an unclosed brace, a format spec, an attribute or index)."""
    try:
        fields = [(name, spec, conv) for _text, name, spec, conv in string.Formatter().parse(body) if name is not None]
    except ValueError as error:
        raise InvalidInput(
            gettext("The text is not a valid template: %(error)s.") % {"error": error},
            fields={"body": [gettext("Not a valid template.")]},
        ) from error
    unknown = sorted({name or "{}" for name, spec, conv in fields if name not in PLACEHOLDERS or spec or conv})
    if unknown:
        raise InvalidInput(
            gettext("Unknown placeholders: %(unknown)s. Use only: %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)},
            fields={"body": [gettext("Unknown placeholders: %(unknown)s.") % {"unknown": ", ".join(unknown)}]},
        )


def macro_save(*, actor: User, macro: Macro | None = None, **fields) -> Macro:
    """Create a macro (macro=None) or change one; unknown placeholders are refused before anything is written."""
    unknown_fields = set(fields) - set(EDITABLE)
    if unknown_fields:
        raise InvalidInput(gettext("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown_fields))})
    if "body" in fields:
        macro_placeholders_check(fields["body"])
    macro = macro or Macro(created_by=actor)
    for name, value in fields.items():
        setattr(macro, name, value)
    macro_placeholders_check(macro.body)
    try:
        macro.full_clean()
    except ValidationError as error:
        raise InvalidInput.from_django(error) from error
    macro.save()
    return macro


def macros_for(*, complaint: Complaint) -> QuerySet[Macro]:
    """The active macros that fit this complaint's category (or any category): those in its language first, then the
    others (a complaint in English while the desk wrote only Chinese texts still gets something to start from).
    Each carries `same_language` (1 or 0)."""
    return (
        Macro.objects.filter(Q(category="") | Q(category=complaint.category), is_active=True)
        .annotate(
            same_language=Case(
                When(language=complaint.language, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .order_by("-same_language", "name", "id")
    )


def _when(moment: datetime | None, language: str) -> str:
    if moment is None:
        return "—"
    with language_override(language):
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def macro_render(*, macro: Macro, complaint: Complaint) -> str:
    """The macro's text filled in for this complaint, in the macro's language."""
    values = {
        "reference": complaint.reference,
        "waybill": complaint.waybill_number,
        "carrier": complaint.carrier.display_name(macro.language) if complaint.carrier_id else "—",
        "complainant_name": complaint.complainant_name,
        "next_update": _when(complaint.progress_due_at, macro.language),
        "due": _when(complaint.resolution_due_at, macro.language),
    }
    return macro.body.format(**values)


def reply_send(
    *,
    complaint: Complaint,
    actor: User,
    message: str,
    visibility: str = Visibility.PUBLIC,
    next_status: str = "",
    macro: Macro | None = None,
    files: Sequence[FileInput] = (),
    expected_version: int | None = None,
) -> Complaint:
    """What the admin's reply form sends: a reply to the complainant (or an internal note), with its files, then the
    next status if one was chosen, all or nothing (a refused status change leaves no reply behind). With a macro the
    event records it in its data (`macro`: the macro's id), which is how the weekly report counts its use."""
    if visibility not in Visibility.values:
        raise InvalidInput(
            gettext("Unknown visibility “%(v)s”.") % {"v": visibility},
            fields={"visibility": [gettext("Choose one of: %(c)s.") % {"c": ", ".join(Visibility.values)}]},
        )
    if macro is not None and not macro.is_active:
        raise InvalidInput(
            gettext("The canned reply “%(name)s” is no longer in use: nothing was sent.") % {"name": macro.name},
            fields={"macro": [gettext("No longer in use.")]},
        )
    with transaction.atomic():
        write = complaint_reply if visibility == Visibility.PUBLIC else complaint_add_note
        complaint = write(
            complaint=complaint,
            actor=actor,
            message=message,
            files=files,
            expected_version=expected_version,
            data={"macro": macro.pk} if macro is not None else None,
        )
        if next_status and next_status != complaint.status:
            complaint = complaint_transition(complaint=complaint, actor=actor, to_status=next_status)
    return complaint


def macro_apply(
    *, macro: Macro, complaint: Complaint, actor: User, message: str, expected_version: int | None = None
) -> Complaint:
    """Send the (edited) text as a reply, or an internal note for an internal macro, marked with the macro (so its
    use is counted), then move to the macro's next status if it has one: all or nothing."""
    return reply_send(
        complaint=complaint,
        actor=actor,
        message=message,
        visibility=macro.visibility,
        next_status=macro.next_status,
        macro=macro,
        expected_version=expected_version,
    )
