"""Pieces shared by the admin modules."""

from django.contrib import messages
from django.http import HttpResponseRedirect

from complaints.errors import ServiceError


class ReadOnlyAdminMixin:
    """For records only services write (the audit trail, the outbox, webhook deliveries, chargebacks): the admin
    shows them and never adds, changes or deletes one. For model admins and inlines alike."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceRefusalMixin:
    """For model admins whose save calls a service: when the service refuses what the form let through (a race the
    form could not see, a rule only the service knows), the agent sees why on the same page, and nothing was
    written."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
