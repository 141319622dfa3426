"""Business actions of reporting."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditAction, Carrier, User
from complaints.choices import MessageChannel, MessageKind
from complaints.errors import InvalidInput
from complaints.followups.outbox import messages_enqueue
from complaints.models import OutboundMessage
from reports import exports
from reports import presentation as p
from reports.metrics import week_compute
from reports.models import ParcelVolume, WeeklyReport
from reports.selectors import supervisor_addresses
from reports.weeks import IsoWeek

# A sanity bound, not a business rule: the largest carriers handle a few hundred million parcels a week.
MAX_WEEKLY_PARCELS = 10_000_000_000


def parcel_volume_set(
    *, carrier: Carrier, iso_week: str, parcels: int, actor: User | None = None, at: datetime | None = None
) -> tuple[ParcelVolume, bool]:
    """Record (or correct) the carrier's parcel volume for an ISO week. Returns the row and whether it was new.
    Setting the same figure again changes nothing."""
    week = IsoWeek.parse(iso_week, field="iso_week")
    if isinstance(parcels, bool) or not isinstance(parcels, int) or parcels < 0 or parcels > MAX_WEEKLY_PARCELS:
        raise InvalidInput(
            _("The parcel volume is not valid."),
            fields={
                "parcels": [_("Give a whole number of parcels from 0 to %(max)s.") % {"max": f"{MAX_WEEKLY_PARCELS:,}"}]
            },
        )
    at = at or timezone.now()
    with transaction.atomic():
        volume, created = ParcelVolume.objects.select_for_update().get_or_create(
            carrier=carrier,
            week_start=week.monday,
            defaults={"iso_week": str(week), "parcels": parcels, "reported_by": actor, "reported_at": at},
        )
        if not created and volume.parcels != parcels:
            volume.parcels, volume.reported_by, volume.reported_at = parcels, actor, at
            volume.save(update_fields=["parcels", "reported_by", "reported_at"])
    return volume, created


def weekly_report_build(
    *, week: IsoWeek | str, actor: User | None = None, recompute: bool = False, now: datetime | None = None
) -> WeeklyReport:
    """The stored snapshot of `week`, computing and storing it if there is none. A stored snapshot is returned as
    it is (it is what supervisors read and were sent); `recompute=True` replaces its figures explicitly, keeping
    when it was emailed. Only a complete week is stored: half a week would later be read as the week (the week in
    progress is read live, reports.reading). Safe to call twice and from two workers at once: the ISO week is
    unique."""
    if isinstance(week, str):
        week = IsoWeek.parse(week)
    now = now or timezone.now()
    if week.end > now:
        raise InvalidInput(
            _("%(week)s is not over yet; only a complete week is stored.") % {"week": week},
            fields={"week": [_("Choose a week that has ended, such as the last one.")]},
        )
    if not recompute:
        existing = WeeklyReport.objects.filter(iso_week=str(week)).first()
        if existing is not None:
            return existing
    # Computed outside the row lock: the figures are read-only work, and the lock is only for the write.
    data = week_compute(week=week, now=now)
    with transaction.atomic():
        report, created = WeeklyReport.objects.select_for_update().get_or_create(
            iso_week=str(week),
            defaults={"week_start": week.monday, "data": data, "computed_at": now, "computed_by": actor},
        )
        if not created and recompute:
            audit = {
                "iso_week": str(week),
                "previous_computed_at": report.computed_at,
                "previous_computed_by": report.computed_by.username if report.computed_by else None,
                "changed": _headline_changes(report.data, data),
            }
            report.data, report.computed_at, report.computed_by = data, now, actor
            report.save(update_fields=["data", "computed_at", "computed_by"])
            audit_record(actor=actor, action=AuditAction.REPORT_RECOMPUTED, target=report, data=audit, at=now)
    return report


def _headline_changes(before: dict, after: dict) -> dict:
    """The headline figures a recompute changed: {figure: [before, after]}."""
    old, new = (before or {}).get("headline") or {}, (after or {}).get("headline") or {}
    changes = {}
    for figure in sorted(old.keys() | new.keys()):
        was, now = (old.get(figure) or {}).get("value"), (new.get(figure) or {}).get("value")
        if was != now:
            changes[figure] = [was, now]
    return changes


def weekly_report_mark_emailed(*, report: WeeklyReport, at: datetime | None = None) -> bool:
    """Claim the week's email: sets `emailed_at` if it is still empty and says whether this call did it, so the
    Monday email is queued exactly once even when two workers run the job."""
    at = at or timezone.now()
    claimed = WeeklyReport.objects.filter(pk=report.pk, emailed_at__isnull=True).update(emailed_at=at)
    if claimed:
        report.emailed_at = at
    return bool(claimed)


# --- The Monday email -----------------------------------------------------------------------------------------------


def weekly_report_email(*, week: IsoWeek | str, now: datetime | None = None) -> int:
    """Queue `week`'s report for every active supervisor with an email (HTML body with the headline figures and
    charts, the workbook attached), building the snapshot first if needed. Exactly once per week: the snapshot row is
    locked and marked `emailed_at`, and the outbox is unique per kind, period and recipient, so beat firing twice or
    a worker retrying sends nothing more. Returns the number of messages queued by this call."""
    if isinstance(week, str):
        week = IsoWeek.parse(week)
    now = now or timezone.now()
    if week.end > now:
        raise InvalidInput(
            _("%(week)s is not over yet; only a complete week is emailed.") % {"week": week},
            fields={"week": [_("Choose a week that has ended, such as the last one.")]},
        )
    report = weekly_report_build(week=week, now=now)
    with transaction.atomic():
        # The claim and the messages commit together: a failure leaves the week unclaimed for the next run.
        if not weekly_report_mark_emailed(report=report, at=now):
            return 0
        language = settings.LANGUAGE_CODE
        with translation.override(language):
            page_url = settings.REDRESS_PUBLIC_BASE_URL.rstrip("/") + reverse("reports-weekly-week", args=[str(week)])
            subject = p.week_title(report.data)
            body = exports.report_text(report.data) + "\n" + page_url + "\n"
            html = exports.report_html(report.data, page_url=page_url)
            workbook = exports.report_xlsx(report.data)
        recipients = supervisor_addresses()
        already = set(
            OutboundMessage.objects.filter(
                complaint=None, kind=MessageKind.WEEKLY_REPORT, period=str(week)
            ).values_list("recipient", flat=True)
        )
        messages_enqueue(
            [
                OutboundMessage(
                    complaint=None,
                    kind=MessageKind.WEEKLY_REPORT,
                    period=str(week),
                    channel=MessageChannel.EMAIL,
                    recipient=address,
                    language=language,
                    subject=subject[:200],
                    body=body,
                    html_body=html,
                    attachment=workbook,
                    attachment_name=exports.filename(report.data, "xlsx"),
                    attachment_type=exports.XLSX_TYPE,
                    due_at=now,
                    created_at=now,
                )
                for address in recipients
                if address not in already
            ]
        )
    return len([a for a in recipients if a not in already])
