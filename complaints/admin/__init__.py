"""The agents' and supervisors' admin, one module per area. Django imports this package; it registers them all.
The complaint admin (complaints.py) is built from complaint_filters, complaint_columns and complaint_actions."""

from complaints.admin import complaints, inbound, macros, sla, webhooks

__all__ = ["complaints", "inbound", "macros", "sla", "webhooks"]
