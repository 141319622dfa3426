"""`make run` keeps its worker and beat under scripts/supervise.sh: a worker killed with SIGKILL is started again
(a real worker on the private Redis), and a TERM to the group stops it for good."""

import os
import signal
import subprocess

import pytest

from tests.workers import (
    ROOT,
    START_TIMEOUT,
    children_of,
    logged,
    new_names,
    pings,
    stop_process_group,
    tail,
    wait_for,
    worker_command,
    worker_env,
)

SUPERVISE = ROOT / "scripts" / "supervise.sh"


def test_make_run_supervises_the_worker_and_beat_but_not_the_web_server():
    script = (ROOT / "scripts" / "run_local.sh").read_text()
    assert 'start worker scripts/supervise.sh worker "$BIN/celery" -A config.celery_app worker' in script
    assert 'start beat scripts/supervise.sh beat "$BIN/celery" -A config.celery_app beat' in script
    # A web server that cannot start (port taken) still stops `make run` instead of being retried for ever.
    assert 'start web "$BIN/python" manage.py runserver' in script


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_killed_worker_is_started_again_and_a_term_stops_it_for_good(redis_server, control_app, tmp_path):
    queue, nodename = new_names()
    log = tmp_path / "supervised.log"
    with open(log, "wb") as out:
        # Its own process group, as run_local.sh gives it, so the TERM below reaches supervise.sh and the worker.
        supervisor = subprocess.Popen(
            [str(SUPERVISE), "worker", *worker_command(queue, nodename)],
            cwd=ROOT,
            env=worker_env(redis_server.url(), SUPERVISE_MAX_DELAY="1"),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(lambda: pings(control_app, nodename), START_TIMEOUT, "the supervised worker to answer", log)
        [first] = children_of(supervisor.pid)

        os.kill(first, signal.SIGKILL)
        wait_for(
            lambda: "worker was killed by signal 9; starting it again" in tail(log),
            10,
            "supervise.sh to notice the kill",
            log,
        )
        second = wait_for(
            lambda: [pid for pid in children_of(supervisor.pid) if pid != first], 10, "a new worker process", log
        )
        wait_for(lambda: pings(control_app, nodename), START_TIMEOUT, "the new worker to answer", log)
        task = control_app.send_task("redress.dispatch_outbox", queue=queue).id
        wait_for(lambda: logged(log, task, "succeeded"), 20, "the new worker to run a task", log)

        # TERM to the group, as run_local.sh's Ctrl-C handling sends INT: the worker shuts down, nothing restarts it.
        os.killpg(supervisor.pid, signal.SIGTERM)
        supervisor.wait(timeout=30)
        assert not any(os.path.exists(f"/proc/{pid}") for pid in second), "the worker outlived supervise.sh"
        assert tail(log, 10**8).count("starting it again") == 1
    finally:
        stop_process_group(supervisor)
