"""Signed, expiring links for complainants, who never log in: the status page and the survey; and the signed
reply address that outgoing emails carry in Reply-To."""

from __future__ import annotations

import re

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

STATUS_SALT = "redress.status-page"
SURVEY_SALT = "redress.survey"
REPLY_SALT = "redress.reply-address"
# reply+<complaint id in base 36>-<20 hex digits of a salted HMAC-SHA256>@<REDRESS_INBOUND_EMAIL_DOMAIN>. Lower case
# only, as some mail systems lower-case addresses, and well under the 64 characters a local part may have.
REPLY_PREFIX = "reply+"
_REPLY_TOKEN = re.compile(r"c([0-9a-z]{1,13})-([0-9a-f]{20})")


def status_token(complaint_id: int) -> str:
    return signing.dumps({"c": complaint_id}, salt=STATUS_SALT, compress=True)


def survey_token(complaint_id: int, cycle: int) -> str:
    return signing.dumps({"c": complaint_id, "k": cycle}, salt=SURVEY_SALT, compress=True)


def read_status_token(token: str) -> int:
    """The complaint id; raises signing.SignatureExpired or signing.BadSignature."""
    return int(signing.loads(token, salt=STATUS_SALT, max_age=settings.REDRESS_STATUS_LINK_DAYS * 86400)["c"])


def read_survey_token(token: str) -> tuple[int, int]:
    data = signing.loads(token, salt=SURVEY_SALT, max_age=settings.REDRESS_SURVEY_LINK_DAYS * 86400)
    return int(data["c"]), int(data["k"])


def absolute(path: str) -> str:
    return settings.REDRESS_PUBLIC_BASE_URL.rstrip("/") + path


def status_url(complaint_id: int) -> str:
    return absolute(reverse("public:status", args=[status_token(complaint_id)]))


def survey_url(complaint_id: int, cycle: int) -> str:
    return absolute(reverse("public:survey", args=[survey_token(complaint_id, cycle)]))


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def _reply_mac(complaint_id: int, secret: str) -> str:
    # 80 bits of the salted HMAC that django.core.signing uses: not guessable, and short enough for a local part.
    return salted_hmac(REPLY_SALT, str(complaint_id), secret=secret, algorithm="sha256").hexdigest()[:20]


def reply_token(complaint_id: int) -> str:
    return f"c{_base36(complaint_id)}-{_reply_mac(complaint_id, settings.SECRET_KEY)}"


def read_reply_token(token: str) -> int | None:
    """The complaint id of a reply token, or None when it is malformed or its signature does not match (under the
    secret key or one of its fallbacks, so a key rotation does not orphan the replies to mails already sent)."""
    match = _REPLY_TOKEN.fullmatch((token or "").strip().lower())
    if match is None:
        return None
    complaint_id = int(match.group(1), 36)
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if any(constant_time_compare(_reply_mac(complaint_id, secret), match.group(2)) for secret in secrets):
        return complaint_id
    return None


def reply_address(complaint_id: int) -> str | None:
    """The signed address a complainant's email reply goes to, or None when no inbound domain is configured."""
    domain = settings.REDRESS_INBOUND_EMAIL_DOMAIN.strip().lower()
    if not domain:
        return None
    return f"{REPLY_PREFIX}{reply_token(complaint_id)}@{domain}"


def reply_token_in(address: str) -> str | None:
    """The token of a reply+<token>@<inbound domain> address (any case), else None: an address of another domain, or
    not a reply address at all."""
    domain = settings.REDRESS_INBOUND_EMAIL_DOMAIN.strip().lower()
    local, _at, address_domain = (address or "").strip().lower().rpartition("@")
    if not domain or address_domain != domain or not local.startswith(REPLY_PREFIX):
        return None
    return local[len(REPLY_PREFIX) :]
