"""Where webhooks may go: public internet addresses only (checked when an endpoint is saved and again at send
time)."""

from __future__ import annotations

import ipaddress
import socket
import urllib.parse

from django.conf import settings
from django.utils.translation import gettext as _


def webhook_url_refusal(url: str, *, resolve: bool) -> str:
    """Why a webhook may not be sent to `url` ("" if it may): only public internet addresses, unless
    REDRESS_WEBHOOK_ALLOW_PRIVATE_HOSTS. With `resolve`, the host name is looked up and every address checked (at send
    time); without, only a literal IP or localhost is judged (at save time, which must not depend on DNS)."""
    if settings.REDRESS_WEBHOOK_ALLOW_PRIVATE_HOSTS:
        return ""
    host = (urllib.parse.urlsplit(url).hostname or "").rstrip(".").lower()
    if not host:
        return _("The URL has no host.")
    if host == "localhost" or host.endswith(".localhost"):
        addresses = ["127.0.0.1"]
    else:
        try:
            addresses = [str(ipaddress.ip_address(host))]
        except ValueError:
            if not resolve:
                return ""
            try:
                addresses = sorted({info[4][0] for info in socket.getaddrinfo(host, None)})
            except OSError as error:
                return _("The host %(host)s could not be resolved: %(error)s") % {"host": host, "error": error}
    for address in addresses:
        if not ipaddress.ip_address(address.split("%")[0]).is_global:
            return _(
                "%(host)s is a private, loopback or reserved address (%(address)s); webhooks go to the internet only."
            ) % {"host": host, "address": address}
    return ""
