"""Field validators for intake. Messages name the problem so the person typing can fix it."""

from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from complaints.phones import phone_normalise, phone_parse

validate_waybill_number = RegexValidator(
    r"^[A-Za-z0-9]{8,30}$",
    _("A waybill number is 8 to 30 letters and digits, with no spaces or symbols."),
    code="invalid_waybill",
)


def normalise_phone(value: str) -> str:
    """The stored form of a phone number: E.164 (+8613812345678) however it was typed (complaints.phones); what
    does not parse is kept as typed, for validate_phone to refuse."""
    return phone_normalise(value)


def validate_phone(value: str) -> None:
    if value and phone_parse(value) is None:
        raise ValidationError(
            _(
                "Enter a Chinese mobile number (11 digits starting with 1), a landline with its area code "
                "(010-12345678), or an international number starting with + and the country code."
            ),
            code="invalid_phone",
        )


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(
            _("%(value)s is not a known time zone: use an IANA name such as Asia/Shanghai."),
            code="invalid_time_zone",
            params={"value": value},
        )


def validate_working_days(value: str) -> None:
    if not value or any(day not in "1234567" for day in value) or len(set(value)) != len(value):
        raise ValidationError(
            _("Working days are the digits 1 (Monday) to 7 (Sunday), each at most once, at least one."),
            code="invalid_working_days",
        )
