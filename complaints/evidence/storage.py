"""The evidence storage: Django's STORAGES["evidence"], the local filesystem under REDRESS_VAR_DIR by default or an
S3-compatible bucket (django-storages) when REDRESS_EVIDENCE_S3_BUCKET is set (config/settings/base.py). The only
module that reads or writes it. Neither backend hands out URLs: files reach people only through the views that
check who is asking (complaints.evidence.responses)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from storages.backends.s3 import S3Storage

EVIDENCE_ALIAS = "evidence"


class NoPublicUrl:
    def url(self, name, *args, **kwargs):
        raise NotImplementedError("Evidence files are never served from a URL; stream them through a checked view.")


class EvidenceFileSystemStorage(NoPublicUrl, FileSystemStorage):
    """Files under REDRESS_EVIDENCE_DIR (REDRESS_VAR_DIR/evidence by default), readable by the server's user only."""

    def __init__(self, **kwargs):
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(**kwargs)


class EvidenceS3Storage(NoPublicUrl, S3Storage):
    """Objects in a private bucket, uploaded without an ACL (private by default; a bucket with ACLs disabled refuses
    any other)."""


def evidence_storage() -> Storage:
    return storages[EVIDENCE_ALIAS]


def object_name(*, folder: str, extension: str, suffix: str = "") -> str:
    """A new name that no other object has: the complaint's reference as folder, a random id."""
    return f"{folder}/{uuid.uuid4().hex}{suffix}.{extension}"


def object_write(name: str, data: bytes) -> str:
    """Write the bytes; returns the name they were stored under."""
    return evidence_storage().save(name, ContentFile(data, name=name.rsplit("/", 1)[-1]))


def object_open(name: str) -> File:
    return evidence_storage().open(name, "rb")


def object_read(name: str) -> bytes:
    with object_open(name) as handle:
        return handle.read()


def object_exists(name: str) -> bool:
    return evidence_storage().exists(name)


def object_modified_at(name: str) -> datetime | None:
    try:
        return evidence_storage().get_modified_time(name)
    except (NotImplementedError, OSError):
        return None


def objects_delete(names: Iterable[str]) -> None:
    """Delete objects written for a change that did not happen (its transaction rolled back)."""
    storage = evidence_storage()
    for name in names:
        if name:
            storage.delete(name)


def object_names(folder: str = "") -> Iterator[str]:
    """Every object name in the storage (or under one folder), for the orphan sweep."""
    storage = evidence_storage()
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # the filesystem storage's folder before its first file
        return
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for sub in folders:
        yield from object_names(f"{folder}/{sub}" if folder else sub)
