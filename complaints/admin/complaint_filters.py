"""The complaint changelist's sidebar filters."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.choices import OPEN_STATUSES
from complaints.selectors import overdue_condition


class AssignmentFilter(admin.SimpleListFilter):
    title = _("assignment")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return (("mine", _("Mine")), ("unassigned", _("Unassigned")))

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(owner=request.user)
        if self.value() == "unassigned":
            return queryset.filter(owner__isnull=True)
        return queryset


class DeadlineFilter(admin.SimpleListFilter):
    """Open complaints whose nearest clock is already overdue, or runs out within the next few hours."""

    title = _("deadline")
    parameter_name = "deadline"
    SOON = timedelta(hours=4)

    def lookups(self, request, model_admin):
        return (("overdue", _("Overdue")), ("soon", _("Due within 4 h")))

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "overdue":
            return queryset.filter(overdue_condition(now=now))
        if self.value() == "soon":
            return queryset.filter(status__in=OPEN_STATUSES, next_due_at__gte=now, next_due_at__lt=now + self.SOON)
        return queryset


class EscalationQueueFilter(admin.SimpleListFilter):
    """The supervisors' escalation queue: open complaints at level 1 or above, nearest due first (see
    ComplaintAdmin.get_ordering). Only offered to supervisors."""

    title = _("escalation queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return (("escalated", _("Escalation queue")),)

    def queryset(self, request, queryset):
        if self.value() == "escalated":
            return queryset.filter(status__in=OPEN_STATUSES, escalation_level__gte=1)
        return queryset
