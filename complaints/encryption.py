"""Secrets kept in the database (the webhook signing secrets) are encrypted with Fernet (AES-128-CBC + HMAC-SHA256,
from `cryptography`) under the keys of settings.REDRESS_SECRETS_KEY: the first key encrypts, every key decrypts, so a
key is rotated by putting a new one first and re-encrypting (`secrets_reencrypt`) before the old one is dropped.

Production requires REDRESS_SECRETS_KEY; local and test settings derive a key from SECRET_KEY."""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SecretUnreadable(Exception):
    """A stored secret that none of the configured keys decrypts (a key was dropped or changed)."""


@lru_cache(maxsize=8)
def _box(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("REDRESS_SECRETS_KEY is empty: set it to one or more Fernet keys.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(f"REDRESS_SECRETS_KEY holds a key that is not a Fernet key: {error}") from error


def _keys() -> tuple[str, ...]:
    value = settings.REDRESS_SECRETS_KEY
    keys = value.split(",") if isinstance(value, str) else value
    return tuple(key.strip() for key in keys if key.strip())


def secret_encrypt(value: str) -> str:
    """The token stored for `value` ("" stays "": no secret)."""
    return _box(_keys()).encrypt(value.encode("utf-8")).decode("ascii") if value else ""


def secret_decrypt(token: str) -> str:
    """The value of a stored token ("" for ""); SecretUnreadable if no configured key opens it."""
    if not token:
        return ""
    try:
        return _box(_keys()).decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as error:
        raise SecretUnreadable("the secret cannot be decrypted with the keys in REDRESS_SECRETS_KEY") from error


def secrets_reencrypt(token: str) -> str:
    """The same secret encrypted under the first key (after a key rotation)."""
    if not token:
        return ""
    try:
        return _box(_keys()).rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as error:
        raise SecretUnreadable("the secret cannot be decrypted with the keys in REDRESS_SECRETS_KEY") from error
