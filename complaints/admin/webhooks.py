"""The webhook admin: carriers' endpoints (the secret shown once, then only a short prefix; rotation with an overlap),
the delivery log with every attempt, and a replay action through the service."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from complaints.admin.base import ReadOnlyAdminMixin
from complaints.errors import ServiceError
from complaints.partners.webhooks.addresses import webhook_url_refusal
from complaints.partners.webhooks.endpoints import (
    webhook_delivery_replay,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_save,
)
from complaints.partners.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEventType,
)


class WebhookEndpointForm(forms.ModelForm):
    event_types = forms.MultipleChoiceField(
        label=_("event types"),
        choices=WebhookEventType.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=list(WebhookEventType.values),
        help_text=_("The events this endpoint receives."),
    )
    new_secret = forms.CharField(
        label=_("new signing secret"),
        required=False,
        max_length=128,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "Leave empty to keep the current secret (a new endpoint gets a generated one, shown once). "
            "Type “new” to generate a fresh one."
        ),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("carrier", "url", "event_types", "description", "is_active")

    def clean_url(self) -> str:
        url = self.cleaned_data.get("url") or ""
        refusal = webhook_url_refusal(url)
        if refusal:
            raise forms.ValidationError(refusal)
        return url

    def clean_new_secret(self) -> str:
        value = (self.cleaned_data.get("new_secret") or "").strip()
        if value and value != "new" and len(value) < 24:
            raise forms.ValidationError(_("Use at least 24 characters, or type “new” to generate one."))
        return value


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("carrier", "url", "is_active", "event_type_list", "created_at")
    list_filter = ("is_active", "carrier")
    list_select_related = ("carrier",)
    readonly_fields = ("secret_masked", "previous_secret_masked", "created_at")
    actions = ["rotate_secret"]

    def get_fields(self, request, obj=None):
        fields = ["carrier", "url", "event_types", "description", "is_active", "new_secret"]
        return fields + (["secret_masked", "previous_secret_masked", "created_at"] if obj else [])

    @admin.display(description=_("signing secret"))
    def secret_masked(self, obj: WebhookEndpoint) -> str:
        return obj.masked_secret

    @admin.display(description=_("previous signing secret"))
    def previous_secret_masked(self, obj: WebhookEndpoint) -> str:
        if not obj.previous_secret_encrypted or obj.previous_secret_until is None:
            return "—"
        return gettext("%(secret)s, signs until %(until)s") % {
            "secret": obj.masked_previous_secret,
            "until": formats.localize(timezone.localtime(obj.previous_secret_until)),
        }

    @admin.action(
        description=_("Rotate the signing secret (the old one keeps signing for a while)"), permissions=["change"]
    )
    def rotate_secret(self, request: HttpRequest, queryset) -> None:
        hours = settings.REDRESS_WEBHOOK_SECRET_OVERLAP_HOURS
        for endpoint in queryset:
            try:
                _rotated, secret = webhook_endpoint_rotate_secret(
                    endpoint=endpoint, actor=request.user, overlap_hours=hours
                )
            except ServiceError as error:
                self.message_user(request, str(error), messages.ERROR)
                continue
            self.message_user(
                request,
                gettext(
                    "The new signing secret of %(url)s is %(secret)s. Give it to the carrier now: it is not shown "
                    "again. Deliveries are signed with the new and the old secret for %(hours)d hours."
                )
                % {"url": endpoint.url, "secret": secret, "hours": hours},
                messages.WARNING,
            )

    @admin.display(description=_("event types"))
    def event_type_list(self, obj: WebhookEndpoint) -> str:
        return ", ".join(obj.event_types or [])

    def has_delete_permission(self, request, obj=None):
        return False  # deliveries keep their endpoint: deactivate it instead

    def save_model(self, request: HttpRequest, obj: WebhookEndpoint, form, change: bool) -> None:
        new = form.cleaned_data.get("new_secret") or ""
        if new == "new" or (not change and not new):
            obj.secret = ""  # the service generates one
        elif new:
            obj.secret = new
        try:
            _saved, shown = webhook_endpoint_save(endpoint=obj, actor=request.user)
        except ServiceError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        if shown:
            self.message_user(
                request,
                gettext(
                    "The signing secret of %(url)s is %(secret)s. Give it to the carrier now: it is not shown again."
                )
                % {"url": obj.url, "secret": shown},
                messages.WARNING,
            )


class WebhookAttemptInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ("started_at", "duration_ms", "status_code", "error", "response_excerpt")
    readonly_fields = fields
    ordering = ("started_at", "id")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "event_type",
        "complaint",
        "endpoint",
        "state",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
        "replay_of",
    )
    list_filter = ("state", "event_type", "endpoint__carrier")
    list_select_related = ("complaint", "endpoint__carrier")
    search_fields = ("=event_id", "^complaint__reference")
    readonly_fields = (
        "event_id",
        "event_type",
        "endpoint",
        "complaint",
        "source_event",
        "replay_of",
        "state",
        "attempts",
        "next_attempt_at",
        "retry_until",
        "delivered_at",
        "last_status_code",
        "last_error",
        "created_at",
        "payload",
    )
    fields = readonly_fields
    inlines = [WebhookAttemptInline]
    actions = ["replay"]
    show_full_result_count = False

    def has_replay_permission(self, request) -> bool:
        return request.user.has_perm("complaints.replay_webhookdelivery")

    @admin.action(description=_("Replay the selected deliveries"), permissions=["replay"])
    def replay(self, request: HttpRequest, queryset) -> None:
        replayed = refused = 0
        for delivery in queryset:
            try:
                webhook_delivery_replay(delivery=delivery, actor=request.user)
            except ServiceError as error:
                refused += 1
                self.message_user(request, str(error), messages.WARNING)
            else:
                replayed += 1
        if replayed:
            self.message_user(request, gettext("%(n)d deliveries queued again.") % {"n": replayed}, messages.SUCCESS)
