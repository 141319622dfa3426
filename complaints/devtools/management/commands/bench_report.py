"""Benchmark of the weekly report on PostgreSQL with a year of complaints. See docs/benchmarks.md."""

import statistics
import time

from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Carrier, User
from complaints.choices import OPEN_STATUSES, Category, Channel, RootCauseArea
from complaints.devtools.guard import DevtoolCommand
from complaints.models import ClockAlert, Complaint, ComplaintEvent, SlaPolicy
from complaints.sla.outcomes import outcomes_backfill
from reports.metrics import week_compute
from reports.models import DailyFlow
from reports.rollup import daily_flows_reset, daily_flows_roll
from reports.services import weekly_report_build
from reports.weeks import IsoWeek

MARKER = "B"  # reference prefix of the benchmark's complaints (real references start with C)
CARRIERS = (
    ("ZTO", "中通快递", "ZTO Express"),
    ("SF", "顺丰速运", "SF Express"),
    ("KY", "跨越速运", "KY Express"),
    ("YTO", "圆通速递", "YTO Express"),
    ("JD", "京东物流", "JD Logistics"),
)
AGENTS = 20
LOADED_CHANNELS = (
    Channel.PHONE,
    Channel.EMAIL,
    Channel.WEB,
    Channel.SOCIAL_MEDIA,
    Channel.PLATFORM,
    Channel.REGULATOR,
    Channel.PARTNER_API,
)
# Complainants' names: 20 surnames × 30 given names = 600 names, so a name search matches 1 complaint in 600.
SURNAMES = "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 林 罗 高".split()
GIVEN_NAMES = (
    "伟 芳 娜 秀英 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀兰 霞 平 刚 桂英 建华 文 华 红 建国 玉兰 志强".split()
)

# The floor: one hand-written statement for the week's headline counts (received, resolved, reopened, backlog at
# week end, the backlog by the same identity as reports.metrics: open now - received since + resolutions since -
# reopenings since).
FLOOR_SQL = """
SELECT
  (SELECT count(*) FROM complaints_complaint WHERE received_at >= %(start)s AND received_at < %(end)s) AS received,
  (SELECT count(*) FROM complaints_complaintevent
    WHERE kind = 'resolved' AND created_at >= %(start)s AND created_at < %(end)s) AS resolved,
  (SELECT count(*) FROM complaints_complaintevent
    WHERE created_at >= %(start)s AND created_at < %(end)s
      AND (kind = 'reopened' OR (kind = 'survey_answered' AND data->>'to' = 'reopened'))) AS reopened,
  (SELECT count(*) FROM complaints_complaint WHERE status = ANY(%(open)s))
  - (SELECT count(*) FROM complaints_complaint WHERE received_at >= %(end)s)
  + (SELECT count(*) FILTER (WHERE kind = 'resolved') - count(*) FILTER (WHERE kind <> 'resolved')
       FROM complaints_complaintevent WHERE created_at >= %(end)s
        AND (kind IN ('resolved', 'reopened') OR (kind = 'survey_answered' AND data->>'to' = 'reopened'))
    ) AS backlog
"""


