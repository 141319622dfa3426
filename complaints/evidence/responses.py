"""Streaming an evidence file to someone an edge has already checked may see it (the admin, the complainant's signed
link, the partner API). Never from a public URL; documents always as a download; the browser is told never to guess
the type, never to run anything in it, and never to cache it for others."""

from __future__ import annotations

from django.http import FileResponse

from complaints.evidence.choices import EXTENSIONS, IMAGE_TYPES, JPEG
from complaints.evidence.models import Evidence
from complaints.evidence.storage import object_open


def download_name(evidence: Evidence, *, thumbnail: bool = False) -> str:
    """The name as sent, with the extension of what is stored (a PNG sent as "invoice.pdf" downloads as
    "invoice.png")."""
    stem = evidence.original_name.rsplit(".", 1)[0] if "." in evidence.original_name else evidence.original_name
    if thumbnail:
        return f"{stem}-thumbnail.jpg"
    return f"{stem}.{EXTENSIONS[evidence.content_type]}"


def evidence_response(evidence: Evidence, *, thumbnail: bool = False) -> FileResponse:
    if thumbnail and evidence.thumbnail_name:
        name, content_type, size = evidence.thumbnail_name, JPEG, None
    else:
        name, content_type, size = evidence.storage_name, evidence.content_type, evidence.stored_size
    response = FileResponse(
        object_open(name),
        content_type=content_type,
        as_attachment=content_type not in IMAGE_TYPES,
        filename=download_name(evidence, thumbnail=thumbnail and bool(evidence.thumbnail_name)),
    )
    if size is not None:
        response["Content-Length"] = str(size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["ETag"] = f'"{evidence.stored_sha256[:32]}{"-t" if thumbnail else ""}"'
    return response
