"""The complaint changelist's sidebar filters."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import IS_POPUP_VAR, SEARCH_VAR
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_supervisor
from complaints.choices import OPEN_STATUSES, EscalationLevel
from complaints.queues import Queue, queue_condition, queue_count, queue_count_display, queues_for
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


class QueueFilter(admin.SimpleListFilter):
    """The one-click work queues (complaints.queues), each with its count, capped at "999+". Opened with no filter and
    no search, the list shows the agent's own open work ("Mine"); "All complaints" lifts it. Supervisors also get the
    unassigned work of each escalation level, and the escalation queue (levels 1 and 2). Every view is ordered by the
    next due time (ComplaintAdmin.ordering)."""

    title = _("queue")
    parameter_name = "queue"
    LEVEL_SEPARATOR = ":"

    def __init__(self, request, params, model, model_admin):
        # Listed first, so `params` still holds every other filter's parameters here.
        self.defaulted = (
            self.parameter_name not in params
            and not params
            and request is not None
            and not request.GET.get(SEARCH_VAR)
            and IS_POPUP_VAR not in request.GET
        )
        super().__init__(request, params, model, model_admin)

    def _views(self, request) -> list[tuple[str, str, int | None]]:
        """(value, label, level) of each view offered to this user."""
        if request is None:  # asked without a user (e.g. to list the views): the agents' views
            return [(q.value, q.label, None) for q in Queue if q != Queue.ESCALATED]
        views = []
        for queue in queues_for(user=request.user):
            if queue == Queue.UNASSIGNED and is_supervisor(request.user):
                for level in EscalationLevel:
                    label = gettext("Unassigned at level: %(level)s") % {"level": level.label}
                    views.append((f"{queue.value}{self.LEVEL_SEPARATOR}{level.value}", label, level.value))
            else:
                views.append((queue.value, queue.label, None))
        return views

    def lookups(self, request, model_admin):
        if request is None:
            return [(value, label) for value, label, _level in self._views(None)]
        now = timezone.now()
        choices = []
        for value, label, level in self._views(request):
            if value == Queue.ALL:
                choices.append((value, label))
                continue
            queue = value.split(self.LEVEL_SEPARATOR)[0]
            count = queue_count(condition=queue_condition(queue=queue, user=request.user, now=now, level=level))
            choices.append((value, f"{label} ({queue_count_display(count)})"))
        return choices

    def value(self):
        return super().value() or (Queue.MINE.value if getattr(self, "defaulted", False) else None)

    def choices(self, changelist):
        # No "All" entry of its own: "All complaints" is one of the views (so the default can be "Mine").
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value()
        if value is None or value == Queue.ALL:
            return queryset
        offered = {v: level for v, _label, level in self._views(request)}
        if value == Queue.UNASSIGNED:  # a supervisor's own level, asked by its plain name
            offered[value] = None
        if value not in offered:
            raise IncorrectLookupParameters(value)
        queue = value.split(self.LEVEL_SEPARATOR)[0]
        return queryset.filter(
            queue_condition(queue=queue, user=request.user, now=timezone.now(), level=offered[value])
        )


# The supervisors' escalation queue is one of the queues now (?queue=escalated).
EscalationQueueFilter = QueueFilter