class Command(DevtoolCommand):
    help = (
        "Benchmark the weekly report (PostgreSQL only). Loads N complaints spread over the last 365 days (reference "
        "prefix B) with their events, clock alerts, outbox messages, survey answers and parcel volumes, in a few "
        "INSERT ... SELECT FROM generate_series statements (not through the services); a second run reuses them. "
        "Then prints the median time and the number of queries of reports.metrics.week_compute for last week, "
        "beside the median time of one hand-written SQL statement for the week's headline counts (the floor). "
        "Use a scratch database: it writes about 8 rows per complaint."
    )

    def add_arguments(self, parser):
        parser.add_argument("--complaints", type=int, default=1_000_000, help="complaints to load (default 1000000)")
        parser.add_argument("--runs", type=int, default=5, help="timed runs of each (default 5; the median is shown)")
        parser.add_argument("--week", help="ISO week to compute (default: last week)")
        parser.add_argument(
            "--chunk", type=int, default=500_000, help="complaints per committed chunk of the load (default 500000)"
        )
        parser.add_argument("--load-only", action="store_true", help="load (or finish loading) and stop")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "bench_report needs PostgreSQL (it loads data with generate_series and measures percentile_cont): "
                "set DATABASE_URL=postgres://… to a scratch database, e.g. redress_bench6."
            )
        n, runs = options["complaints"], max(1, options["runs"])
        now = timezone.now().replace(microsecond=0)
        loaded = Complaint.objects.filter(reference__startswith=MARKER).count()
        if loaded > n:
            raise CommandError(
                f"The database already holds {loaded:,} benchmark complaints, more than {n:,}. Use --complaints "
                f"{loaded} to reuse them, or drop and migrate the scratch database to load a smaller size."
            )
        _indexes_restore(self.stdout)  # a load interrupted earlier left its indexes dropped
        if loaded < n:
            # Rows loaded behind the roll-up's back: it counts every day again (the report counts from the rows
            # meanwhile).
            daily_flows_reset()
            self._load(n, loaded, now, chunk=options["chunk"])
        else:
            self.stdout.write(f"reusing {loaded:,} loaded complaints")
        self._roll_up()
        if options["load_only"]:
            return
        week = IsoWeek.parse(options["week"]) if options["week"] else IsoWeek.of(now).previous()
        self._measure(week, runs, now)

    def _roll_up(self) -> None:
        """Bring the daily roll-up up to date, as beat would, and say how long the days took."""
        began, days = time.perf_counter(), 0
        while True:
            result = daily_flows_roll(max_days=31, budget_seconds=600)
            days += len(result.counted) + len(result.recounted)
            if result.failed:
                raise CommandError(f"the roll-up could not count {result.failed}; see the log")
            if not result.counted and not result.recounted:
                break
            self.stdout.write(f"  roll-up: {days} days counted, up to {result.rolled_until}")
        elapsed = time.perf_counter() - began
        rows = DailyFlow.objects.count()
        self.stdout.write(
            f"roll-up: {days} days counted in {elapsed:.1f} s ({elapsed / max(days, 1) * 1000:.0f} ms a day); "
            f"{rows:,} daily rows in all"
        )

    # --- loading ----------------------------------------------------------------------------------------------------

    def _load(self, n: int, loaded: int, now, *, chunk: int) -> None:
        """Load complaints loaded+1..n in committed chunks (an interrupted load resumes where it stopped). Each chunk
        is planned in a temporary table, then its complaints, events, alerts, messages and survey answers are inserted
        set-based. A large load first drops the secondary indexes of the five tables (their definitions are kept in
        bench_dropped_index, so a crash restores them on the next run) and rebuilds them at the end: building an index
        once by sorting is much faster than maintaining it row by row. Foreign-key triggers are off during the inserts
        (session_replication_role = replica; the rows reference what the same statement set up), and the clock
        outcomes (first_response_met, clock_met, cycle_started_at) are written by the inserts with the conditions of
        complaints/sla/outcomes.py's backfill, which then finds nothing to fill."""
        started = time.perf_counter()
        self.stdout.write(f"loading complaints {loaded + 1:,}..{n:,} over 365 days (chunks of {chunk:,})…")
        carriers = [
            Carrier.objects.get_or_create(code=code, defaults={"name_zh": zh, "name_en": en})[0].pk
            for code, zh, en in CARRIERS
        ]
        agents = [
            User.objects.get_or_create(
                username=f"bench_agent{i:02d}", defaults={"is_staff": True, "first_name": f"Agent {i:02d}"}
            )[0].pk
            for i in range(1, AGENTS + 1)
        ]
        policy = SlaPolicy.objects.filter(category="", priority="", channel="", risk="").order_by("position").first()
        params = {
            "n": n,
            "now": now,
            "carriers": carriers,
            "agents": agents,
            "policy": policy.pk if policy else None,
            "categories": list(Category.values),
            # The seven channels complaints arrive by in the data's proportions (listed, not Channel.values: a channel
            # added later must not shift them).
            "channels": list(LOADED_CHANNELS),
            "areas": list(RootCauseArea.values),
            "surnames": SURNAMES,
            "given": GIVEN_NAMES,
        }
        drop = n - loaded >= DROP_INDEXES_FROM
        if drop:
            _indexes_drop(self.stdout)
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("SET synchronous_commit = off")
            cursor.execute("SET work_mem = '256MB'")
        try:
            for low in range(loaded + 1, n + 1, chunk):
                high = min(low + chunk - 1, n)
                step = time.perf_counter()
                rows = {}
                with transaction.atomic(), connection.cursor() as cursor:
                    for label, sql in _LOAD_STEPS:
                        cursor.execute(sql, {**params, "low": low, "high": high, "seed": (low % 9973) / 9973})
                        rows[label] = cursor.rowcount
                self.stdout.write(
                    f"  {high:,}: "
                    + ", ".join(f"{label} {count:,}" for label, count in rows.items() if count > 0)
                    + f" in {time.perf_counter() - step:.1f} s ({time.perf_counter() - started:.0f} s in all)"
                )
                self.stdout.flush()
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
        if drop:
            _indexes_restore(self.stdout)
        step = time.perf_counter()
        with transaction.atomic():
            outcomes_backfill(
                complaint_model=Complaint, event_model=ComplaintEvent, alert_model=ClockAlert, connection=connection
            )
        self.stdout.write(f"  clock outcomes checked (backfill): {time.perf_counter() - step:.1f} s")
        step = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        self.stdout.write(f"  VACUUM ANALYZE: {time.perf_counter() - step:.0f} s")
        self.stdout.write(f"loaded in {time.perf_counter() - started:.0f} s")

    # --- measuring --------------------------------------------------------------------------------------------------

    def _measure(self, week: IsoWeek, runs: int, now) -> None:
        counts = {
            table: _count(table)
            for table in (
                "complaints_complaint",
                "complaints_complaintevent",
                "complaints_clockalert",
                "complaints_outboundmessage",
                "complaints_surveyresponse",
            )
        }
        self.stdout.write("rows: " + ", ".join(f"{t.split('_', 1)[1]} {c:,}" for t, c in counts.items()))
        self.stdout.write(f"week {week} ({week.start:%Y-%m-%d %H:%M %Z} to {week.end:%Y-%m-%d %H:%M %Z})")

        floor_times, floor = [], None
        params = {"start": week.start, "end": week.end, "open": list(OPEN_STATUSES)}
        for _run in range(runs + 1):
            with connection.cursor() as cursor:
                began = time.perf_counter()
                cursor.execute(FLOOR_SQL, params)
                floor = cursor.fetchone()
                floor_times.append(time.perf_counter() - began)
        # Cold: every one of the 12 trend weeks computed from the rows. Warm: the 10 older trend weeks read from their
        # stored snapshots, as on a Monday when the previous reports were built (built here first if missing).
        direct_times, direct_queries, direct = self._time_report(
            week, runs, now, reuse_snapshots=False, use_rollup=False
        )
        cold_times, cold_queries, data = self._time_report(week, runs, now, reuse_snapshots=False)
        for figures in (data, direct):
            figures.pop("computed_at")
        if data != direct:
            raise CommandError("the report from the roll-up and the report counted from the rows disagree")
        for k in range(11, 1, -1):
            weekly_report_build(week=week.previous(k), now=now)
        report_times, queries, data = self._time_report(week, runs, now, reuse_snapshots=True)
        # The first run of each warms the cache and is not counted.
        floor_median = statistics.median(floor_times[1:])
        report_median = statistics.median(report_times)
        cold_median = statistics.median(cold_times)
        headline = data["headline"]
        self.stdout.write(
            f"floor (one SQL statement: received, resolved, reopened, backlog): {floor_median * 1000:.0f} ms "
            f"(runs: {', '.join(f'{t * 1000:.0f}' for t in floor_times[1:])} ms) → "
            f"received {floor[0]:,}, resolved {floor[1]:,}, reopened {floor[2]:,}, backlog {floor[3]:,}"
        )
        self.stdout.write(
            f"week_compute without the roll-up (all 12 trend weeks from the rows): "
            f"{statistics.median(direct_times) * 1000:.0f} ms "
            f"(runs: {', '.join(f'{t * 1000:.0f}' for t in direct_times)} ms), {direct_queries} queries"
        )
        self.stdout.write(
            f"week_compute cold (no stored snapshot; 12 trend weeks from the roll-up): {cold_median * 1000:.0f} ms "
            f"(runs: {', '.join(f'{t * 1000:.0f}' for t in cold_times)} ms), {cold_queries} queries; "
            f"the same figures as without the roll-up"
        )
        self.stdout.write(
            f"week_compute warm (10 older trend weeks from stored snapshots): {report_median * 1000:.0f} ms "
            f"(runs: {', '.join(f'{t * 1000:.0f}' for t in report_times)} ms), {queries} queries → "
            f"received {headline['received']['value']:,}, resolved {headline['resolved']['value']:,}, "
            f"reopened {headline['reopened']['value']:,}, backlog {headline['backlog']['value']:,}"
        )
        same = (
            headline["received"]["value"],
            headline["resolved"]["value"],
            headline["reopened"]["value"],
            headline["backlog"]["value"],
        ) == tuple(floor)
        self.stdout.write(
            f"ratio: warm {report_median / floor_median:.1f}×, cold {cold_median / floor_median:.1f}× "
            f"the floor; headline counts "
            f"{'agree' if same else 'DISAGREE'} with the floor statement"
        )
        if not same:
            raise CommandError("week_compute and the floor statement disagree on the headline counts")

    def _time_report(self, week: IsoWeek, runs: int, now, *, reuse_snapshots: bool, use_rollup: bool = True):
        times, queries, data = [], 0, None
        connection.queries_log.clear()  # a full log (the roll-up's days) would make every capture count 0
        for run in range(runs + 1):
            with CaptureQueriesContext(connection) as ctx:
                began = time.perf_counter()
                data = week_compute(week=week, now=now, reuse_snapshots=reuse_snapshots, use_rollup=use_rollup)
                elapsed = time.perf_counter() - began
            if run:  # the first run warms the cache and is not counted
                times.append(elapsed)
            queries = len(ctx.captured_queries)
        return times, queries, data


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # table names are constants above
        return cursor.fetchone()[0]


