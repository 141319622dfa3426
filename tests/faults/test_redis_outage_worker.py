"""A worker holding a countdown task (unacknowledged, in its memory: the nudge's trailing dispatcher run) keeps running
through a Redis outage, and afterwards runs both a new task and the one it held, without being restarted.

Without config/broker_outage.py the worker exits in the first test (`Unrecoverable error: AttributeError("'NoneType'
object has no attribute 'hostname'")` from kombu's restore_unacked; see that module for the cause), and without its
redelivery step the held task waits an hour. The second test (connections cut, Redis up) passes without the module too:
kombu puts the held message back at once there, and the test checks that it still runs only once.
"""

import time

import pytest
import redis

from tests.workers import logged, pings, tail, wait_for

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    # serialized_rollback like every transactional test here: mixing the two kinds breaks the flush (Django #23727).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DISPATCH = "redress.dispatch_outbox"
# Long enough that the task is still held when the outage starts; it may come due during the outage.
COUNTDOWN = 20
OUTAGE_SECONDS = 10


def _hold_a_countdown_task(control_app, redis_server, worker) -> str:
    held = control_app.send_task(DISPATCH, queue=worker.queue, countdown=COUNTDOWN).id
    wait_for(lambda: logged(worker.log, held, "received"), 15, "the worker to receive the countdown task", worker.log)
    unacked = redis.Redis.from_url(redis_server.url())
    wait_for(lambda: unacked.hlen("unacked") == 1, 5, "the task to be held unacknowledged", worker.log)
    unacked.close()
    return held


def _after_the_outage(control_app, redis_server, worker, held: str, pid: int) -> None:
    wait_for(lambda: pings(control_app, worker.nodename), 45, "the worker to answer again after the outage", worker.log)
    fresh = control_app.send_task(DISPATCH, queue=worker.queue).id
    wait_for(lambda: logged(worker.log, fresh, "succeeded"), 20, "the worker to run a new task", worker.log)
    wait_for(
        lambda: logged(worker.log, held, "succeeded"), COUNTDOWN + 20, "the worker to run the task it held", worker.log
    )
    # The same process all along: nothing restarted it.
    assert worker.process.poll() is None and worker.process.pid == pid
    assert "Unrecoverable error" not in tail(worker.log, 10**8)
    assert logged(worker.log, held, "succeeded") == 1, "the held task ran twice"
    client = redis.Redis.from_url(redis_server.url())
    wait_for(lambda: client.hlen("unacked") == 0, 10, "nothing to be left unacknowledged", worker.log)
    client.close()


def test_a_worker_holding_a_countdown_task_survives_redis_stopped_for_a_while(control_app, redis_server, worker):
    held = _hold_a_countdown_task(control_app, redis_server, worker)
    pid = worker.process.pid

    redis_server.stop()
    deadline = time.monotonic() + OUTAGE_SECONDS
    while time.monotonic() < deadline:
        assert worker.process.poll() is None, f"the worker died during the outage:\n{tail(worker.log)}"
        time.sleep(0.5)
    redis_server.start()

    _after_the_outage(control_app, redis_server, worker, held, pid)


def test_a_worker_holding_a_countdown_task_survives_its_broker_connections_being_cut(control_app, redis_server, worker):
    # Redis stays up; the worker's connections are closed under it (a network blip, a proxy or failover reset).
    held = _hold_a_countdown_task(control_app, redis_server, worker)
    pid = worker.process.pid

    client = redis.Redis.from_url(redis_server.url())
    killed = client.client_kill_filter(_type="normal", skipme=True) + client.client_kill_filter(_type="pubsub")
    client.close()
    assert killed >= 1

    _after_the_outage(control_app, redis_server, worker, held, pid)
