"""The outbox honours SMS opt-outs (TD / 退订 / STOP, complaints/inbound): an SMS to a number that opted out is sent
by email when its complaint has an email address, and otherwise held (state "held", never sent; the admin shows it
with why)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from complaints.choices import MessageChannel, MessageState
from complaints.inbound.selectors import sms_opted_out
from complaints.models import OutboundMessage

SEND = "send"
REROUTED = "rerouted"
HELD = "held"


def sms_opt_out_apply(message: OutboundMessage) -> str:
    """Before an SMS goes: SEND (not an SMS, or the number has not opted out), REROUTED (it is an email now, to the
    complaint's address: send it as such) or HELD (nowhere to send it; saved as held)."""
    if message.channel != MessageChannel.SMS or not sms_opted_out(phone=message.recipient):
        return SEND
    complaint = message.complaint
    if complaint is not None and complaint.complainant_email:
        message.channel, message.recipient = MessageChannel.EMAIL, complaint.complainant_email
        OutboundMessage.objects.filter(pk=message.pk).update(channel=message.channel, recipient=message.recipient)
        return REROUTED
    with translation.override(settings.LANGUAGE_CODE):  # for the staff who read it in the admin
        reason = _("Not sent: %(phone)s opted out of SMS and the complaint has no email address.") % {
            "phone": message.recipient
        }
    OutboundMessage.objects.filter(pk=message.pk).update(state=MessageState.HELD, last_error=reason)
    message.state = MessageState.HELD
    return HELD