DROP_INDEXES_FROM = 2_000_000  # loads at least this large drop and rebuild the secondary indexes
LOADED_TABLES = (
    "complaints_complaint",
    "complaints_complaintevent",
    "complaints_clockalert",
    "complaints_outboundmessage",
    "complaints_surveyresponse",
)


def _indexes_drop(out) -> None:
    """Drop the secondary indexes of the loaded tables (not primary keys or constraints' indexes), keeping their
    definitions in bench_dropped_index (committed first, so an interrupted load can restore them)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_dropped_index (name text PRIMARY KEY, definition text)")
        cursor.execute(
            """
            INSERT INTO bench_dropped_index (name, definition)
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            ON CONFLICT DO NOTHING
            """,
            [list(LOADED_TABLES)],
        )
        cursor.execute("SELECT name FROM bench_dropped_index ORDER BY name")
        names = [name for (name,) in cursor.fetchall()]
        for name in names:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')  # names read from the catalogue
    out.write(f"  dropped {len(names)} secondary indexes for the load")


def _indexes_restore(out) -> None:
    """Rebuild the indexes _indexes_drop dropped (if any), one by one, each committed."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_dropped_index') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return
        cursor.execute("SELECT name, definition FROM bench_dropped_index ORDER BY name")
        pending = cursor.fetchall()
        cursor.execute("SET maintenance_work_mem = '1GB'")
    for name, definition in pending:
        began = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1).replace(
                    "CREATE UNIQUE INDEX ", "CREATE UNIQUE INDEX IF NOT EXISTS ", 1
                )
            )
            cursor.execute("DELETE FROM bench_dropped_index WHERE name = %s", [name])
        out.write(f"  index {name} rebuilt in {time.perf_counter() - began:.0f} s")
        out.flush()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_dropped_index")


