"""Settings for the beat processes of tests/faults/test_one_beat.py: the test settings with a schedule that sends a
task every second (the real schedule's first send is a minute away). The task needs no worker: the test reads the
messages beat leaves in the queue, and who sent them."""

from config.settings.test import *  # noqa: F403

CELERY_BEAT_SCHEDULE = {"tick": {"task": "redress.test_beat_tick", "schedule": 1.0}}
