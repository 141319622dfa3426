"""Reading inbound SMS: a gateway's uplink callback, its signature, and what a complainant's text says.

Two formats (docs/channels.md, "Inbound SMS"):

- `aliyun`: Aliyun SMS's uplink push (上行消息 SmsUp, "HTTP 批量推送"): a JSON array, each item
  `{"phone_number", "content", "send_time": "2017-09-01 00:00:00" (China time), "sign_name", "dest_code",
  "sequence_id"}`; the sequence id is the message's id. Aliyun expects `{"code": 0, "msg": "接收成功"}` and HTTP 200,
  and pushes again (after 1, 5 and 10 minutes) on anything else.
- `generic`: one JSON object `{"id", "mobile", "text", "time"}` (time in ISO 8601, or Unix seconds; optional).

Nothing here touches the database: the callback (views.py) checks the signature, parses, and hands each Uplink to
services.inbound_sms_receive.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from complaints.errors import InvalidInput
from complaints.inbound.models import SmsGateway

SIGNATURE_HEADER = "X-Redress-Signature"
TOKEN_PARAMETER = "token"
# Aliyun's send_time is the operator's time in China.
CHINA = ZoneInfo("Asia/Shanghai")
TEXT_MAX_LENGTH = 2000


@dataclass(frozen=True)
class Uplink:
    """One SMS as the gateway reported it."""

    gateway: str
    message_id: str
    phone: str
    text: str
    sent_at: datetime | None


# --- Authentication -----------------------------------------------------------------------------------------------


def signature_for(body: bytes, secret: str) -> str:
    """The X-Redress-Signature header's value for a body: `sha256=<hex HMAC-SHA256 of the raw body>`."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def callback_authentic(*, body: bytes, signature: str, token: str) -> bool:
    """The gateway proved it knows a secret from settings: an HMAC of the exact body (REDRESS_SMS_INBOUND_SECRET),
    or, for a gateway that cannot sign (Aliyun's push), the token in the callback URL (REDRESS_SMS_INBOUND_TOKEN).
    Compared in constant time; a setting left empty accepts nothing."""
    secret, expected_token = settings.REDRESS_SMS_INBOUND_SECRET, settings.REDRESS_SMS_INBOUND_TOKEN
    if secret and signature and hmac.compare_digest(signature_for(body, secret), signature.strip()):
        return True
    return bool(expected_token and token and hmac.compare_digest(expected_token.encode(), token.encode()))


# --- Parsing ------------------------------------------------------------------------------------------------------


def uplinks_parse(*, gateway: str, body: bytes) -> list[Uplink]:
    """The SMS in a callback's body. Raises InvalidInput saying what is wrong (nothing is recorded then)."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise InvalidInput(_("The body is not JSON (UTF-8)."), code="parse_error") from error
    if gateway == SmsGateway.ALIYUN:
        items = data if isinstance(data, list) else [data]
        return [_aliyun(item, index) for index, item in enumerate(items)]
    return [_generic(data)]


def _required(item: object, names: tuple[str, ...], prefix: str) -> dict:
    if not isinstance(item, dict):
        raise InvalidInput(_("Each message is a JSON object."), fields={prefix or "body": [_("Not an object.")]})
    missing = {f"{prefix}{name}": [_("This field is required.")] for name in names if item.get(name) in (None, "")}
    if missing:
        raise InvalidInput(_("Some fields are missing."), fields=missing)
    return item


def _aliyun(item: object, index: int) -> Uplink:
    item = _required(item, ("phone_number", "content", "sequence_id"), f"{index}.")
    return Uplink(
        gateway=SmsGateway.ALIYUN,
        message_id=str(item["sequence_id"])[:100],
        phone=str(item["phone_number"]),
        text=str(item["content"])[:TEXT_MAX_LENGTH],
        sent_at=_time(item.get("send_time"), CHINA, field=f"{index}.send_time"),
    )


def _generic(item: object) -> Uplink:
    item = _required(item, ("id", "mobile", "text"), "")
    return Uplink(
        gateway=SmsGateway.GENERIC,
        message_id=str(item["id"])[:100],
        phone=str(item["mobile"]),
        text=str(item["text"])[:TEXT_MAX_LENGTH],
        sent_at=_time(item.get("time"), timezone.get_default_timezone(), field="time"),
    )


def _time(value: object, zone, *, field: str) -> datetime | None:
    """ISO 8601 or "2017-09-01 00:00:00" (in `zone` when it has no offset), "20170901000000", or Unix seconds."""
    if value in (None, ""):
        return None
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, tz=UTC)
        text = str(value).strip()
        parsed = datetime.strptime(text, "%Y%m%d%H%M%S") if re.fullmatch(r"\d{14}", text) else parse_datetime(text)
    except (ValueError, OverflowError, OSError):
        parsed = None
    if parsed is None:
        raise InvalidInput(
            _("The time is not readable."), fields={field: [_("Use ISO 8601, e.g. 2026-11-30T10:15:00+08:00.")]}
        )
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=zone)


# --- What the text says -------------------------------------------------------------------------------------------

OPT_OUT_KEYWORDS = frozenset({"TD", "T", "退订", "取消订阅", "STOP", "UNSUBSCRIBE"})
OPT_IN_KEYWORDS = frozenset({"START", "SUBSCRIBE", "订阅", "恢复订阅"})
SCORE_WORDS = {"非常满意": 5, "很满意": 5, "满意": 5, "不满意": 1, "很不满意": 1, "非常不满意": 1}

# Around a whole-message keyword or score: spaces and the punctuation people add ("1。", "TD!").
_EDGES = " \t\r\n.,;:!?。，；：！？、~～\"'“”‘’【】[]()（）"
_SCORE = re.compile(r"([1-5])\s*(?:分|星)?")
# A score followed by a comment: "2，快递员态度差" or "1. still broken". The digit must stand apart: "3天了还没收到"
# ("three days and still nothing") is not a score.
_SCORE_WITH_COMMENT = re.compile(r"([1-5])\s*(?:分|星)?(?:\s+|\s*[.,;:!?。，；：！？、-]+\s*)(\S.*)", re.DOTALL)


def text_normalise(text: str) -> str:
    """NFKC (full-width digits and letters become ASCII: '２' is '2', 'ＴＤ' is 'TD'), trimmed."""
    return unicodedata.normalize("NFKC", text or "").strip()


def _bare(text: str) -> str:
    return text_normalise(text).strip(_EDGES)


def keyword_of(text: str) -> str | None:
    """'opt_out' or 'opt_in' when the whole text is one of the keywords (any case), else None."""
    word = _bare(text).upper()
    if word in OPT_OUT_KEYWORDS:
        return "opt_out"
    if word in OPT_IN_KEYWORDS:
        return "opt_in"
    return None


def survey_answer_of(text: str) -> tuple[int, str] | None:
    """(score, comment) when the text answers a 1-5 survey: a digit 1-5 alone ('2', '２', '5分'), or first and set
    apart from a comment ('2，快递员态度差'); or 满意 (5) / 不满意 (1). None otherwise."""
    bare = _bare(text)
    if bare in SCORE_WORDS:
        return SCORE_WORDS[bare], ""
    match = _SCORE.fullmatch(bare)
    if match:
        return int(match.group(1)), ""
    match = _SCORE_WITH_COMMENT.fullmatch(text_normalise(text))
    if match:
        return int(match.group(1)), match.group(2).strip()
    return None
