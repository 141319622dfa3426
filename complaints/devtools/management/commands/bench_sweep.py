"""Benchmark of the minute sweeps and the outbox dispatcher on a large table. See docs/benchmarks.md."""

import random
import tempfile
import time
from datetime import timedelta

from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from complaints.choices import (
    OPEN_STATUSES,
    Category,
    Channel,
    Clock,
    ContactChannel,
    Language,
    MessageChannel,
    MessageKind,
    MessageState,
    Status,
)
from complaints.devtools.guard import DevtoolCommand
from complaints.followups.outbox import DispatchResult, outbox_dispatch
from complaints.followups.planning import progress_updates_plan, revisits_plan
from complaints.models import Complaint, OutboundMessage, SlaPolicy
from complaints.sla.clocks import DUE_FIELDS, next_alert, policy_for, target
from complaints.sla.sweep import clocks_sweep

MARKER = "BENCH"  # waybill and reference prefix of the benchmark's rows


class Command(DevtoolCommand):
    help = (
        "Benchmark the clock sweep, progress-update and revisit planners and the outbox dispatcher. Creates N open "
        "complaints (waybill prefix BENCH) directly with bulk_create, NOT through the services (no events, no "
        "acknowledgements, no audit), about 1% of them due for an SLA warning or breach and 0.5% for a progress "
        "update; then times one run of clocks_sweep + progress_updates_plan + revisits_plan, counting queries; then "
        "queues M due SMS and times outbox_dispatch with the FileBackend into a temporary folder. Meant for a "
        "scratch PostgreSQL database: it writes rows and sends (to locmem/file) every due message in the database. "
        "Measure on fresh rows: run --cleanup first, since a second run finds the due complaints already handled."
    )

    def add_arguments(self, parser):
        parser.add_argument("--complaints", type=int, default=100_000, help="open complaints to have (default 100000)")
        parser.add_argument("--messages", type=int, default=2_000, help="due SMS to dispatch (default 2000)")
        parser.add_argument("--cleanup", action="store_true", help="delete the benchmark's rows and stop")

    def handle(self, *args, **options):
        if options["cleanup"]:
            self._cleanup()
            return
        n, m = options["complaints"], options["messages"]
        if m > n:
            raise CommandError("--messages cannot exceed --complaints (each message belongs to a bench complaint)")
        self.stdout.write(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        self._create(n)
        self._time_sweeps()
        self._time_dispatch(m)

    # --- rows ---------------------------------------------------------------------------------------------------

    def _bench(self):
        return Complaint.objects.filter(waybill_number__startswith=MARKER)

    def _create(self, n: int) -> None:
        have = self._bench().count()
        if have >= n:
            self.stdout.write(f"{have} bench complaints exist; none created")
            return
        policies = list(SlaPolicy.objects.filter(is_active=True))
        if not policies:
            raise CommandError("no active SLA policy: run migrate (0004 creates the default ones)")
        now = timezone.now()
        rng = random.Random(20261124)
        started = time.monotonic()
        batch: list[Complaint] = []
        for i in range(have, n):
            complaint = Complaint(
                reference=f"{MARKER}{i:08d}",
                waybill_number=f"{MARKER}{i:010d}",
                category=Category.DELAY,
                channel=Channel.PHONE,
                description="快件已经延误三天，物流信息一直没有更新。",
                complainant_name="张伟",
                complainant_phone=f"137{i:08d}",
                language=Language.ZH_HANS,
                contact_channel=ContactChannel.SMS,
                status=Status.IN_PROGRESS if i % 10 < 7 else Status.ACKNOWLEDGED,
            )
            policy = policy_for(complaint, policies)
            resolution = target(policy, Clock.RESOLUTION)
            if i % 200 == 0:  # 0.5%: past the warning threshold of the resolution clock, not yet due
                received = now - resolution * 0.9
            elif i % 200 == 1:  # 0.5%: resolution clock breached an hour ago
                received = now - resolution - timedelta(hours=1)
            else:  # the rest: well before any warning
                received = now - resolution * rng.uniform(0, 0.7)
            complaint.received_at = complaint.created_at = complaint.updated_at = received
            complaint.first_response_at = received + timedelta(minutes=30)
            complaint.sla_policy = policy
            due = {
                Clock.RESOLUTION: received + resolution,
                Clock.STATUTORY: received + target(policy, Clock.STATUTORY),
                # 0.5% owe the complainant a progress update now; the others later today
                Clock.PROGRESS: now - timedelta(minutes=5)
                if i % 200 == 2
                else now + timedelta(hours=rng.uniform(1, 23)),
            }
            for clock, value in due.items():
                setattr(complaint, DUE_FIELDS[clock], value)
            complaint.next_due_at = min(due.values())
            complaint.next_alert_at = next_alert(policy=policy, due=due, recorded=set())
            batch.append(complaint)
            if len(batch) == 5000:
                Complaint.objects.bulk_create(batch, batch_size=5000)
                batch = []
        if batch:
            Complaint.objects.bulk_create(batch, batch_size=5000)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE complaints_complaint")
        self.stdout.write(f"created {n - have} bench complaints in {time.monotonic() - started:.1f} s")

    def _cleanup(self) -> None:
        with transaction.atomic():
            # Cascades to their clock alerts, events (DELETE is allowed; only UPDATE is refused) and messages.
            deleted, by_model = self._bench().delete()
        self.stdout.write(f"deleted {deleted} rows: {by_model}")

    # --- timings ------------------------------------------------------------------------------------------------

    def _time_sweeps(self) -> None:
        now = timezone.now()
        open_bench = self._bench().filter(status__in=OPEN_STATUSES)
        total = Complaint.objects.filter(status__in=OPEN_STATUSES).count()
        alert_due = Complaint.objects.filter(status__in=OPEN_STATUSES, next_alert_at__lte=now).count()
        progress_due = Complaint.objects.filter(status__in=OPEN_STATUSES, progress_due_at__lte=now).count()
        self.stdout.write(
            f"open complaints: {total} ({open_bench.count()} bench); due now: {alert_due} for a "
            f"warning or breach, {progress_due} for a progress update"
        )
        self._sweep_once("SWEEP", now, total, f"{alert_due}+{progress_due}")
        # The usual minute: the same table, nothing left due.
        self._sweep_once("SWEEP-IDLE", now, total, "0+0")

    def _sweep_once(self, label: str, now, total: int, due: str) -> None:
        timings = {}
        # No after-commit nudge to a real broker/worker: the dispatcher is timed on its own below.
        with override_settings(REDRESS_NUDGE_DISPATCHER=False), CaptureQueriesContext(connection) as everything:
            for name, run in (
                ("clocks_sweep", clocks_sweep),
                ("progress_updates_plan", progress_updates_plan),
                ("revisits_plan", revisits_plan),
            ):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    result = run(now=now)
                    seconds = time.perf_counter() - started
                timings[name] = seconds
                shown = {k: v for k, v in vars(result).items() if k != "details"}
                self.stdout.write(f"  {name}: {seconds:.3f} s, {len(queries)} queries, {shown}")
        self.stdout.write(
            f"{label} complaints={total} due={due} seconds={sum(timings.values()):.3f} queries={len(everything)}"
        )

    def _time_dispatch(self, m: int) -> None:
        now = timezone.now()
        bench_ids = set(self._bench().values_list("pk", flat=True))
        foreign = (
            OutboundMessage.objects.filter(state=MessageState.PENDING, due_at__lte=now)
            .exclude(complaint_id__in=bench_ids)
            .count()
            if len(bench_ids) < 50_000
            else (
                OutboundMessage.objects.filter(state=MessageState.PENDING, due_at__lte=now)
                .exclude(complaint__waybill_number__startswith=MARKER)
                .count()
            )
        )
        if foreign:
            raise CommandError(
                f"{foreign} due messages that are not the benchmark's are waiting; the dispatcher "
                "would send them. Use a scratch database."
            )
        complaints = list(self._bench().order_by("pk").only("pk", "complainant_phone", "reference")[:m])
        period = f"bench:{now.isoformat()}"[:64]
        OutboundMessage.objects.bulk_create(
            [
                OutboundMessage(
                    complaint=c,
                    kind=MessageKind.PROGRESS_UPDATE,
                    period=period,
                    channel=MessageChannel.SMS,
                    recipient=c.complainant_phone,
                    language=Language.ZH_HANS,
                    subject="",
                    body=(
                        f"【Redress客服】您的投诉（编号 {c.reference}）正在处理中，我们将在明天同一时间前再次告知进展。"
                    ),
                    due_at=now,
                    created_at=now,
                )
                for c in complaints
            ],
            batch_size=2000,
        )
        pending = OutboundMessage.objects.filter(state=MessageState.PENDING, due_at__lte=now).count()
        self.stdout.write(f"queued {len(complaints)} SMS; {pending} messages due in all (with the sweep's alerts)")
        with (
            tempfile.TemporaryDirectory() as folder,
            override_settings(
                REDRESS_SMS_BACKEND="complaints.followups.sms.FileBackend",
                REDRESS_SMS_FILE_DIR=folder,
                EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
                REDRESS_QUIET_HOURS_START=24,
                REDRESS_QUIET_HOURS_END=0,
            ),
        ):
            totals = DispatchResult()
            runs = 0
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                while True:
                    result = outbox_dispatch(now=now)
                    runs += 1
                    for key, value in vars(result).items():
                        setattr(totals, key, getattr(totals, key) + value)
                    if not (result.sent or result.retried or result.failed or result.deferred):
                        break
                seconds = time.perf_counter() - started
        sms = OutboundMessage.objects.filter(period=period, state=MessageState.SENT).count()
        self.stdout.write(f"  outbox_dispatch x{runs}: {vars(totals)}, {len(queries)} queries")
        self.stdout.write(
            f"DISPATCH messages={totals.sent} (sms={sms}) seconds={seconds:.3f} per_second={totals.sent / seconds:.0f}"
        )
