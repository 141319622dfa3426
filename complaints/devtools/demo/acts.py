"""What the people of the demo's stories do, each step through the service the admin, the partner API, the survey
page or the SMS callback would call: intake, the agents' and the carriers' actions (a partner-API carrier proposes
the resolution, the agent confirms it), compensation claims (proposed, approved, paid) and the complainants' survey
answers (by SMS through the inbound service when the survey came by SMS). month.py decides when."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from accounts.models import Carrier
from complaints import services
from complaints.choices import ContactChannel, MessageKind, MessageState, Status
from complaints.compensation import services as compensation
from complaints.compensation.choices import Case, ClaimState, MismatchKind
from complaints.compensation.models import CompensationClaim
from complaints.devtools.demo.histories import History
from complaints.devtools.demo.plan import SEED
from complaints.devtools.demo.stories import Step
from complaints.devtools.demo.texts import CLAIM_REASON_EN, CLAIM_REASON_ZH
from complaints.errors import ServiceError
from complaints.inbound.models import InboundOutcome, SmsGateway
from complaints.inbound.selectors import pending_survey_for_phone
from complaints.inbound.services import inbound_sms_receive
from complaints.inbound.sms import Uplink
from complaints.models import Complaint, OutboundMessage, ProposalState, ResolutionProposal
from complaints.sla.escalate import complaint_escalate

# How long a complainant takes to answer a survey once it is sent, at the least and at the most.
ANSWER_DELAY = (timedelta(minutes=10), timedelta(hours=20))
# A survey that has not gone out this long after the story wanted to answer it is not answered.
SURVEY_PATIENCE = timedelta(days=4)
# When a survey is not out yet, the answer is tried again this much later.
SURVEY_RETRY = timedelta(minutes=45)
STAFF_ACTIONS = {"transition", "reply", "note", "update", "hand", "resolve", "close", "reopen", "propose"}


class Later(Exception):
    """The step cannot happen yet: try it again at `at`."""

    def __init__(self, at: datetime):
        super().__init__(at)
        self.at = at


class Acts:
    """The steps of the stories, done; `claims` and the answering delays are kept per story (by its index)."""

    def __init__(self, *, histories: list[History], carriers: dict[str, Carrier], users: dict):
        self.histories = histories
        self.carriers = carriers
        self.users = users
        self.claims: dict[int, CompensationClaim] = {}
        self.rngs = {i: random.Random(f"{SEED}/month/{h.planned.index}") for i, h in enumerate(histories)}
        self.waiting: dict[int, datetime] = {}  # history -> when its survey answer first waited for the survey
        self.surveys_by_sms = 0

    def create(self, history: History) -> Complaint:
        p = history.planned
        return services.complaint_create(
            actor=self.users[history.creator],
            channel=p.channel,
            category=p.category,
            waybill_number=p.waybill,
            description=p.description,
            complainant_name=p.name,
            complainant_phone=p.phone,
            complainant_email=p.email,
            language=p.language,
            contact_channel=p.contact_channel,
            carrier=self.carriers[p.carrier_code] if p.carrier_code else None,
            declared_value=p.declared_at_intake,
            insured_value=p.insured,
            shipping_fee=p.fee,
            priority=p.priority,
            risk_medical=p.medical,
            at=history.received_at,
        )

    def perform(self, i: int, step: Step, complaint: Complaint, at: datetime) -> None:
        users = self.users
        params = dict(step.params)
        actor = users[params.pop("actor", None)]
        action = step.action
        if (
            action in STAFF_ACTIONS
            and actor is not None
            and actor.is_staff
            and complaint.owner_id is None
            and complaint.status != Status.CLOSED
        ):
            # Escalated to a level's queue (or never assigned): whoever works on it takes it first.
            services.complaints_take(complaints=[complaint], actor=actor, at=at)
        if action == "assign":
            services.complaint_assign(complaint=complaint, actor=actor, owner=users[params["owner"]], at=at)
        elif action == "transition":
            services.complaint_transition(
                complaint=complaint, actor=actor, to_status=params["to"], note=params["note"], at=at
            )
        elif action == "reply":
            services.complaint_reply(complaint=complaint, actor=actor, message=params["message"], at=at)
        elif action == "note":
            services.complaint_add_note(complaint=complaint, actor=actor, message=params["message"], at=at)
        elif action == "update":
            services.complaint_update(
                complaint=complaint, actor=actor, expected_version=None, changes=params["changes"], at=at
            )
        elif action == "hand":
            services.complaint_hand_to_carrier(complaint=complaint, actor=actor, message=params["message"], at=at)
        elif action == "accept":
            services.complaint_carrier_accept(complaint=complaint, actor=actor, at=at)
        elif action == "carrier_propose":
            services.resolution_propose(
                complaint=complaint, actor=actor, summary=params["summary"], root_cause=params["root_cause"], at=at
            )
        elif action == "resolve" and params.get("confirm"):
            proposal = ResolutionProposal.objects.filter(complaint=complaint, state=ProposalState.PROPOSED).first()
            if proposal is None:
                raise _NothingToDo("no resolution proposal")
            services.resolution_proposal_confirm(
                proposal=proposal,
                actor=actor,
                root_cause_area=params.get("root_cause_area", ""),
                carrier_liable=params.get("carrier_liable"),
                at=at,
            )
        elif action == "resolve":
            services.complaint_resolve(
                complaint=complaint,
                actor=actor,
                summary=params["summary"],
                root_cause=params["root_cause"],
                root_cause_area=params.get("root_cause_area", ""),
                carrier_liable=params.get("carrier_liable"),
                at=at,
            )
        elif action == "close":
            services.complaint_close(complaint=complaint, actor=actor, at=at)
        elif action == "reopen":
            services.complaint_reopen(complaint=complaint, actor=actor, reason=params["reason"], at=at)
        elif action == "survey":
            self.answer_survey(i, complaint, score=params["score"], comment=params["comment"], at=at)
        elif action == "escalate":
            complaint_escalate(
                complaint=complaint, actor=actor, reason=params["reason"], to_level=params["to_level"], at=at
            )
        elif action == "propose":
            self.propose(i, complaint, actor=actor, amount=params["amount"], payout=params["payout"], at=at)
        elif action == "approve":
            claim = self.claims.get(i)
            if claim is None:
                raise _NothingToDo("no claim")
            self.claims[i] = compensation.claim_approve(claim=claim, actor=actor, at=at)
        elif action == "pay":
            claim = self.claims.get(i)
            if claim is None or claim.state != ClaimState.APPROVED:
                raise _NothingToDo("no claim")
            self.claims[i] = compensation.claim_pay(
                claim=claim, actor=actor, payout_reference=f"DEMO-PAY-{complaint.reference}", at=at
            )
        else:
            raise ValueError(f"unknown demo step {action!r}")

    def propose(self, i: int, complaint: Complaint, *, actor, amount: Decimal, payout: str, at: datetime) -> None:
        p = self.histories[i].planned
        inputs: dict = {"proven_value": p.value}
        if payout == "fee":
            inputs = {"case": Case.DELAY, "days_late": p.ctx["days"]}
        elif payout == "total":
            inputs["case"] = Case.LOSS
        elif payout == "value":
            inputs.update(case=Case.CONTENTS_MISMATCH, mismatch_kind=MismatchKind.WRONG_ITEM)
        elif payout == "partial":
            inputs.update(
                case=Case.CONTENTS_MISMATCH,
                mismatch_kind=MismatchKind.WRONG_QUANTITY,
                items_affected=p.ctx["missing"],
                items_total=p.ctx["qty"],
            )
        else:  # damage_amount: the damaged share of the value
            share = (amount * 100 / p.value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            inputs.update(case=Case.DAMAGE, damaged_share=min(max(share, Decimal("0.01")), Decimal("100")))
        computed = compensation.claim_compute(complaint=complaint, **inputs).amount
        reason = "" if computed == amount else (CLAIM_REASON_EN if p.english else CLAIM_REASON_ZH)
        self.claims[i] = compensation.claim_propose(
            complaint=complaint, actor=actor, proposed_amount=amount, reason=reason, at=at, **inputs
        )

    def answer_survey(self, i: int, complaint: Complaint, *, score: int, comment: str, at: datetime) -> None:
        """The complainant answers the survey the revisit planner sent, by SMS when it came by SMS (the inbound
        service reads the digit), else on the survey page."""
        cycle = complaint.reopen_count
        sent_at = (
            OutboundMessage.objects.filter(
                complaint=complaint, kind=MessageKind.SURVEY, period=f"cycle{cycle}", state=MessageState.SENT
            )
            .values_list("sent_at", flat=True)
            .first()
        )
        if sent_at is None:
            if complaint.status != Status.RESOLVED:
                raise _NoSurvey("no survey")
            waited = self.waiting.setdefault(i, at)
            if at - waited > SURVEY_PATIENCE:
                raise _NoSurvey("no survey")
            raise Later(max(complaint.revisit_due_at or at, at) + SURVEY_RETRY)
        self.waiting.pop(i, None)
        if at < sent_at + ANSWER_DELAY[0]:
            low, high = (d.total_seconds() for d in ANSWER_DELAY)
            raise Later(sent_at + timedelta(seconds=self.rngs[i].uniform(low, high)))
        by_sms = complaint.contact_channel == ContactChannel.SMS and complaint.complainant_phone
        if by_sms and pending_survey_for_phone(phone=complaint.complainant_phone, now=at) == complaint:
            text = f"{score} {comment}" if comment else str(score)
            row, _new = inbound_sms_receive(
                uplink=Uplink(
                    gateway=SmsGateway.GENERIC,
                    message_id=f"demo-{complaint.reference}-{cycle}",
                    phone=complaint.complainant_phone,
                    text=text,
                    sent_at=at,
                ),
                at=at,
            )
            if row.outcome == InboundOutcome.SURVEY_ANSWERED:
                self.surveys_by_sms += 1
                return
        services.complaint_answer_survey(complaint=complaint, cycle=cycle, score=score, comment=comment, at=at)


class _NothingToDo(ServiceError):
    """No claim to approve or pay (its proposal was refused), no carrier's proposal to confirm."""


class _NoSurvey(ServiceError):
    """The survey this answer is for was never sent (the complaint moved on): no answer."""
