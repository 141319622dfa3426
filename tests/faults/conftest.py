"""Fault injection with real processes: a private redis-server (its own port and folder, so the Redis that REDIS_URL
names and the other tests' workers are never disturbed) that a test stops and starts, and real Celery workers on it
that read the test's PostgreSQL database. Skipped, saying why, when redis-server is not installed."""

import shutil
import subprocess
from types import SimpleNamespace

import pytest
from celery import Celery

from tests.workers import (
    ROOT,
    START_TIMEOUT,
    RedisServer,
    new_names,
    pings,
    stop_process_group,
    tail,
    wait_for,
    worker_command,
    worker_env,
)


@pytest.fixture
def redis_server(tmp_path):
    """A running redis-server of our own; `stop()` and `start()` it to make an outage."""
    if not shutil.which("redis-server"):
        pytest.skip("needs the redis-server binary on the PATH (the fault tests start their own Redis)")
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def control_app(redis_server):
    """A bare Celery app on the private Redis, to send tasks by name and ping workers."""
    app = Celery("redress-faults-control", broker=redis_server.url(), set_as_current=False)
    app.conf.broker_connection_timeout = 2
    yield app
    app.close()


@pytest.fixture
def worker(transactional_db, redis_server, control_app, tmp_path):
    """A real worker process on the private Redis (own queue and node name), answering pings; stopped with its pool
    processes at the end."""
    queue, nodename = new_names()
    log = tmp_path / "worker.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            worker_command(queue, nodename),
            cwd=ROOT,
            env=worker_env(redis_server.url()),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:

        def answers():
            if process.poll() is not None:
                pytest.fail(f"the worker exited with {process.returncode}:\n{tail(log)}")
            return pings(control_app, nodename)

        wait_for(answers, START_TIMEOUT, "the worker to answer a ping", log)
        yield SimpleNamespace(process=process, queue=queue, nodename=nodename, log=log)
    finally:
        stop_process_group(process)
