"""An SMS backend for real-worker tests, importable by the worker (REDRESS_SMS_BACKEND): the file backend, taking a
while per message as a gateway does, so that several dispatchers are sending at the same time."""

import os
import time

from complaints.followups.sms import FileBackend


class SlowFileBackend(FileBackend):
    """FileBackend after REDRESS_TEST_SMS_SECONDS (default 0.05) per message."""

    def send(self, *, to: str, body: str, message_id: int) -> str:
        time.sleep(float(os.environ.get("REDRESS_TEST_SMS_SECONDS", "0.05")))
        return super().send(to=to, body=body, message_id=message_id)
