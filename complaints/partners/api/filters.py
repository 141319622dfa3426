"""Filters of the complaint list: ?status=…&category=…&created_after=…&created_before=…&updated_since=…&overdue=true

A filter is either absent or has a valid value: `updated_since=` (empty) or `overdue=maybe` is 400, never read as
"no filter" (a client that sends it believes it filtered)."""

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
    """An ISO 8601 time in ASCII digits, handed to the database in UTC: any valid offset works (PostgreSQL refuses
    offsets beyond ±15:59, which Python accepts)."""

    def clean(self, value):
        if isinstance(value, str) and not value.isascii():
            raise forms.ValidationError(_("Give an ISO 8601 time such as 2026-11-24T09:00:00+08:00."))
        value = super().clean(value)
        if value is None:
            return None
        try:
            return value.astimezone(UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError(_("Give a time between the years 1 and 9999.")) from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class TrueFalseField(forms.Field):
    """`true` or `false`, as JSON writes them; absent means no filter; anything else is refused."""

    VALUES = {"true": True, "false": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value not in self.VALUES:
            raise forms.ValidationError(_("Give true or false."))
        return self.VALUES[value]


class TrueFalseFilter(django_filters.BooleanFilter):
    field_class = TrueFalseField


class FilterForm(forms.Form):
    """Refuses a filter given without a value (`?updated_since=`)."""

    def clean(self):
        cleaned = super().clean()
        for name in self.fields:
            if name in self.data and not str(self.data.get(name, "")).strip():
                self.add_error(name, _("Give a value, or leave the parameter out."))
        return cleaned


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
    overdue = TrueFalseFilter(
        method="filter_overdue", help_text="true: open complaints with a clock already past due; false: the others."
    )

    class Meta:
        model = Complaint
        form = FilterForm
        fields = ["status", "category", "created_after", "created_before", "updated_since", "overdue"]

    def filter_overdue(self, queryset, name, value):
        overdue = overdue_condition(now=timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
