"""Idempotency-Key on every POST and PUT of the partner API, with Stripe's semantics, scoped to the carrier.

- The header is **required** on POST and PUT (400 `idempotency_key_missing` without it): a retry can then never
  do the work twice. Keys are 1-255 printable ASCII characters; a UUID v4 per operation is the usual choice.
- Same key, same request (method, path and JSON body, whatever the key order or spacing; for a multipart upload,
  its fields and each file's bytes): the first response is replayed, same status and byte-for-byte the same body,
  with `Idempotent-Replayed: true`; nothing runs again.
- Same key, different request: 422 `idempotency_key_reused`.
- Same key while the first request is still running: 409 `idempotency_key_in_progress`; retry a little later.
- Only successful (2xx) responses are kept. An error (400, 404, 409, 412, 429, 500...) releases the key, so the
  request can be fixed and sent again with the same key.
- Keys are kept at least 24 hours (`idempotency_keys_purge` deletes them after REDRESS_IDEMPOTENCY_KEEP_HOURS, 48
  by default, from a beat task).

How it holds under concurrency: the key is claimed by inserting its row (unique per carrier and key) in its own
short transaction, before the work starts; a concurrent retry then finds the row and gets 409. The work and the
saving of its response run in one transaction, so a crash leaves no work done and the key still "running"; such a
key is taken over after STALE_AFTER.

To make another endpoint idempotent, decorate its handler (the method of an APIView, after authentication):

    from complaints.partners.api.idempotency import idempotent

    class CompensationProposalsView(APIView):
        @extend_schema(..., responses={201: ..., **error_responses(400, 404, 409, 412, 422)})
        @idempotent
        def post(self, request, reference):
            ...

`idempotent` also adds the required `Idempotency-Key` header to the endpoint's OpenAPI description.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer

from complaints.models import IdempotencyKey, IdempotencyState
from complaints.partners.api.exceptions import Conflict, Unprocessable

HEADER = "Idempotency-Key"
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")
# A key still "running" after this long belongs to a request that died (its transaction rolled back).
STALE_AFTER = timedelta(minutes=5)
# Response headers replayed with the body.
REPLAYED_HEADERS = ("ETag", "Location")

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    HEADER,
    {"type": "string", "pattern": r"^[!-~]{1,255}$", "minLength": 1, "maxLength": 255},
    OpenApiParameter.HEADER,
    required=True,
    description="A unique key per operation (a UUID v4 is best), 1-255 printable ASCII characters. Retrying with "
    "the same key and body replays the first response and does nothing twice; see docs/api.md.",
)


class IdempotencyKeyMissing(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "idempotency_key_missing"


def _fingerprint(request) -> str:
    """Method, path and the parsed body, so a retry that re-serialises the same JSON still matches. A multipart body
    counts every value of every field, and each file by its name and the SHA-256 of its bytes: the same key with
    another file is another request."""
    data = _multipart_canonical(request.data) if isinstance(request.data, MultiValueDict) else request.data
    body = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(f"{request.method}\n{request.path}\n{body}".encode()).hexdigest()


def _multipart_canonical(data: MultiValueDict) -> dict[str, list]:
    return {
        name: [_file_digest(value) if isinstance(value, UploadedFile) else value for value in values]
        for name, values in data.lists()
    }


def _file_digest(upload: UploadedFile) -> dict[str, str | int]:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)  # the view reads it again
    return {"name": upload.name or "", "size": upload.size or 0, "sha256": digest.hexdigest()}


def _key_from(request) -> str:
    key = request.headers.get(HEADER)
    if key is None or key == "":
        raise IdempotencyKeyMissing(
            _(
                "Send an Idempotency-Key header (a new UUID per operation) with every POST and PUT, and the same one "
                "when you retry."
            )
        )
    if not KEY_PATTERN.match(key):
        raise exceptions.ValidationError(
            {HEADER: [_("Use 1 to 255 printable ASCII characters without spaces, e.g. a UUID.")]}
        )
    return key


def _claim(*, carrier_id: int, key: str, fingerprint: str, now: datetime) -> tuple[IdempotencyKey, bool]:
    """Insert the key as running (it is ours), or return the row someone inserted before."""
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(
                    carrier_id=carrier_id, key=key, fingerprint=fingerprint, created_at=now
                ), True
        except IntegrityError:
            pass
        existing = IdempotencyKey.objects.filter(carrier_id=carrier_id, key=key).first()
        if existing is None:
            continue  # released in the meantime: try to claim it again
        if existing.state == IdempotencyState.RUNNING and existing.created_at < now - STALE_AFTER:
            # Its request died without a response: nothing of it was committed, so it can run again.
            IdempotencyKey.objects.filter(
                pk=existing.pk, state=IdempotencyState.RUNNING, created_at=existing.created_at
            ).delete()
            continue
        return existing, False
    raise Conflict(
        _("This Idempotency-Key is being used by another request right now. Retry in a few seconds."),
        code="idempotency_key_in_progress",
    )


def _replay(record: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(record.response_body, status=record.response_status, content_type="application/json")
    for name, value in (record.response_headers or {}).items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(handler):
    """Make a POST/PUT handler of an APIView idempotent under the carrier's Idempotency-Key (see module doc)."""

    @functools.wraps(handler)
    def wrapper(self, request, *args, **kwargs):
        key = _key_from(request)
        fingerprint = _fingerprint(request)  # parses the body: bad JSON is refused before any key is claimed
        record, claimed = _claim(
            carrier_id=request.user.carrier_id, key=key, fingerprint=fingerprint, now=timezone.now()
        )
        if not claimed:
            if record.fingerprint != fingerprint:
                raise Unprocessable(
                    _(
                        "This Idempotency-Key was already used for a different request. Use a new key for a new "
                        "operation; reuse a key only to retry exactly the same request."
                    ),
                    code="idempotency_key_reused",
                )
            if record.state == IdempotencyState.RUNNING:
                raise Conflict(
                    _(
                        "The first request with this Idempotency-Key is still running. Retry in a few seconds to get "
                        "its response."
                    ),
                    code="idempotency_key_in_progress",
                )
            return _replay(record)
        try:
            with transaction.atomic():
                response = handler(self, request, *args, **kwargs)
                if 200 <= response.status_code < 300:
                    # Saved in the same transaction as the work: both happen, or neither.
                    body = JSONRenderer().render(response.data).decode() if response.data is not None else ""
                    headers = {name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)}
                    IdempotencyKey.objects.filter(pk=record.pk).update(
                        state=IdempotencyState.DONE,
                        response_status=response.status_code,
                        response_body=body,
                        response_headers=headers,
                    )
                    return response
        except BaseException:
            IdempotencyKey.objects.filter(pk=record.pk, state=IdempotencyState.RUNNING).delete()
            raise
        IdempotencyKey.objects.filter(pk=record.pk, state=IdempotencyState.RUNNING).delete()
        return response

    wrapper.idempotent = True
    return extend_schema(parameters=[IDEMPOTENCY_KEY_PARAMETER])(wrapper)


def idempotency_keys_purge(*, now: datetime | None = None) -> int:
    """Delete keys older than REDRESS_IDEMPOTENCY_KEEP_HOURS (never less than 24 h). Returns how many."""
    now = now or timezone.now()
    hours = max(24, settings.REDRESS_IDEMPOTENCY_KEEP_HOURS)
    deleted, _details = IdempotencyKey.objects.filter(created_at__lt=now - timedelta(hours=hours)).delete()
    return deleted
