"""Errors the services raise. Each carries a stable code, a message for people and, when fields are at fault,
a message per field; the admin shows them and the API turns them into its one error shape."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _


class ServiceError(Exception):
    code = "error"

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code

    def __str__(self) -> str:
        if not self.fields:
            return self.message
        details = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in self.fields.items())
        return f"{self.message} {details}"


class InvalidInput(ServiceError):
    code = "invalid"

    @classmethod
    def from_django(cls, error: DjangoValidationError) -> InvalidInput:
        if hasattr(error, "error_dict"):
            fields = {name: [str(m) for e in errs for m in e.messages] for name, errs in error.error_dict.items()}
        else:
            fields = {"__all__": [str(m) for m in error.messages]}
        return cls(_("Some fields are not valid."), fields=fields)


class FileTooLarge(InvalidInput):
    """A file over the size limit (complaints/evidence): the API answers 413."""

    code = "file_too_large"


class IllegalTransition(ServiceError):
    code = "illegal_transition"


class VersionConflict(ServiceError):
    code = "conflict"


class NotAllowed(ServiceError):
    code = "forbidden"
