from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Carrier, User


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
