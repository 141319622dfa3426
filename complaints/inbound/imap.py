"""The IMAP poller, for companies whose mail provider has no inbound webhook: beat runs it every minute
(tasks.poll_imap) when REDRESS_IMAP_HOST is set. It reads the unseen mails of one mailbox and hands each to
complaints.inbound.email.inbound_email_receive, which records each Message-ID once.

- Every IMAP command waits at most REDRESS_IMAP_TIMEOUT_SECONDS; one run takes at most REDRESS_IMAP_MAX_PER_RUN mails
  and stops claiming after its time budget (the next run takes the rest).
- Mails are read with BODY.PEEK (reading does not mark them \\Seen): a run that dies mid-way leaves its mail unseen
  for the next run. A mail is marked \\Seen (or moved to REDRESS_IMAP_MOVE_TO) only once it is recorded.
- Two pollers at once (two workers, a beat handing over) may read the same mail: the unique Message-ID row makes
  the second one's insert wait for the first one's commit and then change nothing.
- One bad mail (unreadable, too large, a bug) is recorded as failed, marked \\Seen and the loop goes on with the next;
  a database that went away stops the run and leaves the mail unseen.
"""

from __future__ import annotations

import imaplib
import logging
import re
import ssl
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _

from complaints.inbound.email import inbound_email_failed, inbound_email_receive
from complaints.inbound.mail import InboundMail, mail_from_bytes, message_key_of
from complaints.inbound.models import EmailSource

logger = logging.getLogger(__name__)

_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


@dataclass
class PollResult:
    fetched: int = 0
    new: int = 0
    duplicates: int = 0
    failed: int = 0


class ImapError(Exception):
    """The server refused a command (login, select): the run stops, and beat tries again in a minute."""


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(typ: str, data, what: str) -> list:
    if typ != "OK":
        raise ImapError(f"IMAP {what} refused: {data!r}")
    return data


def imap_connect() -> imaplib.IMAP4:
    host, port, timeout = settings.REDRESS_IMAP_HOST, settings.REDRESS_IMAP_PORT, settings.REDRESS_IMAP_TIMEOUT_SECONDS
    if settings.REDRESS_IMAP_SSL:
        client = imaplib.IMAP4_SSL(host, port, ssl_context=ssl.create_default_context(), timeout=timeout)
    else:
        client = imaplib.IMAP4(host, port, timeout=timeout)
    try:
        _check(*client.login(settings.REDRESS_IMAP_USER, settings.REDRESS_IMAP_PASSWORD), "LOGIN")
    except imaplib.IMAP4.error as error:
        client.shutdown()
        raise ImapError(f"IMAP login refused: {error}") from error
    return client


def imap_poll(*, max_messages: int | None = None, time_budget_seconds: float = 120) -> PollResult:
    """Process the mailbox's unseen mails, oldest first. Returns what was done (nothing when IMAP is not set)."""
    result = PollResult()
    if not settings.REDRESS_IMAP_HOST:
        return result
    limit = max_messages if max_messages is not None else settings.REDRESS_IMAP_MAX_PER_RUN
    started = time.monotonic()
    client = imap_connect()
    try:
        _check(*client.select(_quoted(settings.REDRESS_IMAP_MAILBOX)), "SELECT")
        uids = _check(*client.uid("SEARCH", None, "UNSEEN"), "SEARCH")[0].split()
        for uid in uids[:limit]:
            if time.monotonic() - started > time_budget_seconds:
                break
            _process(client, uid, result)
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            pass
    return result


def _process(client: imaplib.IMAP4, uid: bytes, result: PollResult) -> None:
    result.fetched += 1
    data = _check(*client.uid("FETCH", uid, "(RFC822.SIZE)"), "FETCH")
    match = _SIZE.search(b" ".join(part if isinstance(part, bytes) else b"" for part in data))
    size = int(match.group(1)) if match else 0
    mail: InboundMail | None = None
    if size > settings.REDRESS_INBOUND_EMAIL_MAX_BYTES:
        # Not downloaded: the headers say which mail it was.
        header = _fetched_bytes(client, uid, "(BODY.PEEK[HEADER])")
        mail = mail_from_bytes(header)
        limit = settings.REDRESS_INBOUND_EMAIL_MAX_BYTES
        logger.warning("IMAP mail %s (%d bytes) not read: larger than %d bytes", mail.message_key[:12], size, limit)
        inbound_email_failed(
            mail=mail,
            message_key=mail.message_key,
            source=EmailSource.IMAP,
            error=_("The mail is larger than %(n)d bytes; it was not read.") % {"n": limit},
        )
        result.failed += 1
        _done(client, uid)
        return
    raw = _fetched_bytes(client, uid, "(BODY.PEEK[])")
    try:
        mail = mail_from_bytes(raw)
        _row, created = inbound_email_receive(mail=mail, source=EmailSource.IMAP)
    except (OperationalError, InterfaceError):
        raise  # the database went away: the mail stays unseen, the next run takes it
    except Exception as error:  # one bad mail must not stop the others
        logger.exception("IMAP mail uid %s could not be processed", uid.decode(errors="replace"))
        inbound_email_failed(
            mail=mail,
            message_key=mail.message_key if mail is not None else message_key_of("", raw),
            source=EmailSource.IMAP,
            error=_("The mail could not be processed: %(error)s") % {"error": f"{type(error).__name__}: {error}"},
        )
        result.failed += 1
    else:
        if created:
            result.new += 1
        else:
            result.duplicates += 1
    _done(client, uid)


def _fetched_bytes(client: imaplib.IMAP4, uid: bytes, what: str) -> bytes:
    data = _check(*client.uid("FETCH", uid, what), "FETCH")
    for part in data:
        if isinstance(part, tuple) and len(part) == 2:
            return part[1]
    raise ImapError(f"IMAP FETCH {what} of uid {uid!r} returned no message")


def _done(client: imaplib.IMAP4, uid: bytes) -> None:
    """Mark the mail \\Seen, or move it to REDRESS_IMAP_MOVE_TO (MOVE where the server has it, else COPY, delete and
    expunge)."""
    folder = settings.REDRESS_IMAP_MOVE_TO
    if not folder:
        _check(*client.uid("STORE", uid, "+FLAGS", "(\\Seen)"), "STORE")
        return
    capabilities = {c.upper() if isinstance(c, str) else c.decode().upper() for c in client.capabilities}
    if "MOVE" in capabilities:
        client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
        _check(*client.uid("MOVE", uid, _quoted(folder)), "MOVE")
        return
    _check(*client.uid("COPY", uid, _quoted(folder)), "COPY")
    _check(*client.uid("STORE", uid, "+FLAGS", "(\\Seen \\Deleted)"), "STORE")
    if "UIDPLUS" in capabilities:
        client.uid("EXPUNGE", uid)
    else:
        client.expunge()
