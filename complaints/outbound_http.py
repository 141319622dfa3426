"""Outbound HTTP (webhooks to carriers, the SMS gateway) on requests-hardened: redirects are never followed, every
request has a connect and a read timeout, and, where asked, the address is checked when the connection is made.

The IP filter resolves the host name once and connects to the address it checked, so a name that changes its address
between a check and the connection (DNS rebinding) cannot reach this network: private, loopback, link-local,
carrier-grade NAT and reserved ranges are refused at connect time with `AddressRefused`.
"""

from __future__ import annotations

import requests
import requests_hardened
from requests_hardened.ip_filter import InvalidIPAddress

# A connection that is not made within this many seconds fails (the read timeout is the caller's).
CONNECT_TIMEOUT_SECONDS = 5.0


AddressRefused = InvalidIPAddress


def http_session(*, timeout_seconds: float, filter_private_addresses: bool) -> requests.Session:
    """A session for one dispatcher run (connections to one host are reused). `timeout_seconds` bounds the
    connection (at most CONNECT_TIMEOUT_SECONDS) and each wait for the answer's bytes."""
    config = requests_hardened.Config(
        ip_filter_enable=filter_private_addresses,
        ip_filter_allow_loopback_ips=False,
        never_redirect=True,
        default_timeout=(min(CONNECT_TIMEOUT_SECONDS, timeout_seconds), timeout_seconds),
    )
    return requests_hardened.Manager(config).get_session()


def refused_address(error: BaseException) -> str:
    """The address the IP filter refused, if this error (or one it wraps) is its refusal; "" otherwise."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, InvalidIPAddress):
            return str(error)
        error = error.__cause__ or error.__context__
    return ""


def describe_failure(error: BaseException) -> str:
    """A short, readable reason for a failed request: the innermost cause that requests and urllib3 wrapped (a refused
    connection, a bad status line, a timeout), named, without the connection pool's description."""
    reason = error
    for _depth in range(6):
        inner = getattr(reason, "reason", None)
        if not isinstance(inner, BaseException):
            inner = next((arg for arg in reason.args if isinstance(arg, BaseException)), None)
        if inner is None or inner is reason:
            break
        reason = inner
    text = " ".join(str(reason).split())
    # urllib3 starts its messages with the connection's description, "HTTPConnection(host=…, port=…): …".
    if text.startswith(("HTTPConnection", "HTTPSConnection")) and "): " in text:
        text = text.split("): ", 1)[1]
    return f"{reason.__class__.__name__}: {text}" if text else reason.__class__.__name__
