"""The web of the fault tests: the test settings, with the dispatcher nudged right after a commit as in production (the
test settings leave it to the tests), so that an outage meets the nudge as a real web process does."""

from config.settings.test import *  # noqa: F403

REDRESS_NUDGE_DISPATCHER = True
