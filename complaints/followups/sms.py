"""SMS backends, chosen by settings.REDRESS_SMS_BACKEND. Each has send(to, body, message_id) -> provider id, raises
TransientSendError for failures worth retrying and PermanentSendError for a message that can never go. Anything else a
backend raises is treated as transient by the dispatcher (logged, retried, then failed).

The message id is stable across retries: a backend whose provider accepts an idempotency key passes
`idempotency_key(message_id)`, so a message sent again after a crash is dropped by the provider (docs/messages.md)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import requests
from django.conf import settings
from django.utils.module_loading import import_string

from complaints.outbound_http import describe_failure, http_session

logger = logging.getLogger(__name__)


def idempotency_key(message_id: int) -> str:
    """The same for every attempt of one message: `redress-<id>`."""
    return f"redress-{message_id}"


class TransientSendError(Exception):
    """The provider could not take the message now; try again later."""


class PermanentSendError(Exception):
    """The message can never be sent as it is (bad number, rejected content)."""


class ConsoleBackend:
    def send(self, *, to: str, body: str, message_id: int) -> str:
        print(f"[sms to {to}] {body}")  # noqa: T201 - the console backend prints, by design
        return f"console-{message_id}"


class FileBackend:
    """Appends each SMS as a JSON line to a file per day: what would have been sent, for demos and tests."""

    def send(self, *, to: str, body: str, message_id: int) -> str:
        folder = Path(settings.REDRESS_SMS_FILE_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        now = datetime.now(UTC)
        line = json.dumps({"id": message_id, "to": to, "body": body, "at": now.isoformat()}, ensure_ascii=False)
        with open(folder / f"sms-{now:%Y%m%d}.jsonl", "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
        return f"file-{message_id}"


class HttpGatewayBackend:
    """POSTs {"to", "body", "idempotency_key"} as JSON to an SMS gateway (the key also as the Idempotency-Key header);
    expects {"id": ...} back. 5xx, 429, redirects (never followed) and network errors are transient; other 4xx are
    permanent. A 2xx whose body is not the expected JSON was accepted all the same: sent, without a provider id.

    The gateway's URL is the operator's setting, not a partner's input, so it may be on the private network; the
    client is the hardened one all the same (no redirects, timeouts)."""

    timeout = 10

    def send(self, *, to: str, body: str, message_id: int) -> str:
        key = idempotency_key(message_id)
        session = http_session(timeout_seconds=self.timeout, filter_private_addresses=False)
        try:
            with (
                session,
                session.post(
                    settings.REDRESS_SMS_GATEWAY_URL,
                    json={"to": to, "body": body, "idempotency_key": key},
                    headers={"Authorization": f"Bearer {settings.REDRESS_SMS_GATEWAY_TOKEN}", "Idempotency-Key": key},
                ) as response,
            ):
                status, content = response.status_code, response.content
        except requests.RequestException as error:
            raise TransientSendError(f"gateway unreachable: {describe_failure(error)}") from error
        if 300 <= status < 400 or status >= 500 or status == 429:
            raise TransientSendError(f"gateway answered {status}")
        if status >= 400:
            raise PermanentSendError(f"gateway refused the message: {status}")
        try:
            answer = json.loads(content or b"{}")
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            logger.warning("SMS gateway accepted message %s (HTTP %s) with an unreadable answer", message_id, status)
            return ""
        return str(answer.get("id", ""))


def get_backend():
    return import_string(settings.REDRESS_SMS_BACKEND)()
