"""Pieces shared by the admin modules."""


class ReadOnlyAdminMixin:
    """For records only services write (the audit trail, the outbox, webhook deliveries, chargebacks): the admin
    shows them and never adds, changes or deletes one. For model admins and inlines alike."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
