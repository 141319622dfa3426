"""Races for the PostgreSQL tests: several calls released at the same moment, each on its own connection."""

import threading

from django.db import connection


def run_together(*calls, timeout=30):
    """Run each call in its own thread (own DB connection), released together by a barrier. Returns, per call,
    ("ok", result) or ("error", exception)."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait(timeout=timeout)
            outcomes[i] = ("ok", call())
        except Exception as error:
            outcomes[i] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (deadlock?)"
    return outcomes
