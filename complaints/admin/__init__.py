"""The agents' and supervisors' admin, one module per area. Django imports this package; it registers them all."""

from complaints.admin import complaints, sla, webhooks

__all__ = ["complaints", "sla", "webhooks"]
