"""How many messages a complaint's status page takes: counted from the complaint's own events in the database, so the
limit holds across processes and does not depend on the cache."""

from __future__ import annotations

from datetime import datetime, timedelta

from complaints.choices import EventKind, ReplyChannel
from complaints.models import Complaint, ComplaintEvent

# At most this many replies through the status page per complaint in the window.
REPLY_LIMIT = 5
REPLY_WINDOW = timedelta(minutes=10)


def status_page_replies_since(*, complaint: Complaint, since: datetime) -> int:
    return ComplaintEvent.objects.filter(
        complaint=complaint,
        kind=EventKind.COMPLAINANT_REPLY,
        data__channel=ReplyChannel.STATUS_PAGE,
        created_at__gte=since,
    ).count()


def reply_limit_reached(*, complaint: Complaint, now: datetime) -> bool:
    return status_page_replies_since(complaint=complaint, since=now - REPLY_WINDOW) >= REPLY_LIMIT
