"""OpenAPI helpers shared by the partner API's views (and any view added to it later)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiExample, OpenApiResponse

from complaints.partners.api.serializers import ErrorSerializer, StrictSerializer


class StrictSerializerExtension(OpenApiSerializerExtension):
    """Write bodies refuse fields they do not declare (StrictSerializer), so their request components say so:
    `additionalProperties: false`."""

    target_class = StrictSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        if direction == "request":
            schema["additionalProperties"] = False
        return schema


_ERRORS = {
    400: (
        "The request is not valid: `fields` says what to fix (unknown or read-only fields are named too).",
        "invalid",
        "Some fields are not valid: category. See “fields” for what to fix.",
        {"category": ["“parcel” is not a valid choice."]},
    ),
    401: (
        "No API key, or an unknown or revoked one.",
        "unauthenticated",
        "This API key is unknown or has been revoked. Ask Redress for a new key.",
        {},
    ),
    403: (
        "The action is not allowed for this complaint.",
        "forbidden",
        "Only the complaint's carrier can accept it.",
        {},
    ),
    404: (
        "No such complaint for your carrier (another carrier's complaint is 404 too).",
        "not_found",
        "Nothing was found here for your carrier.",
        {},
    ),
    409: (
        "The complaint's state does not allow this, or the first request with this Idempotency-Key is still running.",
        "idempotency_key_in_progress",
        "The first request with this Idempotency-Key is still running. Retry in a few seconds to get its response.",
        {},
    ),
    412: (
        "If-Match does not match the complaint's current ETag: nothing was changed.",
        "precondition_failed",
        "The complaint has changed since you read it (If-Match does not match its ETag). Nothing was changed: "
        "read it again and retry with the new ETag.",
        {},
    ),
    413: ("The body is larger than 64 KiB.", "too_large", "The request body is too large: at most 65536 bytes.", {}),
    422: (
        "This Idempotency-Key was used before with a different request.",
        "idempotency_key_reused",
        "This Idempotency-Key was already used for a different request. Use a new key for a new operation; reuse "
        "a key only to retry exactly the same request.",
        {},
    ),
    429: (
        "Too many requests for your carrier; the `Retry-After` header says how many seconds to wait.",
        "rate_limited",
        "Too many requests for your carrier. Retry in 12 seconds.",
        {},
    ),
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """Documented error responses (always with 401 and 429), for `extend_schema(responses={...})`."""
    wanted = sorted({401, 429, *codes})
    return {
        code: OpenApiResponse(
            ErrorSerializer,
            description=_ERRORS[code][0],
            examples=[
                OpenApiExample(
                    f"{code} {_ERRORS[code][1]}",
                    value={
                        "error": {"code": _ERRORS[code][1], "message": _ERRORS[code][2], "fields": _ERRORS[code][3]}
                    },
                    response_only=True,
                    status_codes=[str(code)],
                )
            ],
        )
        for code in wanted
    }


WRITE_ERRORS = (400, 409, 413, 422)
