"""Queues by workload (config/settings/base.py): the clock sweep, the outbox, the webhooks and the reports each have
a queue of their own, everything else the default queue; `make run`'s one worker consumes them all. The real-process
proof that a slow gateway no longer delays the sweep is tests/faults/test_queues.py."""

from pathlib import Path

from django.conf import settings

from config.celery_app import app

ROOT = Path(__file__).resolve().parents[2]


def queue_of(task_name: str) -> str:
    """The queue a task sent by name (as beat and complaints.nudges send them) goes to."""
    return app.amqp.router.route({}, task_name)["queue"].name


def test_each_workload_is_routed_by_task_name_to_its_own_queue():
    app.loader.import_default_modules()
    ours = sorted(name for name in app.tasks if name.startswith("redress."))

    assert {name: queue_of(name) for name in ours} == {
        "redress.dispatch_outbox": "outbox",
        "redress.dispatch_webhooks": "webhooks",
        "redress.plan_progress_updates": "celery",
        "redress.plan_revisits": "celery",
        "redress.poll_imap": "celery",
        "redress.purge_idempotency_keys": "celery",
        "redress.refresh_all_clocks": "celery",
        "redress.report_rollup": "reports",
        "redress.surge_check": "reports",
        "redress.sweep_clocks": "clocks",
        "redress.weekly_report_send": "reports",
    }
    # A route names a task that exists (a typo would silently send it to the default queue)
    assert set(settings.CELERY_TASK_ROUTES) <= set(ours)


def test_every_task_can_be_sent_with_its_time_limits():
    # Celery refuses to send a task whose soft time limit exceeds its hard one (a task's own `time_limit` below the
    # project's soft limit): beat would fail to send it every time.
    app.loader.import_default_modules()
    ours = {name: task for name, task in app.tasks.items() if name.startswith("redress.")}

    refused = {
        name: (task.soft_time_limit, task.time_limit)
        for name, task in ours.items()
        if task.soft_time_limit and task.time_limit and task.soft_time_limit > task.time_limit
    }

    assert refused == {}
    assert ours["redress.report_rollup"].soft_time_limit == settings.CELERY_TASK_SOFT_TIME_LIMIT


def test_a_task_of_the_future_goes_to_the_default_queue():
    assert queue_of("redress.something_new") == "celery"


def test_every_task_beat_sends_goes_to_a_queue_a_worker_consumes():
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert queue_of(entry["task"]) in settings.REDRESS_QUEUES


def test_make_runs_one_worker_consumes_every_queue():
    # A worker started without -Q consumes every queue in CELERY_TASK_QUEUES, and make run starts it so
    assert set(app.amqp.queues.consume_from) == set(settings.REDRESS_QUEUES)
    [worker_line] = [
        line for line in (ROOT / "scripts" / "run_local.sh").read_text().splitlines() if line.startswith("start worker")
    ]
    assert "-Q" not in worker_line
