"""Filters of the complaint list: ?status=…&category=…&created_after=…&created_before=…&updated_since=…&overdue=true"""

from datetime import UTC

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

from complaints.choices import Category, Status
from complaints.models import Complaint
from complaints.selectors import overdue_condition


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 time, handed to the database in UTC: any valid offset works (PostgreSQL refuses offsets beyond
    ±15:59, which Python accepts)."""

    def clean(self, value):
        value = super().clean(value)
        if value is None:
            return None
        try:
            return value.astimezone(UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError(_("Give a time between the years 1 and 9999.")) from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class ComplaintFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices, help_text="Only complaints in this status.")
    category = django_filters.ChoiceFilter(choices=Category.choices, help_text="Only complaints of this category.")
    created_after = UtcIsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", help_text="Created at or after this time (ISO 8601)."
    )
    created_before = UtcIsoDateTimeFilter(
        field_name="created_at", lookup_expr="lt", help_text="Created before this time (ISO 8601)."
    )
    updated_since = UtcIsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="Changed at or after this time (ISO 8601): poll with the time of your last sync.",
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", help_text="true: open complaints with a clock already past due; false: the others."
    )

    class Meta:
        model = Complaint
        fields = ["status", "category", "created_after", "created_before", "updated_since", "overdue"]

    def filter_overdue(self, queryset, name, value):
        overdue = overdue_condition(now=timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
