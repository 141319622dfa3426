"""Inbound SMS, inbound emails and SMS opt-outs, read-only: what complainants texted or emailed and what it did (an
unmatched text or mail is here for an agent to read), and which numbers get no SMS. Only the inbound services write
them (docs/channels.md)."""

from __future__ import annotations

import re

from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from complaints.admin.base import ReadOnlyAdminMixin
from complaints.inbound.models import InboundEmail
from complaints.models import InboundSms, SmsOptOut
from complaints.phones import phone_search_prefix

_NUMBER_LIKE = re.compile(r"[+\d\s().-]{7,}")


class _PhoneSearchMixin:
    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term and _NUMBER_LIKE.fullmatch(search_term.strip()):
            results |= queryset.filter(phone__startswith=phone_search_prefix(search_term))
        return results, may_have_duplicates


@admin.register(InboundSms)
class InboundSmsAdmin(_PhoneSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("received_at", "phone", "short_text", "outcome", "complaint", "gateway")
    list_filter = ("outcome", "gateway")
    list_select_related = ("complaint",)
    search_fields = ("^phone", "^complaint__reference", "text")
    show_full_result_count = False

    @admin.display(description=_("text"))
    def short_text(self, obj: InboundSms) -> str:
        return Truncator(obj.text).chars(60)


@admin.register(SmsOptOut)
class SmsOptOutAdmin(_PhoneSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("phone", "opted_out_at", "keyword")
    search_fields = ("^phone",)
    show_full_result_count = False


@admin.register(InboundEmail)
class InboundEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("received_at", "sender", "subject", "outcome", "complaint", "attachments", "source")
    list_filter = ("outcome", "source")
    list_select_related = ("complaint",)
    search_fields = ("^sender", "^complaint__reference", "subject")
    show_full_result_count = False
