"""Real processes for tests: a private redis-server that can be stopped and started again, and Celery workers.

The worker is started the way tests/complaints/test_celery_worker.py starts it: `celery -A config.celery_app worker`
as a subprocess with the test settings, its own queue and node name, reading the database pytest-django created (the
test commits its rows with a transactional database). Tasks are sent by name through a bare Celery app on the private
Redis (`control_app`), so that moving a task's module changes nothing here.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
CELERY = Path(sys.executable).parent / "celery"
START_TIMEOUT = 30


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tail(path: Path | None, size: int = 6000) -> str:
    return path.read_text(errors="replace")[-size:] if path and path.exists() else ""


def wait_for(condition: Callable, timeout: float, what: str, *logs: Path, interval: float = 0.25):
    """Poll `condition` until it returns something truthy (returned); fail with the logs' tails after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    tails = "".join(f"\n--- {log.name} ---\n{tail(log)}" for log in logs)
    pytest.fail(f"timed out after {timeout}s waiting for {what}{tails}")


def worker_database_url() -> str:
    """A DATABASE_URL for the database pytest-django created (test_...), where the test commits its rows."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s.get("HOST") or "localhost"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{s['NAME']}"


class RedisServer:
    """A redis-server of our own on a free port, its data in `folder`.

    It keeps an append-only file, as docker-compose.yml's Redis does, so what was queued (and what a worker held
    unacknowledged) is still there after `stop()` and `start()`: a Redis restart, not a Redis wipe.
    """

    def __init__(self, folder: Path):
        self.binary = shutil.which("redis-server")
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.log = folder / "redis.log"
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None, "already running"
        command = [
            self.binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.folder),
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--logfile",
            str(self.log),
        ]
        self.process = subprocess.Popen(command, cwd=self.folder, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_for(self.ping, 10, f"redis-server on port {self.port}", self.log, interval=0.05)

    def stop(self) -> None:
        """SIGTERM: Redis's own shutdown (the append-only file is complete), as `docker compose stop redis`."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


def worker_env(broker_url: str, **extra: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": broker_url,
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def worker_command(queue: str, nodename: str, *options: str, concurrency: int = 1) -> list[str]:
    """The worker as `make run` and docker-compose.yml run it (prefork pool, mingle and gossip on), on our queue
    only; `options` are added (e.g. "--without-mingle" when other workers share the Redis database)."""
    return [
        str(CELERY),
        "-A",
        "config.celery_app",
        "worker",
        "-l",
        "info",
        "-c",
        str(concurrency),
        "-n",
        nodename,
        "-Q",
        queue,
        *options,
    ]


def new_names() -> tuple[str, str]:
    token = uuid.uuid4().hex[:12]
    return f"redress-test-{token}", f"redress-test-{token}@localhost"


def pings(control_app, nodename: str, timeout: float = 0.5) -> bool:
    try:
        return bool(control_app.control.ping(destination=[nodename], timeout=timeout))
    except Exception:  # the broker is down: no answer
        return False


def logged(log: Path, task_id: str, what: str) -> int:
    """How many of the worker's log lines say task `task_id` was `what` ("received", "succeeded")."""
    return sum(task_id in line and what in line for line in tail(log, 10**8).splitlines())


def stop_process_group(process: subprocess.Popen, timeout: float = 20) -> None:
    """TERM to the process's group (started with start_new_session=True), then KILL to whatever is left in it
    (pool processes whose parent was killed, a leader that did not stop)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=5)


def children_of(pid: int) -> list[int]:
    """Direct children of `pid` (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            pass
    return found
