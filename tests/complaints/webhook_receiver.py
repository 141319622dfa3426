"""A carrier's webhook receiver for the tests: a real HTTP server on 127.0.0.1 in a thread, which records every
request and answers with the status codes it is told to (200 once the list runs out).

`verify_like_a_receiver` is the recipe of docs/webhooks.md, written without any Redress code."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer_with(self, *codes: int) -> None:
        with self.lock:
            self.statuses[:] = list(codes)


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with receiver.lock:
                receiver.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
            payload = b'{"ok": true}' if status < 300 else b"receiver says no" * 100
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):  # keep the test output clean
            pass

    return Handler


@pytest.fixture
def receiver():
    rec = Receiver(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(rec))
    host, port = server.server_address[:2]
    rec.url = f"http://{host}:{port}/redress/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield rec
    finally:
        server.shutdown()
        server.server_close()


def verify_like_a_receiver(*, secret: str, signature_header: str, raw_body: bytes, tolerance: int = 300,
                           now: float | None = None) -> bool:
    """Split `t=…,v1=…`, recompute HMAC-SHA256(secret, "<t>." + raw body), compare in constant time, and refuse a
    timestamp more than five minutes away from now."""
    items = dict(part.split("=", 1) for part in signature_header.split(","))
    timestamp = int(items["t"])
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, items["v1"])