_PLAN = """
CREATE TEMPORARY TABLE bench_plan ON COMMIT DROP AS
SELECT p.*, received AS res_final
FROM (
  SELECT s.*,
    nextval(pg_get_serial_sequence('complaints_complaint', 'id')) AS id,
    received + fr_h * interval '1 hour' AS fr,
    received AS res1,  -- set below, from the first response
    received AS reopen_at,
    (%(carriers)s::bigint[])[1 + floor(r_carrier * array_length(%(carriers)s::bigint[], 1))::int] AS carrier_id,
    (%(agents)s::bigint[])[1 + floor(r_owner * array_length(%(agents)s::bigint[], 1))::int] AS owner_id,
    (%(categories)s::text[])[1 + floor(power(r_cat, 1.6) * array_length(%(categories)s::text[], 1))::int]
      AS category,
    (%(channels)s::text[])[1 + floor(power(r_chan, 1.4) * array_length(%(channels)s::text[], 1))::int] AS channel,
    (%(areas)s::text[])[1 + floor(power(r_area, 1.5) * array_length(%(areas)s::text[], 1))::int] AS area
  FROM (
    SELECT g,
      %(now)s::timestamptz - interval '365 days' * (1 - g::float8 / %(n)s) - random() * interval '1 hour'
        AS received,
      CASE WHEN random() < 0.08 THEN 24 + random() * 24 ELSE 0.25 + random() * 20 END AS fr_h,
      random() < 0.03 AS reopened,
      2 + random() * 48 AS res2_h,
      random() AS r_close, random() AS r_carrier, random() AS r_cat, random() AS r_chan, random() AS r_owner,
      random() AS r_area, random() AS r_liable, random() AS r_survey, random() AS r_score, random() AS r_fail,
      random() AS r_res
    FROM generate_series(%(low)s::bigint, %(high)s::bigint) g
  ) s
) p;
-- Resolution: an hour after the first response plus a long tail (about 15 %% late against 72 h).
UPDATE bench_plan SET res1 = fr + (1 + power(r_res, 3) * 100) * interval '1 hour';
UPDATE bench_plan SET reopen_at = res1 + interval '72 hours',
  res_final = CASE WHEN reopened THEN res1 + interval '72 hours' + res2_h * interval '1 hour'
                   ELSE fr + (1 + power(r_res, 3) * 100) * interval '1 hour' END;
"""

