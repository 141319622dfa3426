"""What an inbound email does, whichever way it came (the provider's webhook or the IMAP poller). Each mail is
recorded once (InboundEmail, unique by its Message-ID's hash) in the same transaction as its effect: the same mail
twice, or two pollers taking it at once, is one row and one effect (the second insert waits for the first one's
commit, then fails on the constraint and changes nothing).

In this order (docs/channels.md, "Inbound email"):
1. An automatic mail (out-of-office, delivery report) is ignored: it is nobody's words.
2. Sent to a reply+<token>@ address: a valid token is a reply on its complaint (services.complaint_receive_reply);
   a forged or unknown token is dropped with a log line (nothing happens on any complaint). A reply to a closed
   complaint becomes a new complaint with its details.
3. Without a token, from an address that has an open complaint: a reply on its latest open complaint.
4. Else a new complaint in the queue (channel email, through services.complaint_create), with the details of the
   address's last complaint, or the waybill number in the subject or the text; a sender we know nothing of whose
   mail has no waybill number is kept as "unmatched" for an agent to read.

The text kept is the complainant's own (complaints.inbound.mail.reply_text). Attachments go through the evidence
checks one by one, before any lock: a refused one (type, size, over the message's limit) is skipped with a log line
and noted on the row, and the text still arrives.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import services
from complaints.choices import Channel, ContactChannel, ReplyChannel, Status
from complaints.errors import InvalidInput, ServiceError
from complaints.evidence.files import CleanFile
from complaints.evidence.services import IncomingFile, evidence_files_check
from complaints.inbound.mail import InboundMail, reply_text
from complaints.inbound.models import EmailOutcome, InboundEmail
from complaints.inbound.selectors import complaint_by_id, latest_complaint_for_email, open_complaint_for_email
from complaints.inbound.services import inbound_complaint_details
from complaints.links import read_reply_token, reply_token_in
from complaints.models import Complaint

logger = logging.getLogger(__name__)


def inbound_email_receive(*, mail: InboundMail, source: str, at: datetime | None = None) -> tuple[InboundEmail, bool]:
    """Record one inbound email and do what it says. Returns the row and whether it is new (False: this Message-ID
    was received before, and nothing was done again)."""
    at = at or timezone.now()
    existing = InboundEmail.objects.filter(message_key=mail.message_key).first()
    if existing is not None:
        return existing, False
    text = reply_text(mail.text)
    files, notes = ([], []) if mail.automatic else _files_checked(mail)
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = InboundEmail.objects.create(
                    source=source,
                    message_key=mail.message_key,
                    message_id=mail.message_id,
                    sender=mail.sender[:254],
                    recipient=(mail.recipients[0] if mail.recipients else "")[:254],
                    subject=mail.subject[:255],
                    text=text,
                    received_at=at,
                    outcome=EmailOutcome.UNMATCHED,
                )
        except IntegrityError:
            return InboundEmail.objects.get(message_key=mail.message_key), False
        _route(row, mail=mail, text=text, files=files, at=at)
        if row.attachments == 0 and row.outcome in (EmailOutcome.REPLY, EmailOutcome.NEW_COMPLAINT):
            row.attachments = len(files)
        row.detail = "\n".join(part for part in (row.detail, *notes) if part)
        row.save(update_fields=["outcome", "complaint", "detail", "recipient", "attachments"])
    return row, True


def inbound_email_failed(*, mail: InboundMail | None, message_key: str, source: str, error: str) -> InboundEmail:
    """Record a mail that could not be processed (unreadable, or a bug), so that an agent sees it and the poller goes
    on with the next one. Recording it again changes nothing."""
    row, _created = InboundEmail.objects.get_or_create(
        message_key=message_key,
        defaults={
            "source": source,
            "message_id": mail.message_id if mail else "",
            "sender": (mail.sender if mail else "")[:254],
            "subject": (mail.subject if mail else "")[:255],
            "outcome": EmailOutcome.FAILED,
            "detail": error[:2000],
        },
    )
    return row


def _files_checked(mail: InboundMail) -> tuple[list[CleanFile], list[str]]:
    limit = settings.REDRESS_EVIDENCE_MAX_FILES_PER_MESSAGE
    clean: list[CleanFile] = []
    notes: list[str] = []
    for name, data in mail.attachments:
        if len(clean) >= limit:
            reason = _("over the limit of %(n)d files a message") % {"n": limit}
        else:
            try:
                clean += evidence_files_check([IncomingFile(name=name, data=data)])
                continue
            except InvalidInput as error:
                reason = error.message
        logger.warning("Inbound email %s: attachment %r skipped: %s", mail.message_key[:12], name, reason)
        notes.append(_("Attachment “%(name)s” skipped: %(reason)s") % {"name": name, "reason": reason})
    return clean, notes


def _route(row: InboundEmail, *, mail: InboundMail, text: str, files: list[CleanFile], at: datetime) -> None:
    if mail.automatic:
        logger.info("Inbound email %s from %s ignored: an automatic reply", mail.message_key[:12], mail.sender)
        row.outcome, row.detail = EmailOutcome.IGNORED, _("An automatic reply (out of office, delivery report).")
        return
    previous = None
    tokened = next(((a, t) for a in mail.recipients if (t := reply_token_in(a)) is not None), None)
    if tokened is not None:
        address, token = tokened
        row.recipient = address[:254]
        complaint_id = read_reply_token(token)
        complaint = complaint_by_id(complaint_id=complaint_id) if complaint_id is not None else None
        if complaint is None:
            logger.warning(
                "Inbound email %s from %s dropped: forged or unknown reply address %s",
                mail.message_key[:12],
                mail.sender,
                address,
            )
            row.outcome = EmailOutcome.DROPPED
            row.detail = _("The reply address is forged or names no complaint; the mail was dropped.")
            return
        if complaint.status != Status.CLOSED:
            _reply(row, complaint=complaint, mail=mail, text=text, files=files, at=at)
            return
        previous = complaint  # a reply to a closed complaint starts a new one
    else:
        complaint = open_complaint_for_email(email=mail.sender)
        if complaint is not None:
            _reply(row, complaint=complaint, mail=mail, text=text, files=files, at=at)
            return
    _new_complaint(row, mail=mail, text=text, files=files, previous=previous, at=at)


def _reply(
    row: InboundEmail, *, complaint: Complaint, mail: InboundMail, text: str, files: list[CleanFile], at: datetime
) -> None:
    message = text or mail.subject
    try:
        try:
            with transaction.atomic():
                services.complaint_receive_reply(
                    complaint=complaint, channel=ReplyChannel.EMAIL, message=message, files=files, at=at
                )
        except InvalidInput as error:
            if not files or error.code != "too_many_files":
                raise
            # The complaint has all the files it can take: the words still arrive.
            logger.warning("Inbound email %s: files not added to %s: %s", row.message_key[:12], complaint, error)
            services.complaint_receive_reply(complaint=complaint, channel=ReplyChannel.EMAIL, message=message, at=at)
            row.detail, row.attachments = error.message, 0
            files.clear()
    except ServiceError as error:
        row.outcome, row.complaint, row.detail = EmailOutcome.REFUSED, complaint, str(error)
        return
    row.outcome, row.complaint = EmailOutcome.REPLY, complaint


def _new_complaint(
    row: InboundEmail,
    *,
    mail: InboundMail,
    text: str,
    files: list[CleanFile],
    previous: Complaint | None,
    at: datetime,
) -> None:
    if not mail.sender:
        row.detail = _("The mail has no sender address.")
        return
    details = inbound_complaint_details(
        previous=previous or latest_complaint_for_email(email=mail.sender),
        text=f"{mail.subject}\n{text}",
        keep="complainant_phone",
        stranger_name=lambda: mail.sender_name or _("Email sender %(address)s") % {"address": mail.sender},
    )
    if details is None:
        row.detail = _("No complaint from this address, and no waybill number in the mail.")
        return
    description = "\n\n".join(part for part in (mail.subject, text) if part) or _("(an empty email)")
    try:
        with transaction.atomic():
            complaint = services.complaint_create(
                actor=None,
                channel=Channel.EMAIL,
                description=description[:5000],
                complainant_email=mail.sender,
                contact_channel=ContactChannel.EMAIL,
                files=files,
                at=at,
                **details,
            )
    except ServiceError as error:
        row.outcome, row.detail = EmailOutcome.REFUSED, str(error)
        return
    row.outcome, row.complaint = EmailOutcome.NEW_COMPLAINT, complaint
