"""Wake a dispatcher right after a commit instead of at beat's next minute, without flooding the queue.

A burst of commits (seed_demo, an import, a sweep writing hundreds of messages) would otherwise queue one task per
commit, and on the embedded filesystem broker the sweeps wait behind hundreds of empty dispatcher runs. So within a
short window the first nudge is sent at once and at most one more after the window (for what was committed
meanwhile); anything later is picked up by the next nudge or by beat within a minute. Nudges expire, so a backlog
never runs stale ones.
"""

from __future__ import annotations

import logging

from celery import Task
from django.core.cache import cache

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 2
EXPIRES_SECONDS = 60


def nudge(task: Task, *, name: str) -> bool:
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
