"""Numbers as compensation reads them: money in CNY to the fen, percentages and counts, parsed with bounds first.

Every number a person or a partner typed passes `decimal_parse` or `count_parse` before anything compares, rounds
or formats it: a string is refused by its length before Decimal reads it, a Decimal by its magnitude and its
decimals before it is used (formatting "1e100000000" to two decimals would write a hundred million digits). Every
refusal is an InvalidInput naming the field, with a short message that never repeats what was typed at length.

Pure: no database, no clock.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

from complaints.errors import InvalidInput

FEN = Decimal("0.01")
HUNDRED = Decimal("100")
# No parcel claim comes near this: an amount at or above it is a typing mistake (an extra zero or two), not money.
MAX_AMOUNT = Decimal("1000000.00")
# How long a number may be as typed ("999999.99" is 9 characters; spaces and a sign leave room to spare).
NUMBER_MAX_CHARS = 32
# The widest a number may be once read: below 10^12 and at most 12 decimals (every check after this then works on
# at most 24 digits, well inside Decimal's default 28 of precision).
NUMBER_MAX_ADJUSTED = 11
NUMBER_MIN_EXPONENT = -12
SMALLEST = Decimal(1).scaleb(NUMBER_MIN_EXPONENT)
# Item counts: a parcel of more than this many items is a typing mistake.
COUNT_MAX = 100_000


def fen(value: Decimal) -> Decimal:
    """Rounded to the fen, half up."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def fen_exact(value: Fraction) -> Decimal:
    """An exact (rational) amount rounded to the fen, half up: 100/3 -> 33.33, 200/3 -> 66.67, 0.125 -> 0.13."""
    cents = value * 100
    rounded = math.floor(cents + Fraction(1, 2)) if cents >= 0 else -math.floor(-cents + Fraction(1, 2))
    return (Decimal(rounded) / HUNDRED).quantize(FEN)


def money(value: Decimal) -> str:
    return f"¥{fen(value):,.2f}"


def _refuse(name: str, message: str) -> InvalidInput:
    return InvalidInput(
        _("Check %(field)s: %(problem)s") % {"field": name, "problem": message}, fields={name: [message]}
    )


def decimal_parse(value: Any, name: str) -> Decimal | None:
    """The number in `value` (a string as typed, an int, a float or a Decimal), or None when none was given.
    InvalidInput naming `name` when it is not a finite number of sensible size; callers check its range."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _refuse(name, _("Enter a number."))
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        if abs(value) >= 10 ** (NUMBER_MAX_ADJUSTED + 1):  # compared as ints: no conversion of a huge one
            raise _refuse(name, _("This number is far too large."))
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise _refuse(name, _("Enter a number."))
        number = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > NUMBER_MAX_CHARS:
            raise _refuse(name, _("Enter a number of at most %(max)d characters.") % {"max": NUMBER_MAX_CHARS})
        try:
            number = Decimal(text)
        except (InvalidOperation, ValueError):
            raise _refuse(name, _("Enter a number."))
    else:
        raise _refuse(name, _("Enter a number."))
    if not number.is_finite():
        raise _refuse(name, _("Enter a number."))
    if not number:
        return Decimal("0")  # 0E+100000000 and -0.000 are plain zero
    # adjusted() is the exponent of the first digit: bounding it, then the last digit's, bounds the digits.
    if number.adjusted() > NUMBER_MAX_ADJUSTED:
        raise _refuse(name, _("This number is far too large."))
    if number != number.quantize(SMALLEST):
        raise _refuse(name, _("Use at most two decimals."))
    return number


def count_parse(value: Any, name: str) -> int | None:
    """A count of items (a whole number 0 to COUNT_MAX, as an int or typed digits), or None when none was given."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _refuse(name, _("Enter a whole number."))
    if isinstance(value, int):
        number = value
    else:
        decimal = decimal_parse(value, name)
        if decimal is None or decimal != decimal.to_integral_value():
            raise _refuse(name, _("Enter a whole number."))
        number = int(decimal)  # bounded by decimal_parse: at most 12 digits
    if number < 0:
        raise _refuse(name, _("Enter 0 or more."))
    if number > COUNT_MAX:
        raise _refuse(name, _("Enter at most %(max)s.") % {"max": f"{COUNT_MAX:,}"})
    return number
