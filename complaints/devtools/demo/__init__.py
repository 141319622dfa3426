"""Demo data for ``manage.py seed_demo``: the three partner carriers, the demo users and about 300 complaints with
back-dated, realistic histories (replies, notes, hand-overs to the carrier, surveys, resolutions, reopenings), all
made through complaints.services exactly as the admin and the API make them.

The modules:

* texts.py: what complainants write and agents and carriers answer (data, in Chinese and English);
* people.py: carriers, demo users, and what complainants, parcels and places are drawn from;
* plan.py: the ~300 planned complaints, independent of the time the demo runs;
* histories.py: what happened to each of them, laid out between when it was received and now;
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
* if some demo complaints were deleted, only those are made again, with times relative to the new run;
* carriers and users are get-or-create by code and username. An existing carrier or user is never modified: its
  password, names and flags stay as they are (only a missing role group is added, which changes nothing when the
  group is already there).

All of it runs in one transaction: a failure leaves the database as it was.
"""

from complaints.devtools.demo.seed import DEFAULT_HOST, DEFAULT_PORT, SeedResult, UserLine, login_url, seed_demo

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "SeedResult", "UserLine", "login_url", "seed_demo"]
