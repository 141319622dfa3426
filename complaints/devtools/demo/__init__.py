"""Demo data for ``manage.py seed_demo``: the three partner carriers, the demo users and about 300 complaints with
realistic histories (replies, notes, hand-overs to the carrier, claims, surveys, resolutions, reopenings), all made
through the services exactly as the admin, the API and the SMS callback make them, and lived through in time order
with beat's jobs (sweep, planners, dispatcher, surge check, Monday report) running in between (month.py).

The modules:

* texts.py: what complainants write and agents and carriers answer (data, in Chinese and English);
* people.py: carriers, demo users, and what complainants, parcels and places are drawn from;
* plan.py: the ~300 planned complaints, independent of the time the demo runs;
* histories.py: what happened to each of them, laid out between when it was received and now;
* month.py: living those histories through, with the clock moved to each moment and beat's jobs in between;
* acts.py: what the people of the stories do at each step, through the services;
* seed.py: running it (``seed_demo``), and where to log in afterwards.

Deterministic, and idempotent by identity
-----------------------------------------
Everything that identifies a planned complaint (waybill number, complainant, texts, amounts, which scenario, which
channel) comes from ``random.Random`` instances seeded with fixed strings, one per complaint, so it never depends on
when or where the command runs. Times cannot be fixed: complaints are received during the six weeks before *now*
and their histories are laid out between then and now, so a run tomorrow would compute other times (and, for the
youngest complaints, other statuses). Re-generating and comparing is therefore pointless; instead every planned
complaint is looked up by its identity, ``(waybill_number, description)``, which is unique within the plan (a
repeat complaint about the same waybill has its own description). A planned complaint that is already in the
database is left alone. Hence:

* a second run, the same day or months later, creates nothing and changes nothing: the first run's timelines stay
  where they were and simply age;
* carriers and users are get-or-create by code and username. An existing carrier or user is never modified: its
  password, names and flags stay as they are (only a missing role group is added, which changes nothing when the
  group is already there).

The complaints are the exception: their month hangs together (a breach escalates, a late reply is late on the
report, a survey answer follows the survey), so it is played only on a database without any demo complaint. If some
are there, nothing is added (the command says the month was played before); delete them all to play it again.

All of it runs in one transaction: a failure leaves the database as it was.
"""

from complaints.devtools.demo.seed import DEFAULT_HOST, DEFAULT_PORT, SeedResult, UserLine, login_url, seed_demo

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "SeedResult", "UserLine", "login_url", "seed_demo"]
