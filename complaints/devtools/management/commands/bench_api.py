"""Benchmark of the partner API on a large table. See docs/benchmarks.md.

1. Loads N complaints (default 1,000,000) across three carriers (ZTO, SF, KY) with INSERT … SELECT generate_series,
   in SQL, not through the services: no events, no messages. Reference prefix `C000000`; reused when already there.
2. In process (Django's test client, the real middleware and DRF stack): queries and median time per request for the
   first list page, the page 10,000 rows deep (a cursor built the way DRF's CursorPagination encodes it), and a
   detail.
3. Under load: starts gunicorn with the production settings plus a bare DRF endpoint (config.settings.bench,
   config/urls_bench.py) and runs `wrk` (or, without wrk, a small threaded Python client) against the list endpoint
   and the constant endpoint; prints requests per second of each and their ratio.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import datetime
from http.client import HTTPConnection
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from rest_framework.pagination import Cursor

from accounts.models import Carrier
from accounts.services import api_key_issue
from complaints.devtools.guard import DevtoolCommand
from complaints.models import Complaint
from complaints.partners.api.pagination import NewestFirstCursorPagination

# Reference prefix of the benchmark's complaints: the API's reference shape (C and digits), but month 00, which no real
# reference has (C + yymmdd + sequence).
PREFIX = "C000000"
CARRIERS = (("ZTO", "中通快递", "ZTO Express"), ("SF", "顺丰速运", "SF Express"), ("KY", "跨越速运", "KY Express"))
# The newest benchmark complaint; each next one is 30 s older (1,000,000 rows span about a year).
NEWEST = datetime(2026, 11, 24, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CHUNK = 100_000
DEEP = 10_000
OPEN_EVERY = 50  # one complaint in 50 is still open (with running clocks); the rest are closed
LIST_URL = "/api/v1/complaints/"
CONSTANT_URL = "/bench/constant/"
HUGE_RATE = "100000000/second"  # the per-carrier throttle still runs (and costs its cache round trips), never refuses


class Command(DevtoolCommand):
    help = (
        "Benchmark the partner API on PostgreSQL: load N complaints across three carriers (SQL, reused when "
        "present), then print queries and median time per request (first list page, page 10,000 deep, detail) "
        "and requests/second of the list endpoint under wrk against gunicorn, beside a bare DRF endpoint."
    )

    def add_arguments(self, parser):
        parser.add_argument("--complaints", type=int, default=1_000_000, help="complaints to have (default 1000000)")
        parser.add_argument("--repeat", type=int, default=50, help="requests per in-process measurement (default 50)")
        parser.add_argument("--duration", type=int, default=15, help="seconds of each load run (default 15)")
        parser.add_argument(
            "--tool",
            choices=("auto", "wrk", "python"),
            default="auto",
            help="load tool: wrk if installed (auto), or the built-in Python client",
        )
        parser.add_argument("--rounds", type=int, default=2, help="alternated load rounds per endpoint (default 2)")
        parser.add_argument("--connections", type=int, default=8, help="concurrent load connections (default 8)")
        parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default: 2 × CPU cores)")
        parser.add_argument("--port", type=int, default=0, help="gunicorn port (default: a free one)")
        parser.add_argument("--no-load", action="store_true", help="skip the gunicorn/wrk part")
        parser.add_argument("--load-only", action="store_true", help="skip the in-process part")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "bench_api needs PostgreSQL (it loads rows with generate_series and measures PostgreSQL's plans). "
                "Set DATABASE_URL=postgres://postgres@127.0.0.1:5432/redress_bench and run `manage.py migrate` first."
            )
        n = options["complaints"]
        if n < DEEP * 3 + 3:
            raise CommandError(
                f"--complaints must be at least {DEEP * 3 + 3}: the deep page is {DEEP} rows into one carrier's third."
            )
        self.stdout.write(
            f"database: PostgreSQL {connection.pg_version} {connection.settings_dict['NAME']}; "
            f"cpus: {os.cpu_count()}; {_load_average()}"
        )
        carriers = self._carriers()
        self._load(n, carriers)
        zto = carriers[0]
        _key, raw_key = api_key_issue(carrier=zto, name="bench_api")
        if not options["load_only"]:
            self._in_process(zto, raw_key, options["repeat"])
        if not options["no_load"]:
            self._under_load(raw_key, options)

    # --- 1. rows ------------------------------------------------------------------------------------------------

    def _carriers(self) -> list[Carrier]:
        carriers = []
        for code, zh, en in CARRIERS:
            carrier, _ = Carrier.objects.get_or_create(code=code, defaults={"name_zh": zh, "name_en": en})
            carriers.append(carrier)
        return carriers

    def _load(self, n: int, carriers: list[Carrier]) -> None:
        # Whatever the table holds counts (bench_report's and bench_admin's rows too): the API is measured on a table
        # of n complaints, and 10 million are not loaded twice. The planner's estimate, not a count of 10 million.
        with connection.cursor() as cursor:
            cursor.execute("SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE relname = 'complaints_complaint'")
            have = cursor.fetchone()[0]
        if have >= n * 0.99:
            self.stdout.write(f"about {have:,} complaints (any prefix) already loaded; none added")
            return
        have = Complaint.objects.count()
        self.stdout.write(f"loading {n - have:,} complaints ({have:,} there already) …")
        started = time.monotonic()
        ids = [c.pk for c in carriers]
        for low in range(have + 1, n + 1, CHUNK):
            high = min(low + CHUNK - 1, n)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    INSERT_SQL,
                    {
                        "low": low,
                        "high": high,
                        "newest": NEWEST,
                        "c0": ids[0],
                        "c1": ids[1],
                        "c2": ids[2],
                        "open_every": OPEN_EVERY,
                        "prefix": PREFIX,
                    },
                )
            self.stdout.write(f"  … {high:,} ({time.monotonic() - started:.0f} s)")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE complaints_complaint")
        self.stdout.write(f"loaded in {time.monotonic() - started:.1f} s")

    # --- 2. in process ------------------------------------------------------------------------------------------

    def _in_process(self, carrier: Carrier, raw_key: str, repeat: int) -> None:
        rest = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "carrier": HUGE_RATE},
        }
        ordered = Complaint.objects.filter(carrier=carrier).order_by("-created_at", "-id")
        deep_row = ordered.values("created_at", "reference")[DEEP - 1]
        expected_first_of_deep = ordered.values_list("reference", flat=True)[DEEP]
        paginator = NewestFirstCursorPagination()
        paginator.base_url = f"http://testserver{LIST_URL}"
        # What DRF puts in `next` after a page ending on that row: position = str(created_at), offset 0 (no ties).
        deep_url = paginator.encode_cursor(Cursor(offset=0, reverse=False, position=str(deep_row["created_at"])))
        # Other benchmarks' rows (prefix B) are not in the API's reference shape.
        addressable = ordered.filter(reference__startswith="C")
        detail_ref = (
            addressable.filter(next_due_at__isnull=False).values_list("reference", flat=True).first()
            or addressable.values_list("reference", flat=True).first()
        )
        cases = [
            ("list, first page (25)", LIST_URL),
            (f"list, {DEEP:,} rows deep (25)", deep_url.replace("http://testserver", "")),
            ("detail", f"{LIST_URL}{detail_ref}/"),
            ("list, overdue=true (25)", f"{LIST_URL}?overdue=true"),
            ("list, status=reopened (none)", f"{LIST_URL}?status=reopened"),
            ("constant (bare DRF)", CONSTANT_URL),
        ]
        if detail_ref is None:
            # A table loaded by bench_report only: the lists are measured on it all the same.
            self.stdout.write(f"no {carrier.code} complaint in the API's reference shape: the detail is not measured")
            cases = [case for case in cases if case[0] != "detail"]
        client = Client(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
        self.stdout.write(
            f"\nin process: Django test client, {repeat} interleaved rounds after one warm-up each, "
            f"carrier {carrier.code} ({ordered.count():,} complaints)"
        )
        self.stdout.write(f"{'request':32} {'queries':>7} {'median ms':>10} {'p90 ms':>8} {'CPU ms':>8}")
        results = {}
        counted: dict[str, list[str]] = {}
        times: dict[str, list[float]] = {label: [] for label, _url in cases}
        cpu: dict[str, list[float]] = {label: [] for label, _url in cases}
        with override_settings(
            REST_FRAMEWORK=rest,
            DEBUG=False,
            ALLOWED_HOSTS=["testserver"],
            ROOT_URLCONF="complaints.devtools.urls_bench",
        ):
            for label, url in cases:
                response = client.get(url)  # warm-up (also the once-a-minute last-used write of the key)
                if response.status_code != 200:
                    raise CommandError(f"{url} answered {response.status_code}: {response.content[:300]!r}")
                if "deep" in label:
                    first = response.json()["results"][0]["reference"]
                    if first != expected_first_of_deep:
                        raise CommandError(f"the deep page starts at {first}, expected {expected_first_of_deep}")
                # Counted with an execute wrapper: the test client's request_started signal empties
                # connection.queries, so CaptureQueriesContext would see nothing.
                counted[label] = []
                with connection.execute_wrapper(_recorder(counted[label])):
                    client.get(url)
            # Interleaved rounds: on a shared machine every request type meets the same moments of contention.
            for _ in range(repeat):
                for label, url in cases:
                    begin, begin_cpu = time.perf_counter(), time.process_time()
                    client.get(url)
                    times[label].append((time.perf_counter() - begin) * 1000)
                    cpu[label].append((time.process_time() - begin_cpu) * 1000)
        for label, _url in cases:
            median = statistics.median(times[label])
            p90 = statistics.quantiles(times[label], n=10)[-1] if repeat >= 2 else median
            results[label] = (len(counted[label]), median)
            self.stdout.write(
                f"{label:32} {len(counted[label]):>7} {median:>10.2f} {p90:>8.2f} {statistics.median(cpu[label]):>8.2f}"
            )
            if label.startswith("list, first"):
                for sql in counted[label]:
                    self.stdout.write(f"    {sql[:150]}")
        first, deep = results["list, first page (25)"][1], results[f"list, {DEEP:,} rows deep (25)"][1]
        self.stdout.write(f"deep page / first page: {deep / first:.2f}x")
        with connection.cursor() as cursor:
            position = deep_row["created_at"]
            cursor.execute(
                "EXPLAIN (ANALYZE, BUFFERS) SELECT id FROM complaints_complaint WHERE carrier_id = %s "
                "AND created_at < %s ORDER BY created_at DESC, id DESC LIMIT 26",
                [carrier.pk, position],
            )
            self.stdout.write("EXPLAIN of the deep page's query:")
            for (line,) in cursor.fetchall():
                self.stdout.write(f"    {line}")

    # --- 3. under load ------------------------------------------------------------------------------------------

    def _under_load(self, raw_key: str, options: dict) -> None:
        workers = options["workers"] or 2 * (os.cpu_count() or 1)
        port = options["port"] or _free_port()
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which("gunicorn")
        if not gunicorn:
            raise CommandError("gunicorn is not installed (it is in requirements.txt)")
        db = connection.settings_dict
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.bench",
            "DJANGO_SECRET_KEY": "bench-only-not-secret-" + "x" * 40,
            # The same database, so the same keys for the secrets stored in it.
            "REDRESS_SECRETS_KEY": ",".join(settings.REDRESS_SECRETS_KEY),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}",
            "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/5",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "REDRESS_API_RATE": HUGE_RATE,
            "LOG_LEVEL": "WARNING",
        }
        command = [
            gunicorn,
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
            "--chdir",
            str(settings.BASE_DIR),
        ]
        self.stdout.write(
            f"\nunder load: gunicorn {workers} sync workers (config.settings.bench = production "
            f"settings + the bare endpoint; persistent DB connections, Redis cache for the throttle)"
        )
        server = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_up(f"{base}/healthz", server)
            headers = {"Authorization": f"Bearer {raw_key}"}
            tool = options["tool"]
            if tool == "auto":
                tool = "wrk" if shutil.which("wrk") else "python"
            elif tool == "wrk" and not shutil.which("wrk"):
                raise CommandError("wrk is not installed (apt-get install -y wrk), use --tool python")
            self.stdout.write(f"load tool: {_describe(tool, options)}")
            figures: dict[str, list[float]] = {}
            targets = (("list, first page (25)", base + LIST_URL), ("constant (bare DRF)", base + CONSTANT_URL))
            for _label, url in targets:
                # warm every worker (first request imports, connects to PostgreSQL and Redis)
                _run_load(tool, url, headers, duration=2, connections=options["connections"])
            # Alternated rounds: on a shared machine both endpoints meet the same background load.
            for round_number in range(1, options["rounds"] + 1):
                for label, url in targets:
                    rps, latency, errors = _run_load(
                        tool, url, headers, duration=options["duration"], connections=options["connections"]
                    )
                    figures.setdefault(label, []).append(rps)
                    self.stdout.write(
                        f"round {round_number}: {label:28} {rps:>9.1f} req/s   latency avg {latency}   non-2xx {errors}"
                    )
            for label, values in figures.items():
                self.stdout.write(f"{label:32} {statistics.mean(values):>9.1f} req/s (mean of {len(values)})")
            figures = {label: statistics.mean(values) for label, values in figures.items()}
            self.stdout.write(_load_average())
            ratio = figures["constant (bare DRF)"] / figures["list, first page (25)"]
            self.stdout.write(
                f"constant / list: {ratio:.2f}x (the list endpoint gets {100 / ratio:.0f}% of the "
                "bare endpoint's throughput)"
            )
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=5)


def _load_average() -> str:
    # The machine may be shared: say how busy it was, since every timing depends on it.
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def _recorder(queries: list[str]):
    def record(execute, sql, params, many, context):
        queries.append(" ".join(sql.split()))
        return execute(sql, params, many, context)

    return record


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise CommandError(f"gunicorn exited with {server.returncode}: {server.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise CommandError(f"gunicorn did not answer {url} within {timeout:.0f} s")


def _describe(tool: str, options: dict) -> str:
    if tool == "wrk":
        return f"wrk -t2 -c{options['connections']} -d{options['duration']}s"
    return (
        f"Python threads with keep-alive http.client connections ({options['connections']} threads, "
        f"{options['duration']} s)"
    )


def _run_load(tool: str, url: str, headers: dict, *, duration: int, connections: int) -> tuple[float, str, int]:
    if tool == "wrk":
        command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        latency = re.search(r"Latency\s+(\S+)", out).group(1)
        errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
        return rps, latency, int(errors.group(1)) if errors else 0
    return _python_load(url, headers, duration=duration, connections=connections)


def _python_load(url: str, headers: dict, *, duration: int, connections: int) -> tuple[float, str, int]:
    """The fallback load generator: one keep-alive connection per thread, as many requests as it can."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    counts, errors, latencies = [0] * connections, [0] * connections, [[] for _ in range(connections)]
    stop = time.monotonic() + duration

    def worker(i: int) -> None:
        conn = HTTPConnection(parts.hostname, parts.port, timeout=10)
        while time.monotonic() < stop:
            begin = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            latencies[i].append(time.perf_counter() - begin)
            counts[i] += 1
            if not 200 <= response.status < 400:
                errors[i] += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    flat = [x for xs in latencies for x in xs]
    avg = f"{statistics.mean(flat) * 1000:.2f}ms" if flat else "-"
    return sum(counts) / duration, avg, sum(errors)


