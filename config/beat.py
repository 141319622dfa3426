"""One beat sends the schedule, however many are started (two hosts, `docker compose up --scale beat=2`, a beat
restarted while the old one still runs).

`LockedScheduler` (settings.CELERY_BEAT_SCHEDULER) is celery's PersistentScheduler that sends only while it holds a
lock, checked before every pass over the schedule:

- with Redis as the broker, a key in the broker's Redis (`redress:beat:lock`) set with SET NX and a time to live of
  REDRESS_BEAT_LOCK_SECONDS, renewed by its holder at least every third of that. A second beat finds it taken, logs
  who holds it and stands by, trying again as often; it takes over when the holder stops (a clean stop deletes the
  key) or dies (the key expires). A beat that cannot reach Redis sends nothing anyway, and stops counting itself the
  holder until it has renewed the key again;
- with the filesystem broker (`make run` without REDIS_URL), which only works on one machine, an exclusive `flock`
  on `beat.lock` in the broker's folder, released by the kernel when the process ends.

Every task beat sends is idempotent (sweeps claim rows with SKIP LOCKED, the outbox and the weekly email are unique),
so the lock is about not doing the work twice, and about a clear answer to "which beat is sending?": the log says.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import uuid
from pathlib import Path

import redis
from celery.beat import PersistentScheduler
from django.conf import settings

logger = logging.getLogger(__name__)

LOCK_KEY = "redress:beat:lock"

# Renew the key only if this beat still holds it; delete it only if this beat holds it.
_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class RedisBeatLock:
    """A key with a time to live in the broker's Redis; its value names the holder (host, pid)."""

    def __init__(self, url: str, *, ttl_seconds: float, key: str = LOCK_KEY):
        self.client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.key = key
        self.ttl_ms = max(int(ttl_seconds * 1000), 1000)
        self.token = f"{socket.gethostname()} pid {os.getpid()} ({uuid.uuid4().hex[:8]})"

    def hold(self) -> bool:
        """Renew the lock if this beat holds it, else take it if it is free; True when this beat holds it now for
        a full time to live."""
        if self.client.eval(_RENEW, 1, self.key, self.token, self.ttl_ms):
            return True
        return bool(self.client.set(self.key, self.token, nx=True, px=self.ttl_ms))

    def holder(self) -> str:
        value = self.client.get(self.key)
        return value.decode() if value else "nobody"

    def release(self) -> None:
        self.client.eval(_RELEASE, 1, self.key, self.token)
        self.client.close()

    def __str__(self) -> str:
        return f"Redis key {self.key}"


class FileBeatLock:
    """An exclusive flock on a file: every beat sharing the filesystem broker's folder (one machine) shares it."""

    def __init__(self, path: Path):
        self.path = path
        self.handle = None
        self.token = f"{socket.gethostname()} pid {os.getpid()}"

    def hold(self) -> bool:
        if self.handle is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # kept open for as long as the lock is held
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.truncate(0)
        handle.write(self.token + "\n")
        handle.flush()
        self.handle = handle
        return True

    def holder(self) -> str:
        try:
            return self.path.read_text().strip() or "another beat"
        except OSError:
            return "another beat"

    def release(self) -> None:
        if self.handle is not None:
            self.handle.close()  # closing the file releases the lock
            self.handle = None

    def __str__(self) -> str:
        return f"file lock {self.path}"


def beat_lock(broker_url: str, *, ttl_seconds: float) -> RedisBeatLock | FileBeatLock | None:
    """The lock for this broker: Redis for a Redis broker, a file for the filesystem broker, none otherwise."""
    if broker_url.startswith(("redis://", "rediss://", "unix://")):
        return RedisBeatLock(broker_url, ttl_seconds=ttl_seconds)
    if broker_url.startswith("filesystem://"):
        return FileBeatLock(Path(settings.BROKER_DIR) / "beat.lock")
    return None


class LockedScheduler(PersistentScheduler):
    """PersistentScheduler that sends the schedule only while it holds the beat lock (see the module docstring)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lock_seconds = float(settings.REDRESS_BEAT_LOCK_SECONDS)
        # Renew (and, standing by, retry) three times per time to live, so one late tick never loses the lock.
        self.check_every = max(self.lock_seconds / 3, 0.5)
        self._lock = None
        self._lock_built = False
        self.holding: bool | None = None  # None until the first check

    @property
    def lock(self) -> RedisBeatLock | FileBeatLock | None:
        if not self._lock_built:
            self._lock_built = True
            self._lock = beat_lock(self.app.conf.broker_url or "", ttl_seconds=self.lock_seconds)
            if self._lock is None:
                logger.warning("Beat lock: none for this broker; every beat started will send the schedule.")
        return self._lock

    def tick(self, *args, **kwargs):
        lock = self.lock
        if lock is None:
            return super().tick(*args, **kwargs)
        try:
            holding = lock.hold()
            holder = None if holding else lock.holder()
        except Exception as error:  # the broker is unreachable: nothing could be sent anyway
            if self.holding is not False:
                logger.warning("Beat lock: cannot reach the %s (%s); sending nothing until it answers.", lock, error)
            self.holding = False
            return self.check_every
        if holding and self.holding is not True:
            logger.info(
                "Beat lock: this beat (%s) holds the %s and sends the schedule (renewed every %g s).",
                lock.token,
                lock,
                self.check_every,
            )
        elif not holding and self.holding is not False:
            logger.warning(
                "Beat lock: the %s is held by %s; this beat stands by and takes over when it is released or expires "
                "(checked every %g s).",
                lock,
                holder,
                self.check_every,
            )
        self.holding = holding
        if not holding:
            return self.check_every
        interval = super().tick(*args, **kwargs)
        return interval if interval is None else min(interval, self.check_every)

    def close(self):
        try:
            if self._lock is not None and self.holding:
                self.holding = False
                self._lock.release()
                logger.info("Beat lock: released the %s.", self._lock)
        except Exception:  # the key expires by itself
            logger.warning("Beat lock: could not release the %s; it expires by itself.", self._lock, exc_info=True)
        finally:
            super().close()
