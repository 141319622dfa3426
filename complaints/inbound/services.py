"""What an inbound SMS does. Each gateway message is recorded once (a unique row per gateway and message id), in the
same transaction as its effect, so a callback retried or replayed changes nothing more, and one that fails (the
database went away) leaves nothing behind and is processed when the gateway tries again.

The text decides, in this order (docs/channels.md, "Inbound SMS"):
1. TD / 退订 / STOP (and T, 取消订阅, UNSUBSCRIBE) opt the number out of SMS; START / 订阅 (and SUBSCRIBE, 恢复订阅)
   opt it back in. The whole text must be the keyword.
2. A score ('1'-'5', full-width too, '5分', 满意 = 5, 不满意 = 1, or a digit set apart before a comment) answers the
   number's pending survey, exactly once: services.complaint_answer_survey, as the web survey does (1-2 reopens and
   escalates).
3. Anything else is the complainant's reply (services.complaint_receive_reply) on the number's latest open
   complaint, else on its latest resolved one.
4. Else a new complaint in the queue (channel SMS), with the complainant's details from the number's last complaint
   and the waybill number in the text if there is one. A number we have no complaint from, with no waybill number in
   its text, cannot make a complaint (the waybill is required): it is kept as "unmatched" for an agent to read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from complaints import services
from complaints.choices import Category, Channel, ContactChannel, Language, ReplyChannel
from complaints.errors import IllegalTransition, ServiceError
from complaints.inbound.models import InboundOutcome, InboundSms, SmsOptOut
from complaints.inbound.selectors import latest_complaint_for_phone, pending_survey_for_phone, reply_target_for_phone
from complaints.inbound.sms import Uplink, keyword_of, survey_answer_of, text_normalise
from complaints.phones import phone_parse
from complaints.validators import validate_waybill_number

if TYPE_CHECKING:
    from complaints.models import Complaint

# A waybill number in free text: 8-30 letters and digits with at least 8 digits ("ZT7512345678", "773012345678901").
_WAYBILL = re.compile(r"(?<![A-Za-z0-9])(?=(?:[A-Za-z]*\d){8})[A-Za-z0-9]{8,30}(?![A-Za-z0-9])")
_CJK = re.compile(r"[\u3400-\u9fff]")


def inbound_sms_receive(*, uplink: Uplink, at: datetime | None = None) -> tuple[InboundSms, bool]:
    """Record one SMS and do what it says. Returns the row and whether it is new (False: the gateway sent this
    message before; nothing was done again). The effects are dated `at` (when we received it): the gateway's own
    time is kept on the row."""
    at = at or timezone.now()
    phone = phone_parse(uplink.phone)
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = InboundSms.objects.create(
                    gateway=uplink.gateway,
                    gateway_message_id=uplink.message_id,
                    phone=phone or uplink.phone.strip()[:32],
                    text=uplink.text,
                    sent_at=uplink.sent_at,
                    received_at=at,
                    outcome=InboundOutcome.UNMATCHED,
                )
        except IntegrityError:
            return InboundSms.objects.get(gateway=uplink.gateway, gateway_message_id=uplink.message_id), False
        if phone is None:
            row.detail = _("The sender's number is not a valid phone number.")
        elif not text_normalise(uplink.text):
            row.detail = _("The message is empty.")
        else:
            _route(row, phone=phone, at=at)
        row.save(update_fields=["outcome", "complaint", "detail"])
    return row, True


def _route(row: InboundSms, *, phone: str, at: datetime) -> None:
    keyword = keyword_of(row.text)
    if keyword == "opt_out":
        sms_opt_out(phone=phone, keyword=text_normalise(row.text)[:32], source=row, at=at)
        row.outcome = InboundOutcome.OPTED_OUT
        return
    if keyword == "opt_in":
        sms_opt_in(phone=phone)
        row.outcome = InboundOutcome.OPTED_IN
        return
    try:
        if _answer_survey(row, phone=phone, at=at) or _reply(row, phone=phone, at=at):
            return
        _new_complaint(row, phone=phone, at=at)
    except ServiceError as error:
        # A refusal (a reply too long, a complaint that cannot be recorded): kept, with why, for an agent to read.
        row.outcome, row.detail = InboundOutcome.REFUSED, str(error)


def _answer_survey(row: InboundSms, *, phone: str, at: datetime) -> bool:
    answer = survey_answer_of(row.text)
    if answer is None:
        return False
    complaint = pending_survey_for_phone(phone=phone, now=at)
    if complaint is None:
        return False
    score, comment = answer
    try:
        services.complaint_answer_survey(
            complaint=complaint, cycle=complaint.reopen_count, score=score, comment=comment, at=at
        )
    except IllegalTransition:
        return False  # answered (or closed) a moment ago: the text is a reply like any other
    row.outcome, row.complaint = InboundOutcome.SURVEY_ANSWERED, complaint
    return True


def _reply(row: InboundSms, *, phone: str, at: datetime) -> bool:
    complaint = reply_target_for_phone(phone=phone)
    if complaint is None:
        return False
    services.complaint_receive_reply(complaint=complaint, channel=ReplyChannel.SMS, message=row.text, at=at)
    row.outcome, row.complaint = InboundOutcome.REPLY, complaint
    return True


def _new_complaint(row: InboundSms, *, phone: str, at: datetime) -> None:
    details = inbound_complaint_details(
        previous=latest_complaint_for_phone(phone=phone),
        text=row.text,
        keep="complainant_email",
        stranger_name=lambda: _("SMS sender …%(last4)s") % {"last4": phone[-4:]},
    )
    if details is None:
        row.detail = _("No complaint from this number, and no waybill number in the text.")
        return
    complaint = services.complaint_create(
        actor=None,
        channel=Channel.SMS,
        description=row.text,
        complainant_phone=phone,
        contact_channel=ContactChannel.SMS,
        at=at,
        **details,
    )
    row.outcome, row.complaint = InboundOutcome.NEW_COMPLAINT, complaint


def inbound_complaint_details(
    *, previous: Complaint | None, text: str, keep: str, stranger_name: Callable[[], str]
) -> dict[str, Any] | None:
    """What a new complaint from an SMS or a mail that answers nothing open takes: the waybill the text names (else
    the sender's previous complaint's), that complaint's carrier when it is the same waybill and its category when
    no other waybill is named, and the complainant's name, other contact (`keep`) and language; from a stranger, the
    language the text is written in and `stranger_name()` said in it. None with neither a previous complaint nor a
    waybill: there is nothing to file."""
    waybill = _waybill_in(text)
    if previous is None and waybill is None:
        return None
    details = {
        "waybill_number": waybill or previous.waybill_number,
        "carrier": previous.carrier if previous is not None and waybill in (None, previous.waybill_number) else None,
        "category": previous.category if previous is not None and waybill is None else Category.OTHER,
    }
    if previous is not None:
        return details | {
            "complainant_name": previous.complainant_name,
            keep: getattr(previous, keep),
            "language": previous.language,
        }
    language = Language.ZH_HANS if _CJK.search(text) or not text.isascii() else Language.EN
    with translation.override(language):
        name = str(stranger_name())
    return details | {"complainant_name": name[:100], "language": language}


def _waybill_in(text: str) -> str | None:
    for candidate in _WAYBILL.findall(text_normalise(text)):
        try:
            validate_waybill_number(candidate)
        except ValidationError:
            continue
        return candidate.upper()
    return None


def sms_opt_out(
    *, phone: str, keyword: str = "", source: InboundSms | None = None, at: datetime | None = None
) -> SmsOptOut:
    """The number gets no more SMS: the outbox sends its messages by email where the complaint has an address, and
    holds the rest. Opting out again changes nothing."""
    opt_out, _created = SmsOptOut.objects.get_or_create(
        phone=phone, defaults={"opted_out_at": at or timezone.now(), "keyword": keyword, "source": source}
    )
    return opt_out


def sms_opt_in(*, phone: str) -> bool:
    """The number gets SMS again (from the next message on; messages held meanwhile stay held). Returns whether it
    had opted out."""
    deleted, _by_model = SmsOptOut.objects.filter(phone=phone).delete()
    return bool(deleted)
