"""Phone numbers: one number however it is typed. Stored in E.164 (+8613812345678), parsed with Google's
libphonenumber (the `phonenumbers` package) with China as the default region, so '138-1234-5678',
'+86 138 1234 5678', '13812345678' and '１３８１２３４５６７８' are the same number, and so are '010-6552 9988' and
'+86 10 6552 9988' (landlines). Repeat detection, the admin's search and the matching of inbound SMS all compare
these stored forms.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

DEFAULT_REGION = "CN"

# What people type between digits: spaces (also full-width), dashes, dots, brackets, slashes.
_SEPARATORS = re.compile(r"[\s\u3000().\-/（）－]")
_NOT_PHONE = re.compile(r"[^\d\s+().\-/]")


def phone_parse(value: str | None) -> str | None:
    """The number in E.164, or None when it is not a valid phone number (a short code such as 10086, letters, too
    few or too many digits)."""
    value = unicodedata.normalize("NFKC", value or "").strip()
    # Digits and what people put between them, nothing else: libphonenumber would read letters as a keypad's
    # ('1-800-FLOWERS') and drop what follows a number ('13812345678a'); here they make it not a number.
    if not value or _NOT_PHONE.search(value):
        return None
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_normalise(value: str | None) -> str:
    """The stored form: E.164 when the number parses; otherwise what was typed, trimmed (the validator then refuses
    it with a message saying what a phone number looks like)."""
    value = (value or "").strip()
    return phone_parse(value) or value


def phone_search_prefix(term: str) -> str:
    """What a search for a phone number, whole or its start, compares with the stored E.164 numbers: a whole number
    in E.164; the start of one ('138 1234', '010-6552') as the start of its E.164 form ('+86138 1234' → '+861381234',
    '010-6552' → '+86106552')."""
    whole = phone_parse(term)
    if whole:
        return whole
    digits = _SEPARATORS.sub("", unicodedata.normalize("NFKC", term or ""))
    if digits.startswith("+"):
        return digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("0"):  # a Chinese area code: the trunk 0 is not part of the international form
        return "+86" + digits[1:]
    return "+86" + digits
