"""Where webhooks may go: public internet addresses only. A URL on a literal private address (or localhost) is refused
when the endpoint is saved; every delivery is checked again when its connection is made (complaints.outbound_http, on
requests-hardened), where host names are resolved once and the address checked is the address connected to."""

from __future__ import annotations

import ipaddress
import urllib.parse

from django.conf import settings
from django.utils.translation import gettext as _


def webhook_url_refusal(url: str) -> str:
    """Why an endpoint may not be saved with `url` ("" if it may): only public internet addresses, unless
    REDRESS_WEBHOOK_ALLOW_PRIVATE_HOSTS. Only a literal IP or localhost is judged here (saving must not depend on
    DNS); names are checked at connect time."""
    if settings.REDRESS_WEBHOOK_ALLOW_PRIVATE_HOSTS:
        return ""
    host = (urllib.parse.urlsplit(url).hostname or "").rstrip(".").lower()
    if not host:
        return _("The URL has no host.")
    if host == "localhost" or host.endswith(".localhost"):
        return address_refusal(host, "127.0.0.1")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return ""
    return "" if address.is_global else address_refusal(host, str(address))


def address_refusal(host: str, address: str) -> str:
    """The reason given when `host` is, or resolved to, a private, loopback or reserved `address`."""
    return _("%(host)s is a private, loopback or reserved address (%(address)s); webhooks go to the internet only.") % {
        "host": host,
        "address": address,
    }
