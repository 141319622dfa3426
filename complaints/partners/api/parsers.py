"""The partner API's JSON parser: DRF's, with the limits a body must keep before any code walks it.

- UTF-8 only (invalid bytes are a 400, not text with replacement characters);
- at most MAX_DEPTH levels of nesting, checked on the text before parsing (a body of 64 KiB could otherwise nest
  65,000 levels deep, and every recursive walk of it, from the parser to the idempotency fingerprint, would fail);
- no lone UTF-16 surrogate ("\\ud800") in any string or key: JSON allows the escape, but it is not Unicode text, and
  nothing can store or hash it;
- no NaN, Infinity or number too large for a float (1e999): JSON has no such numbers.

Every refusal is a ParseError: 400 `parse_error` in the one error shape ("The body is not valid JSON: …")."""

from __future__ import annotations

import json
import math
import re

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# The API's bodies are flat objects; a little room for clients that nest their own metadata.
MAX_DEPTH = 32

# What matters to nesting outside strings: brackets, quotes and backslashes (inside strings).
_STRUCTURE = re.compile(r'[\[\]{}"\\]')
_SURROGATE = re.compile("[\ud800-\udfff]")


def nesting_depth(text: str, *, limit: int) -> int:
    """How deep the arrays and objects of a JSON text nest, counting up to `limit + 1` (then it stops): one linear
    scan, no recursion."""
    depth = deepest = 0
    in_string = False
    escaped_at = -1  # the position a backslash escapes
    for match in _STRUCTURE.finditer(text):
        char, position = match.group(), match.start()
        if in_string:
            if position == escaped_at:
                continue
            if char == "\\":
                escaped_at = position + 1
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        elif char in "]}":
            depth -= 1
    return deepest


def _refuse_constant(name: str):
    raise ValueError(_("%(name)s is not a JSON number.") % {"name": name})


def unstorable_value(data) -> str | None:
    """What is wrong with a parsed body that no field could accept, or None. Walks the data without recursion."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return _(
                    "a string holds a lone UTF-16 surrogate (such as \\ud800), which is not Unicode text. Send the "
                    "character itself or a valid surrogate pair."
                )
        elif isinstance(item, float):
            if not math.isfinite(item):
                return _("a number is too large (JSON numbers must be finite; amounts are decimal strings).")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


class PartnerJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise ParseError(_("it is not UTF-8 text.")) from None
        if nesting_depth(text, limit=MAX_DEPTH) > MAX_DEPTH:
            raise ParseError(
                _("arrays and objects nest more than %(max)d levels deep; the API's bodies are flat objects.")
                % {"max": MAX_DEPTH}
            )
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as error:
            raise ParseError(str(error)) from None
        problem = unstorable_value(data)
        if problem:
            raise ParseError(problem)
        return data
