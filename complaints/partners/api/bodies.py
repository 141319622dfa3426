"""Request bodies sent without Content-Length (Transfer-Encoding: chunked).

Django reads a body only as far as its Content-Length says, so a chunked body reads as empty: a valid complaint was
refused with 400 "field required" for every field. Gunicorn de-chunks such a body and marks the input as ending by
itself (`wsgi.input_terminated`); the partner API then reads it here, at most the view's limit (more is 413), and
hands it on as if it had come with its length. A server that does not mark it cannot have the body read safely: 411.
"""

from __future__ import annotations

from tempfile import SpooledTemporaryFile

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest
from django.utils.translation import gettext as _

from complaints.partners.api.exceptions import LengthRequired, RequestTooLarge

CHUNK_BYTES = 64 * 1024


def unsized_body_read(request: HttpRequest, *, limit: int) -> None:
    """Read a chunked body of `request` (Django's) under `limit` bytes; nothing to do for a body with a length."""
    meta = request.META
    if meta.get("CONTENT_LENGTH") not in (None, ""):
        return
    if "chunked" not in meta.get("HTTP_TRANSFER_ENCODING", "").lower():
        return
    if not meta.get("wsgi.input_terminated"):
        raise LengthRequired()
    # Bodies with files may be megabytes: kept in memory up to Django's upload threshold, on disk beyond.
    body = SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)
    size = 0
    while size <= limit:
        chunk = meta["wsgi.input"].read(min(CHUNK_BYTES, limit + 1 - size))
        if not chunk:
            break
        body.write(chunk)
        size += len(chunk)
    if size > limit:
        body.close()
        raise RequestTooLarge(_("The request body is too large: at most %(n)d bytes.") % {"n": limit})
    body.seek(0)
    meta["CONTENT_LENGTH"] = str(size)
    request._stream = LimitedStream(body, size)
