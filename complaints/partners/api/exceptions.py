"""The one error shape of the partner API: `{"error": {"code": ..., "message": ..., "fields": {...}}}`.

- `api_exception_handler` (DRF's EXCEPTION_HANDLER) turns DRF errors, the services' ServiceError, Http404 and
  Django's PermissionDenied into it;
- `ApiErrorMiddleware` does the same for what happens outside DRF under /api/ (an unexpected error: 500; a body too
  large for Django: 413), so no path under /api/ ever answers with an HTML page;
- `api_not_found` answers unknown URLs under /api/ (mounted last in complaints/partners/api/urls.py).
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from complaints.errors import (
    FileTooLarge,
    IllegalTransition,
    InvalidInput,
    NotAllowed,
    ServiceError,
    VersionConflict,
)

logger = logging.getLogger("complaints.partners.api")

API_PREFIX = "/api/"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "too_large"


class LengthRequired(exceptions.APIException):
    status_code = status.HTTP_411_LENGTH_REQUIRED
    default_detail = gettext_lazy("Send the body with a Content-Length header (this server cannot read it chunked).")
    default_code = "length_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = gettext_lazy(
        "The complaint has changed since you read it (If-Match does not match its ETag). "
        "Nothing was changed: read it again and retry with the new ETag."
    )
    default_code = "precondition_failed"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "unprocessable"


# Stable codes for DRF's own exceptions (their default codes are less telling for carriers).
_DRF_CODES = {
    exceptions.ParseError: "parse_error",
    exceptions.AuthenticationFailed: "unauthenticated",
    exceptions.NotAuthenticated: "unauthenticated",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "rate_limited",
    exceptions.ValidationError: "invalid",
}

_SERVICE_STATUS = {
    InvalidInput: status.HTTP_400_BAD_REQUEST,
    FileTooLarge: status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    IllegalTransition: status.HTTP_409_CONFLICT,
    VersionConflict: status.HTTP_409_CONFLICT,
    NotAllowed: status.HTTP_403_FORBIDDEN,
}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [f"{key}: {msg}" for key, value in detail.items() for msg in _flatten(value)]
    if isinstance(detail, (list, tuple)):
        return [msg for item in detail for msg in _flatten(item)]
    return [str(detail)]


def _fields(detail) -> dict[str, list[str]]:
    """DRF's error detail as {field: [messages]}; nested fields are named with dots (items.0.name)."""
    if not isinstance(detail, dict):
        return {}
    fields: dict[str, list[str]] = {}
    for name, value in detail.items():
        key = "__all__" if name == "non_field_errors" else str(name)
        if isinstance(value, dict):
            for sub, msgs in _fields(value).items():
                fields[f"{key}.{sub}"] = msgs
        else:
            fields[key] = _flatten(value)
    return fields


def _validation_message(fields: dict[str, list[str]], detail) -> str:
    if not fields:
        return " ".join(_flatten(detail)) or _("The request is not valid.")
    names = ", ".join(sorted(fields))
    return _("Some fields are not valid: %(names)s. See “fields” for what to fix.") % {"names": names}


def api_exception_handler(exc, context):
    request = context.get("request")
    if isinstance(exc, ServiceError):
        if isinstance(exc, VersionConflict) and request is not None and request.headers.get("If-Match"):
            body = error_body(PreconditionFailed.default_code, exc.message, exc.fields)
            return Response(body, status=status.HTTP_412_PRECONDITION_FAILED)
        code = exc.code
        return Response(
            error_body(code, exc.message, exc.fields),
            status=_SERVICE_STATUS.get(type(exc), status.HTTP_400_BAD_REQUEST),
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Nothing was found here for your carrier."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, DjangoValidationError):
        # A value the views' checks let through and a model field refused: still the request's fault.
        logger.warning("Django ValidationError reached the partner API's handler", exc_info=exc)
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, DataError):
        # The database refused a value (a NUL character, a number out of range): the request's, so 400, logged
        # so that the view missing the check is found.
        logger.warning("The database refused a value of a partner API request", exc_info=exc)
        exc = exceptions.ValidationError(
            _("A value in the request cannot be stored (for example a NUL character or a number out of range).")
        )
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: ApiErrorMiddleware answers 500 in the error shape
    given = exc.get_codes()
    if isinstance(given, str) and given != exc.default_code:
        code = given  # raised with its own code, e.g. idempotency_key_reused
    else:
        code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), None) or exc.default_code
    headers = {}
    if isinstance(exc, exceptions.ValidationError):
        fields = _fields(exc.detail)
        message = _validation_message(fields, exc.detail)
    else:
        fields = {}
        message = " ".join(_flatten(exc.detail))
        if isinstance(exc, exceptions.ParseError):
            message = _("The body is not valid JSON: %(detail)s") % {"detail": message}
        if isinstance(exc, exceptions.Throttled):
            wait = max(1, int(exc.wait or 1))
            headers["Retry-After"] = str(wait)
            message = _("Too many requests for your carrier. Retry in %(s)d seconds.") % {"s": wait}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
    return Response(error_body(code, message, fields), status=exc.status_code, headers=headers)


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def api_not_found(request, *args, **kwargs):
    path = request.path
    hint = ""
    if not path.endswith("/"):
        hint = " " + _("Paths end with a slash: try %(path)s/.") % {"path": path}
    return JsonResponse(
        error_body("not_found", _("There is no API endpoint at %(path)s.") % {"path": path} + hint), status=404
    )


class ApiErrorMiddleware:
    """Errors under /api/ that DRF did not handle still answer in the error shape, never as an HTML page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not _is_api(request):
            return None
        if isinstance(exception, RequestDataTooBig):
            return JsonResponse(error_body("too_large", RequestTooLarge.default_detail), status=413)
        if isinstance(exception, Http404):
            return api_not_found(request)
        logger.exception("Unexpected error in the partner API: %s %s", request.method, request.path)
        return JsonResponse(
            error_body(
                "server_error",
                _(
                    "Something went wrong on our side; nothing you sent is at fault. Retry "
                    "later with the same Idempotency-Key."
                ),
            ),
            status=500,
        )
