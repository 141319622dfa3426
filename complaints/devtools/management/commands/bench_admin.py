"""Benchmark of the agents' admin on a large table. See docs/benchmarks.md.

Uses the complaints bench_report loads (reference prefix B, with their events; loaded here through bench_report's
loader when the table holds fewer than --complaints), then, in process through Django's test client with the whole
middleware and admin stack (DEBUG off) as a superuser, prints for each page the queries and the median and worst
server time: the changelist, each sidebar filter with each of its choices, deep pages, the search (exact reference,
exact waybill, a phone typed with spaces, the start of a phone, name fragments) and the change page of a complaint with
an ordinary timeline and of one with thousands of events.
"""

from __future__ import annotations

import os
import re
import statistics
import time
from urllib.parse import urlencode

from django.contrib import admin
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from accounts.models import Carrier, User
from complaints.admin.complaint_actions import TIMELINE_LIMIT
from complaints.admin.paginator import COUNT_CAP
from complaints.choices import EventKind
from complaints.devtools.guard import DevtoolCommand
from complaints.models import Complaint

BENCH_USER = "bench_admin"
LONG_TIMELINE = 5_000  # events added to one complaint for the long change page
CHANGELIST = "admin:complaints_complaint_changelist"


class Command(DevtoolCommand):
    help = (
        "Benchmark the complaint admin on PostgreSQL (the rows bench_report loads, loaded through it when missing): "
        "queries and median/worst server time of the changelist, every filter choice, deep pages, the search "
        "(reference, waybill, phone, name fragment) and the change page with a short and a very long timeline."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--complaints", type=int, default=1_000_000, help="complaints the table must hold (default 1000000)"
        )
        parser.add_argument("--repeat", type=int, default=5, help="timed requests per page (default 5)")
        parser.add_argument(
            "--only", help="measure only the pages whose label contains one of these comma-separated texts"
        )
        parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of each search's queries")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "bench_admin needs PostgreSQL (its indexes, trigram search and plans are what it measures): set "
                "DATABASE_URL=postgres://postgres@127.0.0.1:5432/redress_bench and run `manage.py migrate` first."
            )
        n = options["complaints"]
        total = _estimate("complaints_complaint")
        if total < n * 0.99:
            self.stdout.write(f"the table holds about {total:,} complaints; loading up to {n:,} with bench_report …")
            call_command("bench_report", complaints=n, load_only=True, stdout=self.stdout)
        self.stdout.write(
            f"database: PostgreSQL {connection.pg_version} {connection.settings_dict['NAME']}; cpus: {os.cpu_count()}; "
            f"{_load_average()}; complaints ≈ {_estimate('complaints_complaint'):,}, events ≈ "
            f"{_estimate('complaints_complaintevent'):,}"
        )
        user, _created = User.objects.get_or_create(
            username=BENCH_USER, defaults={"is_staff": True, "is_superuser": True, "first_name": "Bench"}
        )
        client = Client()
        client.force_login(user)
        pages = self._pages(user)
        if options["only"]:
            wanted = options["only"].split(",")
            pages = [(label, url, expect) for label, url, expect in pages if any(w in label for w in wanted)]
        self.stdout.write(
            f"\nin process (Django test client, DEBUG off, superuser), {options['repeat']} requests per page after one "
            "warm-up; server time = the request through the whole stack"
        )
        self.stdout.write(
            f"{'page':58} {'status':>6} {'queries':>7} {'median ms':>10} {'worst ms':>9} {'CPU ms':>7} "
            f"{'SQL ms':>7}  rows"
        )
        worst_by_kind: dict[str, float] = {}
        with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
            for label, url, expect in pages:
                response = client.get(url)  # warm-up
                if response.status_code != expect:
                    raise CommandError(f"{label}: {url} answered {response.status_code}, expected {expect}")
                queries: list = []
                with connection.execute_wrapper(_recorder(queries)):
                    response = client.get(url)
                times, cpu, sql = [], [], []
                for _ in range(options["repeat"]):
                    spent: list[float] = []
                    with connection.execute_wrapper(_recorder([], spent)):
                        began, began_cpu = time.perf_counter(), time.process_time()
                        client.get(url)
                        times.append((time.perf_counter() - began) * 1000)
                        cpu.append((time.process_time() - began_cpu) * 1000)
                    sql.append(sum(spent))
                median, worst = statistics.median(times), max(times)
                kind = label.split(":", 1)[0]
                worst_by_kind[kind] = max(worst_by_kind.get(kind, 0), median)
                self.stdout.write(
                    f"{label[:58]:58} {response.status_code:>6} {len(queries):>7} {median:>10.1f} {worst:>9.1f} "
                    f"{statistics.median(cpu):>7.1f} {statistics.median(sql):>7.1f}  "
                    f"{_rows(response)}"
                )
                if options["explain"] and kind == "search":
                    self._explain(queries)
        self.stdout.write(
            "\nslowest median per kind of page: " + ", ".join(f"{k} {v:.0f} ms" for k, v in worst_by_kind.items())
        )
        self.stdout.write(_load_average())

    # --- the pages --------------------------------------------------------------------------------------------------

    def _pages(self, user: User) -> list[tuple[str, str, int]]:
        changelist = reverse(CHANGELIST)
        pages = [("changelist: first page", changelist, 200)]
        # Every sidebar filter the admin offers (a supervisor sees them all), with each of its choices.
        model_admin = admin.site._registry[Complaint]
        parameters = {getattr(spec, "parameter_name", spec) for spec in model_admin.list_filter}
        for spec in model_admin.list_filter:
            if isinstance(spec, str):
                field = Complaint._meta.get_field(spec)
                if field.is_relation:
                    values = [
                        (str(pk), code) for pk, code in Carrier.objects.order_by("code").values_list("pk", "code")
                    ]
                    parameter = f"{spec}__id__exact"
                else:
                    values = [(str(v), str(v)) for v, _label in field.choices] if field.choices else [("0", "0")]
                    parameter = f"{spec}__exact"
                for value, shown in values[:12]:
                    pages.append((f"filter: {spec}={shown}", f"{changelist}?{urlencode({parameter: value})}", 200))
            else:
                choices = spec.lookups(spec.__new__(spec), None, model_admin)
                for value, _label in choices:
                    url = f"{changelist}?{urlencode({spec.parameter_name: value})}"
                    pages.append((f"filter: {spec.parameter_name}={value}", url, 200))
        last_page = COUNT_CAP // 50 + 1
        # Every complaint, whatever the default view is (the queue filter opens on the user's own work).
        everything = f"{changelist}?queue=all&" if "queue" in parameters else f"{changelist}?"
        pages += [
            ("deep: page 100", f"{everything}p=100", 200),
            (f"deep: page {last_page} (the last the capped count allows)", f"{everything}p={last_page}", 200),
            ("deep: page 100 of status=closed", f"{everything}status__exact=closed&p=100", 200),
            # A page past the cap is refused like any page past the end: the admin redirects to ?e=1.
            (f"deep: page {last_page + 1000} (refused)", f"{everything}p={last_page + 1000}", 302),
        ]
        sample = (
            Complaint.objects.filter(reference__startswith="B")
            .order_by("pk")[_estimate("complaints_complaint") // 2 :]
            .values("pk", "reference", "waybill_number", "complainant_phone", "complainant_name")
            .first()
        )
        if sample is None:
            raise CommandError("no benchmark complaints (reference prefix B): run bench_report --load-only first")
        phone = sample["complainant_phone"].removeprefix("+86")
        for label, term in (
            ("search: reference, exact", sample["reference"]),
            ("search: reference, lower case", sample["reference"].lower()),
            ("search: waybill, exact", sample["waybill_number"]),
            ("search: waybill, lower case with spaces", _spaced(sample["waybill_number"].lower())),
            ("search: phone, typed 139 1234 5678", f"{phone[:3]} {phone[3:7]} {phone[7:]}"),
            ("search: phone, typed +86 139-1234-5678", f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}"),
            ("search: phone, its first 7 digits", phone[:7]),
            ("search: name, full (2 characters)", sample["complainant_name"][:2]),
            ("search: name, surname (1 character)", sample["complainant_name"][:1]),
            (
                "search: name fragment (3 characters)",
                sample["complainant_name"][:3] if len(sample["complainant_name"]) >= 3 else "王秀英",
            ),
            ("search: name fragment, inside (秀英)", "秀英"),
            ("search: name, no such person", "欧阳娜娜"),
            ("search: nothing matches (a waybill)", "ZZ0000000000"),
        ):
            pages.append((label, f"{changelist}?{urlencode({'q': term})}", 200))
        short = Complaint.objects.filter(pk=sample["pk"]).get()
        long = self._long_timeline_complaint()
        change = "admin:complaints_complaint_change"
        events = reverse("admin:complaints_complaintevent_changelist")
        pages += [
            (f"change: {short.events.count()} events", reverse(change, args=[short.pk]), 200),
            (
                f"change: {long.events.count():,} events (newest {TIMELINE_LIMIT} shown)",
                reverse(change, args=[long.pk]),
                200,
            ),
            ("events: audit trail, first page", events, 200),
            ("events: one complaint's", f"{events}?complaint__id__exact={long.pk}", 200),
        ]
        return pages

    def _long_timeline_complaint(self) -> Complaint:
        """The first benchmark complaint, with LONG_TIMELINE internal notes added once (kept for the next run)."""
        complaint = Complaint.objects.filter(reference__startswith="B").order_by("pk").first()
        missing = LONG_TIMELINE - complaint.events.filter(kind=EventKind.INTERNAL_NOTE).count()
        if missing > 0:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    """
                    INSERT INTO complaints_complaintevent (complaint_id, kind, actor_role, visibility, message, data,
                      created_at)
                    SELECT %s, %s, 'agent', 'internal', 'Called the depot again: no answer.', '{}',
                      %s::timestamptz + g * interval '1 minute'
                    FROM generate_series(1, %s) g
                    """,
                    [complaint.pk, EventKind.INTERNAL_NOTE, complaint.received_at, missing],
                )
        return complaint

    def _explain(self, queries: list) -> None:
        for sql, params in queries:
            if "complaints_complaint" not in sql or not sql.lstrip().upper().startswith("SELECT"):
                continue
            self.stdout.write(f"    {' '.join(sql.split())[:300]}")
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                for (line,) in cursor.fetchall():
                    self.stdout.write(f"      {line}")


def _spaced(code: str) -> str:
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def _estimate(table: str) -> int:
    # The planner's row estimate (kept by ANALYZE): counting 10 million rows is what this benchmark avoids.
    with connection.cursor() as cursor:
        cursor.execute("SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE relname = %s", [table])
        row = cursor.fetchone()
        return row[0] if row else 0


def _rows(response) -> str:
    """What the changelist says it shows: the rows on the page and its count line (from the HTML)."""
    if response.status_code != 200:
        return ""
    html = response.content.decode()
    rows = html.count('class="action-select"')
    paginator = re.search(r'<p class="paginator">(.*?)</p>', html, re.S)
    if paginator is None:
        return ""
    words = re.sub(r"<[^>]+>", " ", paginator.group(1)).split()
    return f"{rows} rows; {' '.join(words)[-60:]}"


def _load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def _recorder(queries: list, sql_ms: list | None = None):
    def record(execute, sql, params, many, context):
        queries.append((sql, params))
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if sql_ms is not None:
                sql_ms.append((time.perf_counter() - began) * 1000)

    return record
