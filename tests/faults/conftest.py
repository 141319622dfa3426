"""Fault injection with real processes: a private redis-server (its own port and folder, so the Redis that REDIS_URL
names and the other tests' workers are never disturbed) that a test stops and starts, and real Celery workers on it
that read the test's PostgreSQL database. Skipped, saying why, when redis-server is not installed."""

import os
import shutil
import signal
import subprocess
import time
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


class Workers:
    """Real workers on the private Redis, each its own process group: `start()` several (they boot together), then
    `wait_answering()`; all are stopped at the end of the test."""

    def __init__(self, redis_server, control_app, folder):
        self.redis_server, self.control_app, self.folder = redis_server, control_app, folder
        self.started: list[SimpleNamespace] = []

    def start(self, name: str, queues: str, *, concurrency: int = 1, **env: str) -> SimpleNamespace:
        """A worker consuming `queues` (comma-separated, as -Q takes them); `env` is added to its environment."""
        _queue, nodename = new_names()
        log = self.folder / f"worker-{name}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(
                worker_command(queues, nodename, "--without-mingle", "--without-gossip", concurrency=concurrency),
                cwd=ROOT,
                env=worker_env(self.redis_server.url(), **env),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = SimpleNamespace(name=name, process=process, queues=queues, nodename=nodename, log=log)
        self.started.append(worker)
        return worker

    def wait_answering(self) -> None:
        for worker in self.started:

            def answers(worker=worker):
                if worker.process.poll() is not None:
                    pytest.fail(f"worker {worker.name} exited with {worker.process.returncode}:\n{tail(worker.log)}")
                return pings(self.control_app, worker.nodename)

            wait_for(answers, START_TIMEOUT, f"worker {worker.name} to answer a ping", worker.log)

    def stop_all(self, grace: float = 5) -> None:
        """TERM to every worker's group at once (a warm shutdown finishes the running task), KILL after `grace`."""
        for worker in self.started:
            try:
                os.killpg(worker.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace
        for worker in self.started:
            try:
                worker.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                pass
            stop_process_group(worker.process, timeout=1)


@pytest.fixture
def workers(transactional_db, redis_server, control_app, tmp_path):
    """Start several real workers (Workers.start); stopped at the end, without waiting long for slow tasks."""
    pool = Workers(redis_server, control_app, tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()
