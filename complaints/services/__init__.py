"""Business actions on complaints. The admin, the API, the public pages, tasks and commands call these.

Each action locks the complaint row, returns quietly if its result already holds, checks the version the caller saw
and the state map (complaints.guards), writes the change and exactly one event (complaints.events), and bumps the
version. Anything else is refused with a ServiceError that says what is wrong, and nothing is written. Replies and
notes are the exception to "returns quietly": each call adds one, so a retry is refused only by expected_version.
"""

from complaints.services.carrier import (
    complaint_carrier_accept,
    complaint_carrier_note,
    complaint_hand_to_carrier,
    resolution_proposal_confirm,
    resolution_propose,
)
from complaints.services.inputs import MESSAGE_MAX_LENGTH
from complaints.services.intake import EDITABLE_FIELDS, complaint_create, complaint_update
from complaints.services.merge import complaint_merge
from complaints.services.replies import complaint_receive_reply
from complaints.services.survey import LOW_SCORES, complaint_answer_survey
from complaints.services.workflow import (
    TakeResult,
    complaint_add_note,
    complaint_assign,
    complaint_close,
    complaint_reopen,
    complaint_reply,
    complaint_resolve,
    complaint_transition,
    complaints_take,
)

__all__ = [
    "EDITABLE_FIELDS",
    "LOW_SCORES",
    "MESSAGE_MAX_LENGTH",
    "TakeResult",
    "complaint_add_note",
    "complaint_answer_survey",
    "complaint_assign",
    "complaint_carrier_accept",
    "complaint_carrier_note",
    "complaint_close",
    "complaint_create",
    "complaint_hand_to_carrier",
    "complaint_merge",
    "complaint_receive_reply",
    "complaint_reopen",
    "complaint_reply",
    "complaint_resolve",
    "complaint_transition",
    "complaint_update",
    "complaints_take",
    "resolution_proposal_confirm",
    "resolution_propose",
]
