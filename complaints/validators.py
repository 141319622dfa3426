"""Field validators for intake. Messages name the problem so the person typing can fix it."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

validate_waybill_number = RegexValidator(
    r"^[A-Za-z0-9]{8,30}$",
    _("A waybill number is 8 to 30 letters and digits, with no spaces or symbols."),
    code="invalid_waybill",
)

# Chinese mobile (13812345678), Chinese landline with area code (010-12345678), or international (+44 20 7946 0958).
_PHONE_PATTERNS = (
    re.compile(r"^1[3-9]\d{9}$"),
    re.compile(r"^0\d{2,3}-?\d{7,8}$"),
    re.compile(r"^\+[1-9]\d{6,14}$"),
)


def normalise_phone(value: str) -> str:
    """Strip the spaces, dots and brackets people type; keep a leading + and the area-code dash."""
    value = (value or "").strip()
    value = re.sub(r"[\s().]", "", value)
    if value.startswith("+"):
        value = "+" + value[1:].replace("-", "")
    if value.startswith("+86") and len(value) == 14:
        value = value[3:]
    return value


def validate_phone(value: str) -> None:
    if not any(pattern.match(value) for pattern in _PHONE_PATTERNS):
        raise ValidationError(
            _(
                "Enter a Chinese mobile number (11 digits starting with 1), a landline with its area code "
                "(010-12345678), or an international number starting with + and the country code."
            ),
            code="invalid_phone",
        )
