"""Cursor pagination, newest first: stable under inserts, and as fast 10,000 rows deep as on the first page.

A cursor is only ever one the API gave out: anything else (forged, truncated, empty) is 400 before it reaches the
database. A "+" of the cursor that reached us as a space (a query string decoded as a form) is read as the "+" it was:
base64 has no spaces."""

import binascii
from base64 import b64decode
from datetime import UTC
from urllib import parse

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import Cursor, CursorPagination, _positive_int

MAX_PAGE_SIZE = 100


class NewestFirstCursorPagination(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    cursor_query_description = "The `next` or `previous` link of the page before, as given."
    page_size_query_description = f"Results per page, 1 to {MAX_PAGE_SIZE} (default 25)."

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 3 else 0
        if not 1 <= size <= self.max_page_size:
            # Refuse instead of quietly clamping: a client asking for 500 should learn it gets at most 100.
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Ask for 1 to %(max)d results per page; follow “next” for more.")
                        % {"max": self.max_page_size}
                    ]
                }
            )
        return size

    def _invalid_cursor(self) -> ValidationError:
        return ValidationError(
            {
                self.cursor_query_param: [
                    _("This cursor is not valid: use the “next” or “previous” link exactly as given.")
                ]
            }
        )

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        if not encoded:
            raise self._invalid_cursor()
        try:
            querystring = b64decode(encoded.replace(" ", "+").encode("ascii"), validate=True).decode("ascii")
            tokens = parse.parse_qs(querystring, keep_blank_values=True, strict_parsing=True)
            offset = _positive_int(tokens.get("o", ["0"])[0], cutoff=self.offset_cutoff)
            reverse = {"0": False, "1": True}[tokens.get("r", ["0"])[0]]
            position = tokens.get("p", [None])[0]
            if position is not None:
                # The creation time of the last row seen, as the API wrote it: an aware time PostgreSQL can hold.
                moment = parse_datetime(position)
                if moment is None or moment.tzinfo is None:
                    raise ValueError(position)
                moment.astimezone(UTC)
        except (TypeError, ValueError, KeyError, OverflowError, binascii.Error, UnicodeError):
            raise self._invalid_cursor() from None
        return Cursor(offset=offset, reverse=reverse, position=position)

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        for param in params:
            if param["name"] == self.page_size_query_param:
                param["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
            if param["name"] == self.cursor_query_param:
                param["schema"] = {"type": "string", "minLength": 1, "pattern": "^[A-Za-z0-9+/= ]+$"}
        return params
