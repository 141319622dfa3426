"""The web as production runs it, for tests that need a real HTTP server: gunicorn serving config.wsgi in a
subprocess, on a free port, reading the database pytest-django created (the test commits its rows with a
transactional database). Used where Django's test client cannot go: chunked request bodies, a Redis outage seen by
a running web process."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).parent / "gunicorn"
START_TIMEOUT = 30


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_database_url() -> str:
    """A DATABASE_URL for the test database (test_...), where a transactional test commits its rows."""
    s = connection.settings_dict
    auth = s["USER"] or ""
    if s.get("PASSWORD"):
        auth += ":" + s["PASSWORD"]
    host = s.get("HOST") or "localhost"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{s['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


class WebServer:
    """gunicorn on 127.0.0.1:<free port> with one sync worker (so per-process state, such as the rate-limit fallback,
    is the state every request sees). `env` is added to this process's environment."""

    def __init__(self, log: Path, *, env: dict[str, str], settings: str = "config.settings.test"):
        self.port = _free_port()
        self.log = log
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings,
            "DATABASE_URL": test_database_url(),
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            str(GUNICORN),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            "1",
            "--timeout",
            "60",
            "--access-logfile",
            "-",
        ]
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited with {self.process.returncode}:\n{self.tail()}")
            try:
                if self.request("GET", "/healthz", timeout=5)[0] in (200, 503):
                    return
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"gunicorn did not answer within {START_TIMEOUT}s:\n{self.tail()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def tail(self, size: int = 6000) -> str:
        return self.log.read_text(errors="replace")[-size:] if self.log.exists() else ""

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        *,
        chunked: bool = False,
        timeout: float = 30,
    ) -> tuple[int, dict, bytes]:
        """One request on a new connection: (status, headers, body). `chunked` sends the body with
        Transfer-Encoding: chunked and no Content-Length, in chunks of 1,000 bytes."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            if chunked:
                conn.putrequest(method, path)
                for name, value in (headers or {}).items():
                    conn.putheader(name, value)
                conn.putheader("Transfer-Encoding", "chunked")
                conn.endheaders()
                data = body or b""
                for start in range(0, len(data), 1000):
                    piece = data[start : start + 1000]
                    conn.send(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                conn.send(b"0\r\n\r\n")
            else:
                conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def json(self, method: str, path: str, payload=None, headers: dict[str, str] | None = None, **options):
        body = json.dumps(payload).encode() if payload is not None else None
        headers = {"Content-Type": "application/json", **(headers or {})}
        status, response_headers, content = self.request(method, path, body, headers, **options)
        return status, response_headers, json.loads(content) if content else None
