"""Keep the Celery worker, and the tasks it holds, through a Redis outage (issue 10).

The cause, with celery 5.7.0 and kombu 5.7.0 (the newest releases; celery's main branch still does this): when the
worker's consumer loses Redis it calls `connection.collect()` and then, new in celery 5.7.0 (celery#10242),
`connection.close()`. collect() tries to close the consuming channel, gives up at its first read from the dead socket (a
connection error, ignored), and then detaches the transport (`transport.client = None`); the channel stays open and is
still the connection's default channel. close() closes that channel a second time, and a channel that holds
unacknowledged messages (a countdown/ETA task waiting in the worker, such as the nudge's trailing dispatcher run; a
running acks_late task) puts them back in the queue first. That needs a new Redis connection pool, built from
`transport.client.hostname`: AttributeError on None. It is not a connection error, so neither kombu nor celery ignores
it, and the worker exits with `Unrecoverable error: AttributeError("'NoneType' object has no attribute 'hostname'")`. A
worker holding nothing survives, which is why the failure needed a held task to show.

Pinning celery 5.6.3 (no second close) is not the way out: it brings back what celery#10242 fixed (cleanup that
could block on the dead socket) and still leaves the held messages waiting for the visibility timeout. Hence two
changes, installed by config/celery_app.py:

1. A Redis channel whose transport was detached raises a connection error instead, which every cleanup path
   expects and ignores: the worker then reconnects as it does when it holds nothing.
2. The messages that channel could not put back (Redis was down) stay in Redis's `unacked` hash, where kombu would
   only redeliver them after the visibility timeout (an hour). The `RedeliverHeldMessages` consumer step puts them
   back in the queue as soon as the worker has reconnected. `restore_by_tag` moves a message from the hash to the
   queue in one Redis transaction, so a message another worker already restored, or that was acknowledged, is not
   delivered twice.

Remove both when a kombu/celery release no longer needs them: tests/faults/test_redis_outage_worker.py shows it.
"""

from __future__ import annotations

import logging

from celery import Celery, bootsteps

logger = logging.getLogger(__name__)


def _patch_detached_channel() -> None:
    try:
        import redis
        from kombu.transport import redis as kombu_redis
    except ImportError:  # no redis client: the Redis transport is not in use
        return
    channel_class = kombu_redis.Channel
    if getattr(channel_class._connparams, "redress_patched", False):
        return
    connparams = channel_class._connparams

    def _connparams(self, asynchronous=False):
        transport = self.connection
        if transport is None or transport.client is None:
            raise redis.exceptions.ConnectionError(
                "the broker connection of this channel was closed; it cannot connect again"
            )
        return connparams(self, asynchronous=asynchronous)

    _connparams.redress_patched = True
    channel_class._connparams = _connparams


class RedeliverHeldMessages(bootsteps.StartStopStep):
    """After a reconnection, put back in the queue the messages the lost connection held and could not put back."""

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, c, **kwargs):
        super().__init__(c, **kwargs)
        self.held_by = None  # the QoS of the channel the previous connection consumed from
        self.pending: list = []  # delivery tags still to put back

    def start(self, c):
        try:
            from kombu.transport.redis import QoS as RedisQoS
        except ImportError:
            return
        qos = getattr(c.task_consumer.channel, "qos", None)
        if not isinstance(qos, RedisQoS):
            return
        previous, self.held_by = self.held_by, qos
        if previous is not None and previous is not qos:
            # What is still there was neither acknowledged (acks mark tags dirty) nor put back (that empties it).
            held = [tag for tag in previous._delivered if tag not in previous._dirty]
            previous._delivered.clear()
            self.pending.extend(tag for tag in held if tag not in self.pending)
        restored = 0
        while self.pending:
            # A connection error here (Redis gone again) restarts the consumer; the rest is tried next time.
            qos.restore_by_tag(self.pending[0])
            self.pending.pop(0)
            restored += 1
        if restored:
            logger.warning("Put back in the queue %d message(s) held when the broker connection was lost.", restored)


def install(app: Celery) -> None:
    _patch_detached_channel()
    app.steps["consumer"].add(RedeliverHeldMessages)
