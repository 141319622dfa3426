"""Checks on what people type, shared by the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _

from complaints.choices import (
    ContactChannel,
)
from complaints.errors import (
    InvalidInput,
)
from complaints.models import (
    Complaint,
)

MESSAGE_MAX_LENGTH = 5000


def complaint_full_clean(complaint: Complaint, *, exclude: list[str]) -> None:
    """Model validation, with the contact rules reported against the fields they concern (the database
    constraints behind them would only say "__all__")."""
    fields: dict[str, list[str]] = {}
    try:
        complaint.full_clean(exclude=exclude)
    except DjangoValidationError as error:
        fields = InvalidInput.from_django(error).fields
    contact_rules = {
        "complaint_has_contact",
        "complaint_sms_needs_phone",
        "complaint_email_needs_email",
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
        fields.setdefault("complainant_phone", []).append(
            _("A phone number is needed to reach the complainant by SMS.")
        )
    elif complaint.contact_channel == ContactChannel.EMAIL and not complaint.complainant_email:
        fields.setdefault("complainant_email", []).append(
            _("An email address is needed to reach the complainant by email.")
        )
    if complaint.carrier is not None and not complaint.carrier.is_active and complaint._state.adding:
        fields.setdefault("carrier", []).append(_("Carrier %(code)s is not active.") % {"code": complaint.carrier.code})
    if fields:
        raise InvalidInput(_("Some fields are not valid."), fields=fields)


def message_clean(message: str, *, field: str) -> str:
    message = (message or "").strip()
    if not message:
        raise InvalidInput(_("The %(field)s is empty.") % {"field": _(field)}, fields={field: [_("Write something.")]})
    if len(message) > MESSAGE_MAX_LENGTH:
        raise InvalidInput(
            _("The %(field)s is too long.") % {"field": _(field)},
            fields={field: [_("Keep it under %(max)d characters.") % {"max": MESSAGE_MAX_LENGTH}]},
        )
    return message


def plain_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return str(value)
    return value
