"""One complaint's story: the steps of its history (who does what, with which words) and the planned gaps between
them in minutes, drawn from the complaint's own seeded ``random.Random``. histories.py puts times on the steps."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings

from complaints.choices import Category, Channel, Status
from complaints.devtools.demo.people import CARRIER_USER, STAFF_NAME_EN, STAFF_NAME_ZH
from complaints.devtools.demo.plan import Planned, weighted
from complaints.devtools.demo.texts import (
    ACK_AUTO_EN,
    ACK_AUTO_ZH,
    APPROVAL_NOTE_ZH,
    ASK_CUSTOMER_EN,
    ASK_CUSTOMER_EN_DEFAULT,
    ASK_CUSTOMER_ZH,
    ASK_CUSTOMER_ZH_DEFAULT,
    ASK_EN,
    BACK_FROM_CARRIER_EN,
    BACK_FROM_CARRIER_ZH,
    BY_EN,
    BY_ZH,
    ESCALATE_REASON_ZH,
    FIRST_REPLY_EN,
    FIRST_REPLY_ZH,
    FOLLOW_UP_EN,
    FOLLOW_UP_ZH,
    HANDOVER_EN,
    HANDOVER_MEDICAL_ZH,
    HANDOVER_ZH,
    NOTES_ZH,
    PROGRESS_EN,
    PROGRESS_ZH,
    REOPEN_REASON_EN,
    REOPEN_REASON_MONEY_EN,
    REOPEN_REASON_MONEY_ZH,
    REOPEN_REASON_ZH,
    REOPEN_REPLY_EN,
    REOPEN_REPLY_ZH,
    RISK_NOTES_ZH,
    SUPPLIED_EN,
    SUPPLIED_ZH,
    SURVEY_HIGH_EN,
    SURVEY_HIGH_ZH,
    SURVEY_LOW_DELIVERY_EN,
    SURVEY_LOW_DELIVERY_ZH,
    SURVEY_LOW_EN,
    SURVEY_LOW_MONEY_EN,
    SURVEY_LOW_MONEY_ZH,
    SURVEY_LOW_ZH,
    SURVEY_MID_EN,
    SURVEY_MID_ZH,
    UPDATE_NOTE_ZH,
)

AGENT_APPROVAL_LIMIT = Decimal("500")


@dataclass
class Step:
    """One thing that happens in a story: `gap_minutes` after the previous step, `action` with `params`."""

    gap_minutes: float
    action: str
    params: dict[str, Any]


class Story:
    """Builds one complaint's history as steps with gaps in minutes."""

    def __init__(self, p: Planned, rng: random.Random):
        self.p = p
        self.rng = rng
        self.steps: list[Step] = []
        ctx = p.ctx
        self.ctx = ctx
        high_risk = p.medical or p.channel in (Channel.SOCIAL_MEDIA, Channel.REGULATOR) or p.repeat_of is not None
        high_risk = high_risk or p.declared_at_intake >= Decimal(settings.REDRESS_HIGH_VALUE_THRESHOLD)
        self.high_risk = high_risk
        self.claimed = False
        if high_risk:
            self.owner = weighted(rng, (("supervisor", 60), ("agent1", 20), ("agent2", 20)))
        else:
            self.owner = weighted(rng, (("agent1", 45), ("agent2", 45), ("supervisor", 10)))

    def add(self, low: float, high: float, action: str, **params) -> None:
        self.steps.append(Step(self.rng.uniform(low, high), action, params))

    def text(self, zh: str | tuple[str, ...], en: str | tuple[str, ...], **extra) -> str:
        choice = en if self.p.english else zh
        if isinstance(choice, tuple):
            choice = self.rng.choice(choice)
        return choice.format(**{**self.ctx, **extra})

    def agent_name(self, username: str) -> str:
        return STAFF_NAME_EN[username] if self.p.english else STAFF_NAME_ZH[username]

    # -- pieces

    def intake(self, status: str) -> None:
        p, rng = self.p, self.rng
        assigner = "supervisor" if rng.random() < 0.4 else self.owner
        if status == Status.NEW:
            if rng.random() < 0.35:
                self.add(5, 90, "assign", actor=assigner, owner=self.owner)
            return
        if rng.random() < 0.6:
            self.add(1, 15, "transition", actor=None, to=Status.ACKNOWLEDGED, note=self.text(ACK_AUTO_ZH, ACK_AUTO_EN))
            self.add(5, 180, "assign", actor=assigner, owner=self.owner)
        else:
            self.add(5, 120, "assign", actor=assigner, owner=self.owner)
            self.add(2, 40, "transition", actor=self.owner, to=Status.ACKNOWLEDGED, note="")
        flags = [
            name
            for name, on in (
                ("medical", p.medical),
                ("social_media", p.channel == Channel.SOCIAL_MEDIA),
                ("regulator", p.channel == Channel.REGULATOR),
                ("repeat", p.repeat_of is not None),
            )
            if on
        ]
        if flags:
            self.add(5, 60, "note", actor=self.owner, message=RISK_NOTES_ZH[flags[0]])
        if p.channel in ESCALATE_REASON_ZH and rng.random() < 0.5:
            self.add(10, 120, "escalate", actor="supervisor", reason=ESCALATE_REASON_ZH[p.channel], to_level=2)

    def first_reply(self) -> None:
        late = self.rng.random() < 0.12
        low, high = (1500, 2400) if late else (20, 480)
        if self.p.medical or self.high_risk:
            low, high = (10, 120)
        self.add(
            low,
            high,
            "reply",
            actor=self.owner,
            message=self.text(
                FIRST_REPLY_ZH,
                FIRST_REPLY_EN,
                agent=self.agent_name(self.owner),
                by=self.rng.choice(BY_EN if self.p.english else BY_ZH),
            ),
        )
        if self.p.declared_at_intake != self.p.value:
            self.add(60, 900, "update", actor=self.owner, changes={"declared_value": self.p.value})
            self.add(1, 5, "note", actor=self.owner, message=UPDATE_NOTE_ZH.format(**self.ctx))

    def maybe_note(self, chance: float) -> None:
        if self.rng.random() < chance:
            self.add(10, 600, "note", actor=self.owner, message=self.text(NOTES_ZH, NOTES_ZH))

    def hand_over(self, *, answered: bool, accepted: bool = True) -> None:
        p = self.p
        if p.english:
            message = HANDOVER_EN.format(carrier_en=self.ctx["carrier_en"], ask=ASK_EN[p.category])
        elif p.medical:
            message = HANDOVER_MEDICAL_ZH.format(**self.ctx)
        else:
            message = HANDOVER_ZH[p.category].format(**self.ctx)
        self.add(10, 240, "hand", actor=self.owner, message=message)
        carrier_user = CARRIER_USER[p.carrier_code]
        if accepted:
            self.add(10, 300, "accept", actor=carrier_user)
        if answered:
            self.add(60, 1500, "reply", actor=carrier_user, message=p.outcome.answer.format(**self.ctx))
            self.add(
                10,
                120,
                "transition",
                actor=self.owner,
                to=Status.IN_PROGRESS,
                note=self.text(BACK_FROM_CARRIER_ZH, BACK_FROM_CARRIER_EN),
            )

    def ask_customer(self, *, supplied: bool) -> None:
        category = self.p.category
        ask = self.text(
            ASK_CUSTOMER_ZH.get(category, ASK_CUSTOMER_ZH_DEFAULT),
            ASK_CUSTOMER_EN.get(category, ASK_CUSTOMER_EN_DEFAULT),
        )
        self.add(30, 300, "transition", actor=self.owner, to=Status.AWAITING_CUSTOMER, note=ask)
        if supplied:
            self.add(
                120,
                2880,
                "transition",
                actor=self.owner,
                to=Status.IN_PROGRESS,
                note=self.text(SUPPLIED_ZH, SUPPLIED_EN),
            )

    def progress(self) -> None:
        self.add(10, 240, "reply", actor=self.owner, message=self.text(PROGRESS_ZH, PROGRESS_EN))

    def claim(self, amount: Decimal) -> None:
        """Compensation through the claim services: an agent proposes what the resolution will say, whoever may
        approve that amount approves it (the supervisor above the agents' limit, never their own claim), and the
        payout is recorded a day or three after the resolution."""
        self.claimed = True
        proposer = self.owner if self.owner != "supervisor" else self.rng.choice(("agent1", "agent2"))
        approver = proposer if amount <= AGENT_APPROVAL_LIMIT else "supervisor"
        self.add(20, 240, "propose", actor=proposer, amount=amount, payout=self.p.outcome.payout)
        self.add(20, 480, "approve", actor=approver)

    def pay(self) -> None:
        self.add(1440, 4320, "pay", actor="supervisor")

    def resolve(self, *, follow_up: bool = False) -> None:
        p = self.p
        amount = p.amounts.get(p.outcome.payout) if p.outcome.payout else None
        if amount is not None and amount > AGENT_APPROVAL_LIMIT and self.owner != "supervisor":
            self.add(30, 600, "note", actor="supervisor", message=APPROVAL_NOTE_ZH.format(amount=amount))
        first_claim = amount is not None and not self.claimed
        if first_claim:
            self.claim(amount)
        summary = self.text(p.outcome.zh, p.outcome.en)
        if follow_up:
            summary += (" " if p.english else "") + self.text(FOLLOW_UP_ZH, FOLLOW_UP_EN)
        root_cause = p.outcome.root_cause.format(**self.ctx)
        # A carrier working through the partner API proposes the resolution itself; the agent confirms it.
        by_carrier = p.channel == Channel.PARTNER_API and p.carrier_code is not None and not follow_up
        if by_carrier:
            self.add(
                30, 600, "carrier_propose", actor=CARRIER_USER[p.carrier_code], summary=summary, root_cause=root_cause
            )
        self.add(
            60,
            1440,
            "resolve",
            actor=self.owner,
            summary=summary,
            root_cause=root_cause,
            root_cause_area=p.outcome.area,
            carrier_liable=p.outcome.liable,
            confirm=by_carrier,
        )
        if first_claim:
            self.pay()

    def survey(self, score: int, *, low: float = 4320, high: float = 5760) -> None:
        if score <= 2 and self.p.outcome.payout:
            comment = self.text(SURVEY_LOW_MONEY_ZH, SURVEY_LOW_MONEY_EN)
        elif score <= 2 and self.p.category == Category.DELIVERY_SERVICE:
            comment = self.text(SURVEY_LOW_DELIVERY_ZH, SURVEY_LOW_DELIVERY_EN)
        elif score <= 2:
            comment = self.text(SURVEY_LOW_ZH, SURVEY_LOW_EN)
        elif score == 3:
            comment = self.text(SURVEY_MID_ZH, SURVEY_MID_EN)
        else:
            comment = self.text(SURVEY_HIGH_ZH, SURVEY_HIGH_EN)
        self.add(low, high, "survey", score=score, comment=comment)

    def reopen(self) -> bool:
        """Reopen after a resolution: a dissatisfied survey answer (it also escalates and sends the complaint back to
        the queue) or the complainant calling back."""
        if self.rng.random() < 0.7:
            self.survey(self.rng.choice((1, 2)))
            return True
        if self.p.outcome.payout:
            reason = self.text(REOPEN_REASON_MONEY_ZH, REOPEN_REASON_MONEY_EN)
        else:
            reason = self.text(REOPEN_REASON_ZH, REOPEN_REASON_EN)
        self.add(1440, 5760, "reopen", actor=self.owner, reason=reason)
        return False

    # -- whole stories

    def work_until_resolution(self, status: str) -> None:
        """From acknowledged to just before resolving, stopping early for the open statuses."""
        p, rng = self.p, self.rng
        self.first_reply()
        has_carrier = p.carrier_code is not None
        if status == Status.AWAITING_CUSTOMER:
            if rng.random() < 0.6:
                self.add(1, 30, "transition", actor=self.owner, to=Status.IN_PROGRESS, note="")
            self.ask_customer(supplied=False)
            return
        if status == Status.AWAITING_CARRIER and has_carrier:
            if rng.random() < 0.6:
                self.add(1, 30, "transition", actor=self.owner, to=Status.IN_PROGRESS, note="")
            self.hand_over(answered=False, accepted=rng.random() < 0.6)
            self.maybe_note(0.3)
            return
        self.add(1, 30, "transition", actor=self.owner, to=Status.IN_PROGRESS, note="")
        self.maybe_note(0.4)
        if status == Status.IN_PROGRESS:
            if has_carrier and rng.random() < 0.4:
                self.hand_over(answered=True)
            if rng.random() < 0.5:
                self.progress()
            return
        if has_carrier and (p.outcome.payout or rng.random() < 0.7):
            self.hand_over(answered=True)
            self.maybe_note(0.3)
        if (
            p.category in (Category.DAMAGE, Category.LOSS, Category.CONTENTS_MISMATCH, Category.COD)
            and rng.random() < 0.4
        ):
            self.ask_customer(supplied=True)
        if rng.random() < 0.5:
            self.progress()

    def tell(self, status: str) -> list[Step]:
        rng = self.rng
        self.intake(status)
        if status == Status.NEW:
            return self.steps
        if status == Status.ACKNOWLEDGED:
            if rng.random() < 0.5:
                self.first_reply()
            self.maybe_note(0.3)
            return self.steps
        self.work_until_resolution(status)
        if status in (Status.IN_PROGRESS, Status.AWAITING_CARRIER, Status.AWAITING_CUSTOMER):
            return self.steps
        self.resolve()
        if status == Status.RESOLVED:
            if rng.random() < 0.4:
                self.survey(3)  # answered, neither happy nor unhappy: waits for the agent to close it
            return self.steps
        if status == Status.REOPENED:
            self.reopen()
            return self.steps
        # Closed, a few of them after a second round.
        if rng.random() < 0.15:
            by_survey = self.reopen()
            if by_survey:  # the survey sent it back to the queue: the supervisor takes it
                self.owner = "supervisor"
                self.add(10, 120, "assign", actor="supervisor", owner="supervisor")
            self.add(10, 120, "transition", actor=self.owner, to=Status.IN_PROGRESS, note="")
            self.add(
                30,
                240,
                "reply",
                actor=self.owner,
                message=self.text(REOPEN_REPLY_ZH, REOPEN_REPLY_EN, agent=self.agent_name(self.owner)),
            )
            self.resolve(follow_up=True)
        if rng.random() < 0.6:
            self.survey(rng.choice((4, 5, 5)))
            self.add(30, 600, "close", actor=self.owner)
        else:
            self.add(10080, 11520, "close", actor=None)  # no answer to the revisit: closed after a week
        return self.steps

    def creator(self) -> str | None:
        """Who typed the complaint in: the carrier's API user, the agent who took the call, or nobody (forms, email).
        Ask after tell(): a reopened story may have changed its owner."""
        p = self.p
        if p.channel == Channel.PARTNER_API:
            return CARRIER_USER[p.carrier_code]
        if p.channel in (Channel.PHONE, Channel.SOCIAL_MEDIA, Channel.REGULATOR):
            return self.owner if self.owner != "supervisor" else "agent1"
        return None
