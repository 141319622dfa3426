import json

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiKey, AuditEntry, Carrier, User
from accounts.services import api_key_revoke
from complaints.admin.base import ReadOnlyAdminMixin


@admin.register(Carrier)
class CarrierAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "contact_email", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name_zh", "name_en")
    ordering = ("code",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "get_full_name", "email", "carrier", "is_staff", "is_active")
    list_filter = ("is_staff", "is_active", "groups", "carrier")
    list_select_related = ("carrier",)
    search_fields = ("username", "first_name", "last_name", "email")
    autocomplete_fields = ("carrier",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Carrier partner"), {"fields": ("carrier",)}),
    )


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Partner API keys: issued with `manage.py issue_api_key` (the key is shown once), revoked here."""

    list_display = ("prefix", "carrier", "name", "created_at", "last_used_at", "revoked_at")
    list_filter = ("carrier", ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("carrier",)
    search_fields = ("prefix", "name", "carrier__code")
    readonly_fields = ("carrier", "user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    fields = ("carrier", "user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    actions = ("revoke",)

    def has_add_permission(self, request):
        # Keys are issued by `manage.py issue_api_key`, which shows the key once.
        return False

    @admin.action(description=_("Revoke selected API keys"), permissions=["change"])
    def revoke(self, request, queryset):
        keys = list(queryset.filter(revoked_at__isnull=True))
        for key in keys:
            api_key_revoke(api_key=key, actor=request.user)
        self.message_user(request, _("%(n)d API keys revoked.") % {"n": len(keys)}, messages.SUCCESS)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit trail (accounts.audit): who changed SLA policies, webhook endpoints and secrets, API keys, replayed
    deliveries and recomputed reports, and when. Supervisors read it; nobody edits it."""

    list_display = ("created_at", "actor_display", "action", "target_repr", "details")
    list_filter = ("action", ("actor", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("actor",)
    search_fields = ("target_repr", "actor__username")
    date_hierarchy = "created_at"
    fields = ("created_at", "actor", "action", "target_type", "target_id", "target_repr", "details")
    readonly_fields = fields

    @admin.display(description=_("actor"), ordering="actor__username")
    def actor_display(self, obj: AuditEntry) -> str:
        return str(obj.actor) if obj.actor_id else _("system")

    @admin.display(description=_("details"))
    def details(self, obj: AuditEntry) -> str:
        return json.dumps(obj.data, ensure_ascii=False, sort_keys=True)
