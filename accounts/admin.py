from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiKey, Carrier, User
from accounts.services import api_key_revoke


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
            api_key_revoke(api_key=key)
        self.message_user(request, _("%(n)d API keys revoked.") % {"n": len(keys)}, messages.SUCCESS)
