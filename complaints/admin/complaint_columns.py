"""How the admin shows a complaint's clocks and age: the changelist's columns and the change page's clock table. The
warning threshold is the SLA's own (complaints.sla.clocks.warn_at), never worked out again here."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from complaints.choices import OPEN_STATUSES, Clock, Status
from complaints.models import Complaint
from complaints.sla.clocks import DUE_FIELDS, warn_at


def duration(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    if hours < 1:
        return gettext("%(m)d min") % {"m": max(0, int(delta.total_seconds() // 60))}
    if hours < 48:
        return gettext("%(h)d h") % {"h": hours}
    return gettext("%(d)d d %(h)d h") % {"d": hours // 24, "h": hours % 24}


def clock_rows(obj: Complaint) -> list[dict]:
    """Each clock with its due time, "paused" (resolution while awaiting the complainant) or not running."""
    rows = []
    is_open = obj.status in OPEN_STATUSES
    now = timezone.now()
    for clock, field in DUE_FIELDS.items():
        due = getattr(obj, field)
        paused = is_open and clock == Clock.RESOLUTION and obj.status == Status.AWAITING_CUSTOMER
        rows.append(
            {
                "label": Clock(clock).label,
                "due": due if is_open else None,
                "paused": paused,
                "overdue": bool(is_open and due and due <= now),
            }
        )
    return rows


class ComplaintColumnsMixin:
    """The computed columns of the complaint changelist (and the change page's repeat link)."""

    @admin.display(description=_("carrier"), ordering="carrier__code")
    def carrier_code(self, obj: Complaint) -> str:
        return obj.carrier.code if obj.carrier_id else "—"

    @admin.display(description=_("clocks"), ordering="next_due_at")
    def clocks(self, obj: Complaint) -> str:
        """The nearest running clock, from the stored due times only (no query per row)."""
        if obj.status not in OPEN_STATUSES or obj.next_due_at is None:
            return "—"
        clock, due = min(
            ((c, getattr(obj, f)) for c, f in DUE_FIELDS.items() if getattr(obj, f) is not None),
            key=lambda pair: pair[1],
        )
        label = Clock(clock).label
        now = timezone.now()
        left = due - now
        if left.total_seconds() <= 0:
            css, color = "redress-clock-overdue", "#ba2121"
            text = gettext("%(clock)s overdue %(t)s") % {"clock": label, "t": duration(-left)}
        else:
            policy = obj.sla_policy
            warning = policy is not None and now >= warn_at(policy, clock, due)
            css, color = ("redress-clock-warning", "#b57800") if warning else ("redress-clock-ok", "#2e7d32")
            text = gettext("%(clock)s %(t)s left") % {"clock": label, "t": duration(left)}
        return format_html(
            '<span class="{}" style="color: {}; font-weight: bold" title="{}">{}</span>',
            css,
            color,
            timezone.localtime(due).strftime("%Y-%m-%d %H:%M"),
            text,
        )

    @admin.display(description=_("age"), ordering="received_at")
    def age(self, obj: Complaint) -> str:
        if obj.status in OPEN_STATUSES:
            return duration(timezone.now() - obj.received_at)
        end = obj.resolved_at or obj.closed_at
        return gettext("done in %(t)s") % {"t": duration(end - obj.received_at)} if end else "—"

    @admin.display(description=_("possible duplicate of"))
    def duplicate_link(self, obj: Complaint) -> str:
        return self._complaint_link(obj.duplicate_of_id, obj.duplicate_of)

    @admin.display(description=_("merged into"))
    def merged_into_link(self, obj: Complaint) -> str:
        return self._complaint_link(obj.merged_into_id, obj.merged_into)

    @staticmethod
    def _complaint_link(pk, complaint) -> str:
        if not pk:
            return "—"
        url = reverse("admin:complaints_complaint_change", args=[pk])
        return format_html('<a href="{}">{}</a> ({})', url, complaint, complaint.get_status_display())

    @admin.display(description=_("repeat of"))
    def repeat_link(self, obj: Complaint) -> str:
        if not obj.repeat_of_id:
            return "—"
        url = reverse("admin:complaints_complaint_change", args=[obj.repeat_of_id])
        return format_html('<a href="{}">{}</a>', url, obj.repeat_of)
