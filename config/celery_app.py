"""The Celery application. Worker: `celery -A config.celery_app worker`; beat: `celery -A config.celery_app beat`."""

import os

from celery import Celery

from config import broker_outage

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("redress")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The worker survives a Redis outage and gets back the tasks it held (celery/kombu 5.7.0 bug; see broker_outage.py).
broker_outage.install(app)