_COMPLAINTS = """
INSERT INTO complaints_complaint (
  id, reference, waybill_number, category, channel, description, complainant_name, complainant_phone,
  complainant_email, language, contact_channel, declared_value, insured_value, shipping_fee, priority,
  risk_medical, risk_social_media, risk_regulator, risk_repeat, risk_high_value, status, escalation_level,
  received_at, first_response_at, resolved_at, closed_at, reopen_count, resolution_summary, root_cause,
  root_cause_area, carrier_liable, version, created_at, updated_at, carrier_id, owner_id, sla_policy_id,
  progress_due_at, revisit_due_at, statutory_due_at, next_due_at, first_response_met)
SELECT id, 'B' || lpad(g::text, 10, '0'), 'BN' || lpad(g::text, 12, '0'), category, channel, '快件延误',
  (%(surnames)s::text[])[1 + g %% array_length(%(surnames)s::text[], 1)]
    || (%(given)s::text[])[1 + (g / 7) %% array_length(%(given)s::text[], 1)],
  '+86139' || lpad((g %% 100000000)::text, 8, '0'), '', 'zh-hans', 'sms', 200, 0, 12, 'normal',
  false, channel = 'social_media', channel = 'regulator', false, false, st.status,
  (fr - received > interval '24 hours')::int + (res1 - received > interval '72 hours')::int,
  received, CASE WHEN fr <= %(now)s THEN fr END,
  CASE WHEN st.status IN ('resolved', 'closed') THEN st.resolved_at END,
  CASE WHEN st.status = 'closed' THEN res_final + interval '7 days' END,
  CASE WHEN reopened AND reopen_at <= %(now)s THEN 1 ELSE 0 END,
  CASE WHEN st.status IN ('resolved', 'closed') THEN '已处理' ELSE '' END,
  CASE WHEN st.status IN ('resolved', 'closed') THEN '分拣错误' ELSE '' END,
  CASE WHEN st.status IN ('resolved', 'closed') THEN area ELSE '' END,
  CASE WHEN st.status IN ('resolved', 'closed') THEN r_liable < 0.6 END,
  5, received, received, carrier_id, owner_id, %(policy)s,
  CASE WHEN st.status NOT IN ('resolved', 'closed') THEN %(now)s + interval '12 hours' END,
  CASE WHEN st.status = 'resolved' AND st.resolved_at + interval '3 days' > %(now)s
       THEN st.resolved_at + interval '3 days' END,
  CASE WHEN st.status NOT IN ('resolved', 'closed') THEN received + interval '7 days' END,
  CASE WHEN st.status NOT IN ('resolved', 'closed') THEN %(now)s + interval '12 hours' END,
  CASE WHEN fr <= %(now)s
       THEN NOT (fr > received + interval '24 hours' AND received + interval '24 hours 1 minute' <= %(now)s) END
FROM bench_plan CROSS JOIN LATERAL (SELECT
  CASE
    WHEN res_final <= %(now)s AND r_close < 0.9 AND res_final + interval '7 days' <= %(now)s THEN 'closed'
    WHEN res_final <= %(now)s THEN 'resolved'
    WHEN reopened AND res1 <= %(now)s AND reopen_at > %(now)s THEN 'resolved'
    WHEN fr <= %(now)s THEN 'in_progress'
    ELSE 'new' END AS status,
  CASE WHEN res_final <= %(now)s THEN res_final ELSE res1 END AS resolved_at) st;
"""

