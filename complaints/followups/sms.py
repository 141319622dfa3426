"""SMS backends, chosen by settings.REDRESS_SMS_BACKEND. Each has send(to, body, message_id) -> provider id, and
raises TransientSendError for failures worth retrying (anything else is permanent)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string


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
    """POSTs {"to", "body", "idempotency_key"} as JSON to an SMS gateway; expects {"id": ...} back.
    5xx, 429 and network errors are transient; other 4xx are permanent."""

    timeout = 10

    def send(self, *, to: str, body: str, message_id: int) -> str:
        payload = json.dumps({"to": to, "body": body, "idempotency_key": f"redress-{message_id}"}).encode()
        request = urllib.request.Request(
            settings.REDRESS_SMS_GATEWAY_URL,
            data=payload,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.REDRESS_SMS_GATEWAY_TOKEN}",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return str(json.loads(response.read() or b"{}").get("id", ""))
        except urllib.error.HTTPError as error:
            if error.code >= 500 or error.code == 429:
                raise TransientSendError(f"gateway answered {error.code}") from error
            raise PermanentSendError(f"gateway refused the message: {error.code}") from error
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            raise TransientSendError(f"gateway unreachable: {error}") from error


def get_backend():
    return import_string(settings.REDRESS_SMS_BACKEND)()
