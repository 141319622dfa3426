"""Celery tasks: thin, idempotent, stable names. Each calls one service; the timed work lives as rows."""

from celery import shared_task
from django.db import OperationalError

from complaints import escalation, outbox

TRANSIENT = (OperationalError,)
RETRY = {"autoretry_for": TRANSIENT, "retry_backoff": True, "retry_kwargs": {"max_retries": 3}}


@shared_task(name="redress.sweep_clocks", **RETRY)
def sweep_clocks() -> dict:
    return vars(escalation.clocks_sweep())


@shared_task(name="redress.plan_progress_updates", **RETRY)
def plan_progress_updates() -> dict:
    return vars(outbox.progress_updates_plan())


@shared_task(name="redress.plan_revisits", **RETRY)
def plan_revisits() -> dict:
    return vars(outbox.revisits_plan())


@shared_task(name="redress.dispatch_outbox", **RETRY)
def dispatch_outbox() -> dict:
    return vars(outbox.outbox_dispatch())


@shared_task(name="redress.refresh_all_clocks", **RETRY)
def refresh_all_clocks() -> int:
    return escalation.complaints_refresh_all_clocks()


@shared_task(name="redress.purge_idempotency_keys", **RETRY)
def purge_idempotency_keys() -> int:
    from complaints.api.idempotency import idempotency_keys_purge

    return idempotency_keys_purge()
