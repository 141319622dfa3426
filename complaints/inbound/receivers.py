"""The edge for a provider's inbound webhook: django-anymail verifies the provider's signature, parses the POST and
sends its `inbound` signal; this receiver turns the message into an InboundMail and calls the service. Connected in
ComplaintsConfig.ready()."""

from __future__ import annotations

from complaints.inbound.email import inbound_email_receive
from complaints.inbound.mail import mail_from_message
from complaints.inbound.models import EmailSource


def anymail_inbound(sender, event, esp_name: str, **kwargs) -> None:
    message = event.message
    mail = mail_from_message(message, envelope_recipient=getattr(message, "envelope_recipient", None))
    inbound_email_receive(mail=mail, source=EmailSource(esp_name.lower()))
