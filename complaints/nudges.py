"""The one place below the edges that enqueues Celery tasks, by their stable names (so nothing below an edge imports
complaints.tasks).

Wake a dispatcher right after a commit instead of at beat's next minute, without flooding the queue. A burst of
commits (seed_demo, an import, a sweep writing hundreds of messages) would otherwise queue one task per commit, and on
the embedded filesystem broker the sweeps wait behind hundreds of empty dispatcher runs. So within a short window the
first nudge is sent at once and at most one more after the window (for what was committed meanwhile); anything later
is picked up by the next nudge or by beat within a minute. Nudges expire, so a backlog never runs stale ones.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from celery import current_app
from django.core.cache import cache

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 2
EXPIRES_SECONDS = 60

# The tasks' stable names (complaints/tasks.py and reports/tasks.py register them under these).
DISPATCH_OUTBOX = "redress.dispatch_outbox"
DISPATCH_WEBHOOKS = "redress.dispatch_webhooks"
REFRESH_ALL_CLOCKS = "redress.refresh_all_clocks"


class Enqueueable(Protocol):
    def apply_async(self, **options: Any) -> Any: ...


def task_enqueue(task_name: str, **options: Any) -> None:
    """Send the task named `task_name` to the broker (raises if the broker cannot take it)."""
    current_app.signature(task_name).apply_async(**options)


def nudge(task: Enqueueable, *, name: str) -> bool:
    """Enqueue `task` now, or once after the current window; returns whether a task was enqueued."""
    try:
        if cache.add(f"nudge:{name}:lead", 1, timeout=WINDOW_SECONDS):
            task.apply_async(expires=EXPIRES_SECONDS)
            return True
        if cache.add(f"nudge:{name}:trail", 1, timeout=WINDOW_SECONDS):
            task.apply_async(countdown=WINDOW_SECONDS, expires=EXPIRES_SECONDS)
            return True
    except Exception:  # beat's sweep sends it within a minute anyway
        logger.warning("could not enqueue %s; beat will run it within a minute", name, exc_info=True)
    return False


def outbox_dispatcher_nudge() -> None:
    """After a commit that queued messages."""
    nudge(current_app.signature(DISPATCH_OUTBOX), name="outbox")


def webhook_dispatcher_nudge() -> None:
    """After a commit that queued webhook deliveries."""
    nudge(current_app.signature(DISPATCH_WEBHOOKS), name="webhooks")
