"""One beat sends the schedule (config/beat.py): of two beats started together, one sends and the other stands by,
sends nothing, and takes over when the first is killed; a beat that stops cleanly releases the lock at once.

Real beat processes on the private Redis, each with its own schedule file (as on two machines), sending a task every
second (tests/faults/beat_settings.py); who sent each message is read from the messages left in the queue (their
`origin` header names the sender's pid)."""

import json
import os
import signal
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import redis

from config.beat import LOCK_KEY, FileBeatLock, RedisBeatLock
from tests.workers import CELERY, ROOT, START_TIMEOUT, stop_process_group, tail, wait_for

LOCK_SECONDS = 3


def start_beat(redis_server, folder: Path) -> tuple[subprocess.Popen, Path]:
    """A beat process with its own schedule file (as on its own machine) and a 3 s lock; its log."""
    folder.mkdir(parents=True)
    log = folder / "beat.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.faults.beat_settings",
        "REDIS_URL": redis_server.url(),
        "REDRESS_VAR_DIR": str(folder),  # its own schedule file, as a beat on another machine
        "REDRESS_BEAT_LOCK_SECONDS": str(LOCK_SECONDS),
        "PYTHONUNBUFFERED": "1",
    }
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(CELERY), "-A", "config.celery_app", "beat", "-l", "info"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return process, log


def senders(client: redis.Redis) -> Counter:
    """How many messages each process (pid) left in the default queue."""
    counts = Counter()
    for raw in client.lrange("celery", 0, -1):
        origin = json.loads(raw)["headers"]["origin"]  # "gen<pid>@<host>"
        counts[int(origin.split("@")[0].removeprefix("gen"))] += 1
    return counts


@pytest.mark.celery_worker
def test_of_two_beats_one_sends_the_other_stands_by_and_takes_over_when_the_first_is_killed(redis_server, tmp_path):
    client = redis.Redis.from_url(redis_server.url())
    # Given two beats started together (say on two machines)
    beats = [start_beat(redis_server, tmp_path / name) for name in ("one", "two")]
    try:

        def roles():
            holding = [(p, log) for p, log in beats if "holds the Redis key" in tail(log)]
            standing = [(p, log) for p, log in beats if "this beat stands by" in tail(log)]
            return (holding[0], standing[0]) if len(holding) == len(standing) == 1 else None

        (first, first_log), (second, second_log) = wait_for(
            roles, START_TIMEOUT, "one beat to hold the lock and the other to stand by", *(log for _, log in beats)
        )
        wait_for(lambda: senders(client)[first.pid] >= 3, 10, "three sends", first_log)

        # Then only the holder sends, and the other says who holds the lock
        assert set(senders(client)) == {first.pid}
        assert f"pid {first.pid}" in tail(second_log)

        # When the holder is killed (no chance to release the lock)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        sent_by_first = senders(client)[first.pid]

        # Then the other takes over once the lock expires, and sends the schedule
        wait_for(
            lambda: senders(client)[second.pid] >= 2, LOCK_SECONDS + 15, "the second beat to take over", second_log
        )
        assert "holds the Redis key" in tail(second_log)
        assert senders(client)[first.pid] == sent_by_first

        # And when it stops cleanly it releases the lock at once (a beat started next would not wait)
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=20)
        assert client.get(LOCK_KEY) is None, tail(second_log)
        assert "released the Redis key" in tail(second_log)
    finally:
        for process, _log in beats:
            stop_process_group(process)
        client.close()


@pytest.mark.celery_worker
def test_the_redis_lock_is_held_by_one_beat_renewed_by_it_and_free_after_it_expires(redis_server):
    one = RedisBeatLock(redis_server.url(), ttl_seconds=1)
    other = RedisBeatLock(redis_server.url(), ttl_seconds=1)
    try:
        assert one.hold() and not other.hold()
        assert one.holder() == one.token
        assert one.hold(), "the holder renews it"
        # Not renewed for longer than its time to live: free for the other
        wait_for(other.hold, 5, "the lock to expire")
        assert not one.hold()
        other.release()
        assert one.hold()
    finally:
        one.release()
        other.release()


def test_the_file_lock_is_held_by_one_beat_until_it_lets_go(tmp_path):
    one, other = FileBeatLock(tmp_path / "beat.lock"), FileBeatLock(tmp_path / "beat.lock")
    assert one.hold() and not other.hold()
    assert one.hold()
    assert other.holder() == one.token
    one.release()
    assert other.hold()
    other.release()