_EVENTS = """
INSERT INTO complaints_complaintevent (complaint_id, kind, actor_id, actor_role, visibility, message, data, created_at,
  clock_met, cycle_started_at)
SELECT id, e.kind, e.actor, CASE WHEN e.actor IS NULL THEN 'system' ELSE 'agent' END, 'public', '', e.data::jsonb, e.at,
  e.met, e.cycle
FROM bench_plan CROSS JOIN LATERAL (VALUES
  ('created', NULL::bigint, '{}', received, NULL::boolean, NULL::timestamptz),
  ('public_reply', owner_id, '{}', fr, NULL, NULL),
  ('status_changed', owner_id, '{"from": "new", "to": "acknowledged"}', fr, NULL, NULL),
  ('status_changed', owner_id, '{"from": "acknowledged", "to": "in_progress"}', fr + interval '1 minute', NULL, NULL),
  ('progress_update', NULL, '{}', CASE WHEN res1 > received + interval '24 hours'
                                       THEN received + interval '24 hours' END, NULL, NULL),
  ('sla_breach', NULL, '{"clock": "first_response"}', CASE WHEN fr > received + interval '24 hours'
                                                          THEN received + interval '24 hours' END, NULL, NULL),
  ('escalated', NULL, '{"from_level": 0, "to_level": 1, "reason": "sla_breach"}',
     CASE WHEN fr > received + interval '24 hours' THEN received + interval '24 hours' END, NULL, NULL),
  ('sla_breach', NULL, '{"clock": "resolution"}', CASE WHEN res1 > received + interval '72 hours'
                                                      THEN received + interval '72 hours' END, NULL, NULL),
  ('escalated', NULL, json_build_object('from_level', (fr > received + interval '24 hours')::int,
                                        'to_level', 1 + (fr > received + interval '24 hours')::int,
                                        'reason', 'sla_breach')::text,
     CASE WHEN res1 > received + interval '72 hours' THEN received + interval '72 hours' END, NULL, NULL),
  ('resolved', owner_id, json_build_object('from', 'in_progress', 'to', 'resolved', 'root_cause_area', area,
                                           'carrier_liable', r_liable < 0.6)::text, res1,
     NOT (res1 > received + interval '72 hours' AND received + interval '72 hours 1 minute' <= %(now)s), received),
  ('reopened', owner_id, '{"from": "resolved", "to": "reopened", "reopen_count": 1}',
     CASE WHEN reopened THEN reopen_at END, NULL, NULL),
  ('status_changed', owner_id, '{"from": "reopened", "to": "in_progress"}',
     CASE WHEN reopened THEN reopen_at + interval '1 minute' END, NULL, NULL),
  ('resolved', owner_id, json_build_object('from', 'in_progress', 'to', 'resolved', 'root_cause_area', area,
                                           'carrier_liable', r_liable < 0.6)::text,
     CASE WHEN reopened THEN res_final END, true, reopen_at),
  ('closed', owner_id, '{"from": "resolved", "to": "closed"}',
     CASE WHEN r_close < 0.9 THEN res_final + interval '7 days' END, NULL, NULL),
  ('survey_answered', NULL, json_build_object('score', 1 + floor(r_score * 4.99)::int)::text,
     CASE WHEN r_survey < 0.3 THEN res_final + interval '3 days' + r_survey * interval '4 days' END, NULL, NULL)
) e(kind, actor, data, at, met, cycle)
WHERE e.at IS NOT NULL AND e.at <= %(now)s
ORDER BY e.at;
"""

