"""What an inbound email says, read from the message itself (pure: no database, no storage). Both ways in build an
InboundMail from a stdlib `email.message.EmailMessage`: the provider's webhook (django-anymail's
AnymailInboundMessage is one) and the IMAP poller (the raw bytes, parsed here).

The text kept is what the complainant wrote: quoted history (lines starting with ">", "On … wrote:", "在 … 写道：",
"-----Original Message-----", "发件人: … 发送时间: …" and "From: … Sent: …" blocks) and the signature (after "-- ",
"Sent from my iPhone", "发自我的iPhone") are cut.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from django.utils.html import strip_tags

# A reply is at most this long (complaints.services.inputs.MESSAGE_MAX_LENGTH); the rest is cut.
TEXT_MAX_LENGTH = 5000
# Attachments read from one mail at most (the evidence checks then keep at most a message's worth).
ATTACHMENTS_MAX = 20


@dataclass(frozen=True)
class InboundMail:
    message_key: str  # SHA-256 of the Message-ID (or of the whole message when it has none)
    message_id: str
    sender: str  # the From address, lower case
    sender_name: str
    recipients: tuple[str, ...]  # the envelope recipient first, then To, Cc, Delivered-To, X-Original-To
    subject: str
    text: str  # the body as sent (quotes not yet stripped)
    attachments: tuple[tuple[str, bytes], ...] = field(default=())
    automatic: bool = False  # an out-of-office or delivery report: never a complainant's words


def message_key_of(message_id: str, raw: bytes) -> str:
    basis = message_id.strip().strip("<>").strip().lower().encode() if message_id.strip() else b"raw:" + raw
    return hashlib.sha256(basis).hexdigest()


def mail_from_bytes(data: bytes) -> InboundMail:
    """Parse a whole message (RFC 5322 bytes, as IMAP returns it)."""
    message = BytesParser(EmailMessage, policy=policy.default).parsebytes(data)
    return mail_from_message(message, raw=data)


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError):  # a header the parser cannot decode: read it as it is
        value = message.get_all(name, failobj=[""])[0] if name in message else ""
    return str(value or "").strip()


def _addresses(message: EmailMessage, name: str) -> list[str]:
    try:
        values = [str(value) for value in message.get_all(name, failobj=[])]
    except (ValueError, IndexError, TypeError):
        return []
    return [address.strip().lower() for _name, address in getaddresses(values) if "@" in address]


def mail_from_message(
    message: EmailMessage, *, envelope_recipient: str | None = None, raw: bytes | None = None
) -> InboundMail:
    message_id = _header(message, "Message-ID")[:998]
    sender_name, sender = parseaddr(_header(message, "From"))
    recipients = [envelope_recipient.strip().lower()] if envelope_recipient else []
    for name in ("To", "Cc", "Delivered-To", "X-Original-To"):
        recipients += [address for address in _addresses(message, name) if address not in recipients]
    if raw is None:
        try:
            raw = message.as_bytes(policy=policy.default.clone(linesep="\n"))
        except Exception:  # an unencodable message still gets a key: from what can be read of it
            raw = repr((_header(message, "From"), _header(message, "Date"), _header(message, "Subject"))).encode()
    return InboundMail(
        message_key=message_key_of(message_id, raw),
        message_id=message_id,
        sender=sender.strip().lower() if "@" in sender else "",
        sender_name=sender_name.strip(),
        recipients=tuple(recipients),
        subject=" ".join(_header(message, "Subject").split())[:255],
        text=_body_text(message),
        attachments=tuple(_attachments(message)),
        automatic=_automatic(message, sender),
    )


def _automatic(message: EmailMessage, sender: str) -> bool:
    auto_submitted = _header(message, "Auto-Submitted").lower()
    precedence = _header(message, "Precedence").lower()
    local = sender.partition("@")[0].lower()
    return (
        (auto_submitted not in ("", "no"))
        or precedence in ("auto_reply", "bulk", "junk", "list")
        or bool(_header(message, "X-Autoreply") or _header(message, "X-Autorespond"))
        or local in ("mailer-daemon", "postmaster")
        or message.get_content_type() == "multipart/report"
    )


def _body_part(message: EmailMessage):
    try:
        return message.get_body(preferencelist=("plain", "html"))
    except (KeyError, AttributeError):
        return None


def _part_text(part) -> str:
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError, UnicodeError):
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", errors="replace")
    return content if isinstance(content, str) else ""


def _body_text(message: EmailMessage) -> str:
    part = _body_part(message)
    if part is None:
        return ""
    text = _part_text(part)
    if part.get_content_subtype() == "html":
        # Block ends become line breaks before the tags go, so quoted blocks still start their own line.
        text = re.sub(r"(?i)<br\s*/?>|</(p|div|li|tr|h\d|blockquote)>", "\n", text)
        text = re.sub(r"(?is)<(style|script|head)\b.*?</\1>", "", text)
        text = re.sub(r"(?is)<blockquote\b.*", "", text)  # what a mail client quotes in HTML
        text = strip_tags(text).replace("&nbsp;", " ").replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&")
    return text


def _attachments(message: EmailMessage) -> list[tuple[str, bytes]]:
    """Every part that is a file: attachments, and inline pictures (phones put photos inline). The text and HTML
    of the body are not files; other text parts are (and are refused by the file checks, as they should)."""
    body = _body_part(message)
    found: list[tuple[str, bytes]] = []
    for part in message.walk():
        if part.is_multipart() or part is body:
            continue
        disposition = part.get_content_disposition()
        if part.get_content_maintype() == "text" and disposition != "attachment":
            continue
        if part.get_content_type() in ("message/delivery-status", "message/rfc822"):
            continue
        data = part.get_payload(decode=True)
        if not data:
            continue
        name = part.get_filename() or f"attachment.{part.get_content_subtype() or 'bin'}"
        found.append((name, data))
        if len(found) >= ATTACHMENTS_MAX:
            break
    return found


# --- What the complainant wrote -----------------------------------------------------------------------------------

# A line that starts the quoted history: everything from it on is cut.
_CUT = [
    re.compile(r"^\s*-{2,}\s*(Original Message|Forwarded message|原始邮件|转发邮件)\s*-{2,}", re.IGNORECASE),
    re.compile(r"^\s*(On\s.{0,300}\swrote:|在.{0,300}写道\s*[:：])\s*$", re.IGNORECASE),
    re.compile(r"^\s*_{10,}\s*$"),  # Outlook's rule above its "From: … Sent: …" block
    re.compile(r"^(-- |--)$"),  # the signature separator (RFC 3676), its space sometimes lost
    re.compile(r"^\s*(Sent from my \S.{0,40}|Get Outlook for \S.{0,20}|发自我的\s*\S.{0,20}|来自\S{0,10}邮箱)\s*$"),
]
# "On Mon, 30 Nov 2026 at 10:00, Redress <reply+…" wrapped onto the next line.
_WROTE_START = re.compile(r"^\s*(On\s|在).{0,300}$", re.IGNORECASE)
_WROTE_END = re.compile(r"(wrote:|写道\s*[:：])\s*$", re.IGNORECASE)
# A header block of a quoted message: "From:"/"发件人：" followed within three lines by one of the others.
_BLOCK_START = re.compile(r"^\s*\*?(From|发件人)\s*\*?\s*[:：]", re.IGNORECASE)
_BLOCK_NEXT = re.compile(
    r"^\s*\*?(Sent|Date|To|Subject|Cc|发送时间|时间|日期|收件人|主题|抄送)\s*\*?\s*[:：]", re.IGNORECASE
)


def reply_text(text: str) -> str:
    """The complainant's own words: the text without the quoted history and the signature, lines quoted with ">"
    dropped wherever they are, at most TEXT_MAX_LENGTH characters."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if _starts_history(lines, index):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    result = "\n".join(kept).strip()
    result = re.sub(r"\n{3,}", "\n\n", result)
    return result[:TEXT_MAX_LENGTH].strip()


def _starts_history(lines: list[str], index: int) -> bool:
    line = lines[index]
    if any(pattern.match(line) for pattern in _CUT):
        return True
    following = [candidate for candidate in lines[index + 1 : index + 4] if candidate.strip()]
    if _WROTE_START.match(line) and following and _WROTE_END.search(following[0]) and len(line) < 300:
        return True
    return bool(_BLOCK_START.match(line) and any(_BLOCK_NEXT.match(candidate) for candidate in following))
