"""ETags of complaints (from id and version: every write bumps the version) and If-Match on writes.

A write that sends If-Match gets 412 and changes nothing unless the complaint's current ETag is among the listed
ones; the version is then handed to the service, which re-checks it under the row lock (no race)."""

from __future__ import annotations

import hashlib

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from complaints.models import Complaint
from complaints.partners.api.exceptions import PreconditionFailed

IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="The complaint's ETag as you last read it. If the complaint has changed since, the write is refused "
    "with 412 and nothing changes.",
)


def complaint_etag(complaint: Complaint) -> str:
    digest = hashlib.sha256(f"{complaint.pk}:{complaint.version}".encode()).hexdigest()[:20]
    return f'"{digest}"'


def _listed(header: str) -> list[str]:
    return [tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()]


def expected_version(request, complaint: Complaint) -> int | None:
    """None without If-Match (or with `*`); the current version if If-Match names the current ETag; else 412."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    if complaint_etag(complaint) in _listed(header):
        return complaint.version
    raise PreconditionFailed()


def none_match(request, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "").strip()
    return bool(header) and (header == "*" or etag in _listed(header))
