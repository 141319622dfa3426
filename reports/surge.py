"""The surge alert (docs/domain.md's warning: a complaint spreading on social media brings many more). When complaints
about one carrier and category in the last 24 hours exceed three times their daily average over the four weeks
before, and number at least five, supervisors are alerted.

"Once" means once per carrier, category and local day: the outbox period is `surge:<carrier>:<category>:<date>`,
unique per recipient, so the hourly check can run as often as it likes; a surge still running the next day alerts
again that day, which is a reminder the supervisors want. Complaints without a carrier are not checked (there is no
one to take it up with)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, ExpressionWrapper, F, IntegerField, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from complaints.choices import Category, MessageChannel, MessageKind
from complaints.followups.outbox import messages_enqueue
from complaints.models import Complaint, OutboundMessage
from reports.selectors import supervisor_addresses

WINDOW = timedelta(hours=24)
BASELINE_DAYS = 28
FACTOR = 3
MINIMUM = 5


@dataclass
class Surge:
    carrier_id: int
    carrier_code: str
    category: str
    recent: int
    baseline: int  # complaints in the 28 days before the window

    @property
    def daily_average(self) -> float:
        return self.baseline / BASELINE_DAYS


@dataclass
class SurgeResult:
    surges: list[Surge] = field(default_factory=list)
    alerts: int = 0


def surges_find(*, now: datetime) -> list[Surge]:
    """One query: complaints per carrier and category, counted in the window and in the baseline with conditional
    aggregates; the threshold is applied in SQL (HAVING), in integers: recent × 28 > 3 × baseline."""
    window_start = now - WINDOW
    baseline_start = window_start - timedelta(days=BASELINE_DAYS)
    rows = (
        Complaint.objects.filter(carrier__isnull=False, received_at__gte=baseline_start, received_at__lte=now)
        .values("carrier_id", "carrier__code", "category")
        .annotate(
            recent=Count("pk", filter=Q(received_at__gt=window_start)),
            baseline=Count("pk", filter=Q(received_at__lte=window_start)),
        )
        .annotate(
            excess=ExpressionWrapper(F("recent") * BASELINE_DAYS - F("baseline") * FACTOR, output_field=IntegerField())
        )
        .filter(recent__gte=MINIMUM, excess__gt=0)
        .order_by("carrier__code", "category")
    )
    return [Surge(r["carrier_id"], r["carrier__code"], r["category"], r["recent"], r["baseline"]) for r in rows]


def surge_check(*, now: datetime | None = None) -> SurgeResult:
    """Find surges and alert supervisors (outbox, once per carrier, category and local day)."""
    now = now or timezone.now()
    result = SurgeResult(surges=surges_find(now=now))
    if not result.surges:
        return result
    day = timezone.localdate(now).isoformat()
    recipients = supervisor_addresses()
    base = settings.REDRESS_PUBLIC_BASE_URL.rstrip("/")
    messages = []
    for surge in result.surges:
        period = f"surge:{surge.carrier_code}:{surge.category}:{day}"
        with translation.override(settings.LANGUAGE_CODE):
            category = Category(surge.category).label if surge.category in Category.values else surge.category
            subject = _("Complaint surge: %(carrier)s, %(category)s: %(n)d in 24 h") % {
                "carrier": surge.carrier_code,
                "category": category,
                "n": surge.recent,
            }
            body = _(
                "%(n)d complaints about %(carrier)s in the category “%(category)s” arrived in the last 24 hours, "
                "against a daily average of %(avg).1f over the previous four weeks (alert above %(factor)d times "
                "that, and from %(minimum)d complaints). Check social media and the carrier before it spreads."
            ) % {
                "n": surge.recent,
                "carrier": surge.carrier_code,
                "category": category,
                "avg": surge.daily_average,
                "factor": FACTOR,
                "minimum": MINIMUM,
            }
        link = (
            f"{base}/admin/complaints/complaint/?carrier__id__exact={surge.carrier_id}&category__exact={surge.category}"
        )
        for address in recipients:
            messages.append(
                OutboundMessage(
                    complaint=None,
                    kind=MessageKind.SURGE_ALERT,
                    period=period,
                    channel=MessageChannel.EMAIL,
                    recipient=address,
                    language=settings.LANGUAGE_CODE,
                    subject=subject[:200],
                    body=f"{body}\n\n{link}\n",
                    due_at=now,
                    created_at=now,
                )
            )
    periods = {m.period for m in messages}
    before = OutboundMessage.objects.filter(complaint=None, kind=MessageKind.SURGE_ALERT, period__in=periods).count()
    messages_enqueue(messages)
    result.alerts = (
        OutboundMessage.objects.filter(complaint=None, kind=MessageKind.SURGE_ALERT, period__in=periods).count()
        - before
    )
    return result
