"""A burst of commits wakes a dispatcher once (and once more after the window), not once per commit."""

import time

from django.core.cache import cache

from complaints.nudges import WINDOW_SECONDS, nudge


class RecordingTask:
    """Stands in for a Celery task: records how it was enqueued (the broker is not what is tested here)."""

    def __init__(self):
        self.calls = []

    def apply_async(self, **options):
        self.calls.append(options)


def test_a_burst_of_nudges_enqueues_the_dispatcher_at_most_twice_per_window():
    # The window lives in the cache (Redis when REDIS_URL is set), whose clock time-machine cannot move: real time.
    cache.delete_many(["nudge:test-burst:lead", "nudge:test-burst:trail"])
    task = RecordingTask()
    # Given 600 commits in a burst (the demo data, an import)
    for _ in range(600):
        nudge(task, name="test-burst")
    # Then the dispatcher is enqueued now and once after the window, both expiring
    assert [("countdown" in call) for call in task.calls] == [False, True]
    assert all(call["expires"] for call in task.calls)
    # And a commit after the window wakes it at once again
    time.sleep(WINDOW_SECONDS + 0.5)
    nudge(task, name="test-burst")
    assert len(task.calls) == 3 and "countdown" not in task.calls[-1]