_ALERTS = """
INSERT INTO complaints_clockalert (complaint_id, clock, kind, due_at, recorded_at)
SELECT id, a.clock, a.kind, a.due, a.due + interval '1 minute'
FROM bench_plan CROSS JOIN LATERAL (VALUES
  ('first_response', 'warning', received + interval '24 hours', fr > received + interval '19 hours 12 minutes'),
  ('first_response', 'breach', received + interval '24 hours', fr > received + interval '24 hours'),
  ('resolution', 'warning', received + interval '72 hours', res1 > received + interval '57 hours 36 minutes'),
  ('resolution', 'breach', received + interval '72 hours', res1 > received + interval '72 hours'),
  ('statutory', 'warning', received + interval '168 hours', res1 > received + interval '134 hours 24 minutes')
) a(clock, kind, due, happened)
WHERE a.happened AND a.due + interval '1 minute' <= %(now)s;
"""

_MESSAGES = """
INSERT INTO complaints_outboundmessage (complaint_id, kind, period, channel, recipient, language, subject, body,
  html_body, attachment_name, attachment_type, due_at, state, attempts, last_error, provider_id, sent_at,
  created_at)
SELECT id, m.kind, m.period, 'sms', '13900000000', 'zh-hans', '', '您的投诉有新进展。', '', '', '', m.due,
  CASE WHEN m.due > %(now)s THEN 'pending' WHEN m.kind = 'progress_update' AND r_fail < 0.02 THEN 'failed'
       ELSE 'sent' END,
  1, '', '', CASE WHEN m.due <= %(now)s AND NOT (m.kind = 'progress_update' AND r_fail < 0.02)
                  THEN m.due + interval '1 minute' END,
  m.due
FROM bench_plan CROSS JOIN LATERAL (VALUES
  ('acknowledgement', 'intake', received),
  ('progress_update', 'progress:1', CASE WHEN res1 > received + interval '24 hours'
                                         THEN received + interval '24 hours' END),
  ('resolution_notice', 'cycle0', res1),
  ('resolution_notice', 'cycle1', CASE WHEN reopened THEN res_final END),
  ('survey', CASE WHEN reopened THEN 'cycle1' ELSE 'cycle0' END, res_final + interval '3 days')
) m(kind, period, due)
WHERE m.due IS NOT NULL AND m.due <= %(now)s + interval '3 days'
  AND (m.kind <> 'survey' OR res_final <= %(now)s);
"""

_SURVEYS = """
INSERT INTO complaints_surveyresponse (complaint_id, cycle, score, comment, answered_at)
SELECT id, CASE WHEN reopened THEN 1 ELSE 0 END, 1 + floor(r_score * 4.99)::int, '',
  res_final + interval '3 days' + r_survey * interval '4 days'
FROM bench_plan
WHERE r_survey < 0.3 AND res_final + interval '3 days' + r_survey * interval '4 days' <= %(now)s;
"""

_VOLUMES = """
INSERT INTO reports_parcelvolume (carrier_id, iso_week, week_start, parcels, reported_at)
SELECT c, to_char(d, 'IYYY-"W"IW'), d, 8000000 + (c * 1000003 + extract(week from d)::int * 7919) %% 4000000,
  d + interval '8 days'
FROM unnest(%(carriers)s::bigint[]) c,
  generate_series(date_trunc('week', (%(now)s::timestamptz - interval '371 days') AT TIME ZONE 'Asia/Shanghai')::date,
                  (%(now)s::timestamptz AT TIME ZONE 'Asia/Shanghai')::date, interval '7 days') d
ON CONFLICT DO NOTHING;
"""

_LOAD_STEPS = (
    ("plan", "SELECT setseed(%(seed)s);" + _PLAN),
    ("complaints", _COMPLAINTS),
    ("events", _EVENTS),
    ("clock alerts", _ALERTS),
    ("outbox messages", _MESSAGES),
    ("survey answers", _SURVEYS),
    ("parcel volumes", _VOLUMES),
)