# One chunk of complaints g = low..high, in SQL. Carrier by g mod 3; created 30 s apart going back from NEWEST; one in
# OPEN_EVERY open (awaiting the carrier, with its clocks due), the others closed (resolved 2 days after, closed 5).
INSERT_SQL = """
INSERT INTO complaints_complaint (
    reference, waybill_number, category, channel, description, complainant_name, complainant_phone,
    complainant_email, language, contact_channel, declared_value, insured_value, shipping_fee, priority,
    risk_medical, risk_social_media, risk_regulator, risk_repeat, risk_high_value, status, escalation_level,
    received_at, first_response_at, resolved_at, closed_at, reopen_count, resolution_summary, root_cause,
    root_cause_area, carrier_liable, version, created_at, updated_at, carrier_id,
    first_response_due_at, resolution_due_at, progress_due_at, carrier_accept_due_at, carrier_reply_due_at,
    statutory_due_at, next_due_at, next_alert_at
)
SELECT
    %(prefix)s || lpad(g::text, 9, '0'),
    'ZT' || lpad((7500000000 + g)::text, 12, '0'),
    (ARRAY['delay','loss','damage','contents_mismatch','delivery_service','pickup_service','staff_attitude',
           'improper_charges','cod','other'])[1 + g %% 10],
    (ARRAY['phone','email','web','platform','partner_api'])[1 + g %% 5],
    '快件已经延误三天，物流信息一直没有更新。请尽快核实并联系我。',
    '张伟',
    '+86139' || lpad((g %% 100000000)::text, 8, '0'),
    CASE WHEN g %% 4 = 0 THEN 'user' || g || '@example.com' ELSE '' END,
    CASE WHEN g %% 7 = 0 THEN 'en' ELSE 'zh-hans' END,
    'sms',
    (100 + g %% 5000)::numeric(12, 2), 0, (8 + g %% 20)::numeric(12, 2),
    CASE WHEN g %% 13 = 0 THEN 'high' ELSE 'normal' END,
    false, false, false, false, false,
    CASE WHEN open THEN 'awaiting_carrier' ELSE 'closed' END,
    0,
    created, created + interval '2 hours',
    CASE WHEN open THEN NULL ELSE created + interval '2 days' END,
    CASE WHEN open THEN NULL ELSE created + interval '5 days' END,
    0,
    CASE WHEN open THEN '' ELSE '已补发并赔偿运费。' END,
    CASE WHEN open THEN '' ELSE '分拣中心错分。' END,
    CASE WHEN open THEN '' ELSE 'sorting' END,
    CASE WHEN open THEN NULL ELSE true END,
    3, created, created + interval '3 hours',
    (ARRAY[%(c0)s, %(c1)s, %(c2)s]::bigint[])[1 + g %% 3],
    NULL,
    CASE WHEN open THEN created + interval '72 hours' END,
    CASE WHEN open THEN created + interval '24 hours' END,
    CASE WHEN open THEN created + interval '4 hours' END,
    NULL,
    CASE WHEN open THEN created + interval '7 days' END,
    CASE WHEN open THEN created + interval '4 hours' END,
    NULL
FROM (
    SELECT g, %(newest)s::timestamptz - g * interval '30 seconds' AS created, g %% %(open_every)s = 1 AS open
    FROM generate_series(%(low)s::bigint, %(high)s::bigint) AS g
) AS rows
"""
