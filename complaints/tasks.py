"""Celery tasks: thin, idempotent, stable names. Each calls one service; the timed work lives as rows."""

from celery import shared_task
from django.db import OperationalError

from complaints.followups.outbox import outbox_dispatch
from complaints.followups.planning import progress_updates_plan, revisits_plan
from complaints.inbound.imap import imap_poll
from complaints.nudges import DISPATCH_OUTBOX, DISPATCH_WEBHOOKS, REFRESH_ALL_CLOCKS
from complaints.partners.api.idempotency import idempotency_keys_purge
from complaints.partners.webhooks.dispatch import webhooks_dispatch
from complaints.sla.refresh import complaints_refresh_all_clocks
from complaints.sla.sweep import clocks_sweep

TRANSIENT = (OperationalError,)
RETRY = {"autoretry_for": TRANSIENT, "retry_backoff": True, "retry_kwargs": {"max_retries": 3}}


@shared_task(name="redress.sweep_clocks", **RETRY)
def sweep_clocks() -> dict:
    return vars(clocks_sweep())


@shared_task(name="redress.plan_progress_updates", **RETRY)
def plan_progress_updates() -> dict:
    return vars(progress_updates_plan())


@shared_task(name="redress.plan_revisits", **RETRY)
def plan_revisits() -> dict:
    return vars(revisits_plan())


@shared_task(name=DISPATCH_OUTBOX, **RETRY)
def dispatch_outbox() -> dict:
    return vars(outbox_dispatch())


@shared_task(name=REFRESH_ALL_CLOCKS, **RETRY)
def refresh_all_clocks() -> int:
    return complaints_refresh_all_clocks()


@shared_task(name=DISPATCH_WEBHOOKS, **RETRY)
def dispatch_webhooks() -> dict:
    return vars(webhooks_dispatch())


@shared_task(name="redress.purge_idempotency_keys", **RETRY)
def purge_idempotency_keys() -> int:
    return idempotency_keys_purge()


@shared_task(name="redress.poll_imap", **RETRY)
def poll_imap() -> dict:
    # Inside the task's soft time limit, with room for one IMAP command's timeout.
    return vars(imap_poll(time_budget_seconds=120))
