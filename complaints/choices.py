"""The vocabularies of docs/domain.md: categories, channels, states, priorities, event kinds."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    # The State Post Bureau's taxonomy, plus two used by carriers.
    DELAY = "delay", _("Delay")
    LOSS = "loss", _("Loss or missing contents")
    DAMAGE = "damage", _("Damage")
    CONTENTS_MISMATCH = "contents_mismatch", _("Contents not as shipped")
    DELIVERY_SERVICE = "delivery_service", _("Delivery service")
    PICKUP_SERVICE = "pickup_service", _("Collection service")
    STAFF_ATTITUDE = "staff_attitude", _("Staff attitude")
    IMPROPER_CHARGES = "improper_charges", _("Improper charges")
    COD = "cod", _("Cash-on-delivery collection")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    WEB = "web", _("Web form")
    SOCIAL_MEDIA = "social_media", _("Social media")
    PLATFORM = "platform", _("Complaint platform")
    REGULATOR = "regulator", _("Regulator (12305)")
    PARTNER_API = "partner_api", _("Partner API")
    # A text to our SMS number that matched no open complaint (complaints/inbound): a new complaint in the queue.
    SMS = "sms", _("SMS")


class Status(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_CARRIER = "awaiting_carrier", _("Awaiting carrier")
    AWAITING_CUSTOMER = "awaiting_customer", _("Awaiting complainant")
    RESOLVED = "resolved", _("Resolved")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed")
    # Final: the complaint was a duplicate and lives on in the complaint it was merged into (Complaint.merged_into).
    MERGED = "merged", _("Merged")


# The state map of docs/domain.md. Every status change is checked against it.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.ACKNOWLEDGED, Status.MERGED}),
    Status.ACKNOWLEDGED: frozenset(
        {Status.IN_PROGRESS, Status.AWAITING_CARRIER, Status.AWAITING_CUSTOMER, Status.MERGED}
    ),
    Status.IN_PROGRESS: frozenset({Status.AWAITING_CARRIER, Status.AWAITING_CUSTOMER, Status.RESOLVED, Status.MERGED}),
    Status.AWAITING_CARRIER: frozenset({Status.IN_PROGRESS, Status.AWAITING_CUSTOMER, Status.RESOLVED, Status.MERGED}),
    Status.AWAITING_CUSTOMER: frozenset({Status.IN_PROGRESS, Status.AWAITING_CARRIER, Status.RESOLVED, Status.MERGED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.REOPENED}),
    Status.REOPENED: frozenset({Status.IN_PROGRESS, Status.MERGED}),
    Status.CLOSED: frozenset(),
    # Only an open complaint is merged (complaint_merge), and nothing follows.
    Status.MERGED: frozenset(),
}

OPEN_STATUSES = frozenset(
    {
        Status.NEW,
        Status.ACKNOWLEDGED,
        Status.IN_PROGRESS,
        Status.AWAITING_CARRIER,
        Status.AWAITING_CUSTOMER,
        Status.REOPENED,
    }
)

# Nothing more happens to these: no reply, no status change, no clock.
FINAL_STATUSES = frozenset({Status.CLOSED, Status.MERGED})


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


PRIORITY_RANK = {Priority.NORMAL: 0, Priority.HIGH: 1, Priority.URGENT: 2}


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", _("Simplified Chinese")
    EN = "en", _("English")


class ContactChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")


class EscalationLevel(models.IntegerChoices):
    FRONTLINE = 0, _("Frontline agent")
    SUPERVISOR = 1, _("Supervisor")
    CENTRE = 2, _("Complaint centre")


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Details updated")
    ASSIGNED = "assigned", _("Assigned")
    PUBLIC_REPLY = "public_reply", _("Reply to complainant")
    INTERNAL_NOTE = "internal_note", _("Internal note")
    STATUS_CHANGED = "status_changed", _("Status changed")
    HANDED_TO_CARRIER = "handed_to_carrier", _("Handed to carrier")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    CARRIER_ACCEPTED = "carrier_accepted", _("Carrier accepted")
    PROGRESS_UPDATE = "progress_update", _("Progress update sent")
    SLA_WARNING = "sla_warning", _("Target nearly missed")
    SLA_BREACH = "sla_breach", _("Target missed")
    ESCALATED = "escalated", _("Escalated")
    DE_ESCALATED = "de_escalated", _("De-escalated")
    SURVEY_ANSWERED = "survey_answered", _("Survey answered")
    # The partner API: a carrier's reply meant for the agents only, and its proposal to resolve.
    CARRIER_NOTE = "carrier_note", _("Note from carrier")
    RESOLUTION_PROPOSED = "resolution_proposed", _("Resolution proposed by carrier")
    # Compensation claims.
    COMPENSATION_PROPOSED = "compensation_proposed", _("Compensation proposed")
    COMPENSATION_APPROVED = "compensation_approved", _("Compensation approved")
    COMPENSATION_REJECTED = "compensation_rejected", _("Compensation rejected")
    COMPENSATION_PAID = "compensation_paid", _("Compensation paid")
    # The complainant answered (an SMS, an email or the status page): complaints/services/replies.py.
    COMPLAINANT_REPLY = "complainant_reply", _("Reply from complainant")
    # Evidence files (complaints/evidence): files added on their own, and a file an agent hid.
    EVIDENCE_ADDED = "evidence_added", _("Files added")
    EVIDENCE_HIDDEN = "evidence_hidden", _("File hidden")
    # Duplicates (complaints/services/merge.py): on the duplicate, and on the complaint it was merged into.
    MERGED = "merged", _("Merged into another complaint")
    DUPLICATE_MERGED = "duplicate_merged", _("Duplicate merged into this complaint")


class RootCauseArea(models.TextChoices):
    """Where in the network the problem arose: the department a resolved complaint is fed back to."""

    PICKUP = "pickup", _("Pickup outlet")
    SORTING = "sorting", _("Sorting centre")
    LINEHAUL = "linehaul", _("Line-haul transport")
    DELIVERY = "delivery", _("Last-mile delivery")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    PACKAGING = "packaging", _("Packaging")
    BILLING = "billing", _("Billing")
    SYSTEMS = "systems", _("Systems and data")
    THIRD_PARTY = "third_party", _("Third party or force majeure")
    COMPLAINANT = "complainant", _("Not at fault (complainant's side)")
    OTHER = "other", _("Other")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")


class Clock(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    RESOLUTION = "resolution", _("Resolution")
    PROGRESS = "progress", _("Progress update")
    CARRIER_ACCEPT = "carrier_accept", _("Carrier accepts")
    CARRIER_REPLY = "carrier_reply", _("Carrier replies")
    STATUTORY = "statutory", _("Statutory limit (7 days)")


class AlertKind(models.TextChoices):
    WARNING = "warning", _("Warning")
    BREACH = "breach", _("Breach")


class RiskCondition(models.TextChoices):
    ANY = "any", _("Any high-risk flag")
    MEDICAL = "medical", _("Medical or urgent goods")
    SOCIAL_MEDIA = "social_media", _("Social-media exposure")
    REGULATOR = "regulator", _("Regulator channel")
    REPEAT = "repeat", _("Repeat complaint")
    HIGH_VALUE = "high_value", _("High declared value")


class MessageKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
    PROGRESS_UPDATE = "progress_update", _("Progress update")
    RESOLUTION_NOTICE = "resolution_notice", _("Resolution notice")
    SURVEY = "survey", _("Satisfaction survey")
    SURVEY_REMINDER = "survey_reminder", _("Survey reminder")
    CARRIER_REMINDER = "carrier_reminder", _("Carrier reminder")
    STAFF_ALERT = "staff_alert", _("Staff alert")
    COMPENSATION_DECISION = "compensation", _("Compensation decision")
    WEEKLY_REPORT = "weekly_report", _("Weekly report")
    SURGE_ALERT = "surge_alert", _("Complaint surge alert")
    MERGE_NOTICE = "merge_notice", _("Merged complaint notice")


class MessageChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")


class MessageState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    # An SMS to a number that opted out (TD/退订), with no email address to send it to instead: never sent.
    HELD = "held", _("Held: the number opted out of SMS")


class ReplyChannel(models.TextChoices):
    """Where a complainant's reply came from."""

    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    STATUS_PAGE = "status_page", _("Status page")


# Keys of an event's data that stay with the agents when a carrier reads the event (API or webhook): who owns the
# complaint, the earlier complaint a repeat points to (possibly another carrier's), and the canned reply used.
CARRIER_HIDDEN_EVENT_DATA = frozenset({"repeat_of", "owner", "from_owner", "to_owner", "macro"})
