"""Haier's controls read from the complainants' side: survey answers (dissatisfaction rate, average score), the
omission rate of due progress updates and revisits, and the survey response rate (docs/metrics.md, "Haier's three
controls")."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import CharField, Count, Exists, F, OuterRef, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce, Concat, TruncWeek

from complaints.choices import OPEN_STATUSES, MessageKind, MessageState, Status
from complaints.models import Complaint, OutboundMessage, SurveyResponse
from complaints.services import LOW_SCORES
from reports.metrics.common import Tally, pct, span, week_of
from reports.weeks import IsoWeek

# A progress update or survey sent more than this after it fell due counts as missed (the dispatcher runs every
# minute; an hour late is not an accident of scheduling any more). docs/metrics.md, "Haier's three controls".
OMISSION_GRACE = timedelta(hours=1)


def answers_count(tally: Tally) -> None:
    """Survey answers per week: how many, how many of 1-2, and the sum of the scores."""
    if not (direct := tally.direct):
        return
    start, end = span(direct)
    for row in (
        SurveyResponse.objects.filter(answered_at__gte=start, answered_at__lt=end)
        .annotate(wk=TruncWeek("answered_at"))
        .values("wk")
        .annotate(n=Count("id"), low=Count("id", filter=Q(score__in=LOW_SCORES)), total=Coalesce(Sum("score"), 0))
        .order_by()
    ):
        if (w := week_of(row["wk"])) not in direct:
            continue
        tally.trend[w]["answers"] += row["n"]
        tally.trend[w]["low_answers"] += row["low"]
        tally.trend[w]["score_total"] += row["total"]


def average_score(counts: dict) -> float | None:
    return round(counts["score_total"] / counts["answers"], 2) if counts["answers"] else None


def omissions(week: IsoWeek, prev: IsoWeek, *, now: datetime) -> dict[IsoWeek, dict]:
    """Omission rate and survey response rate for the two weeks."""
    late_after = now - OMISSION_GRACE
    kinds = (MessageKind.PROGRESS_UPDATE, MessageKind.SURVEY)
    missed = (
        Q(state=MessageState.FAILED)
        | Q(sent_at__isnull=True, due_at__lt=late_after)
        | Q(sent_at__gt=F("due_at") + OMISSION_GRACE)
    )
    answered = Exists(
        SurveyResponse.objects.filter(complaint=OuterRef("complaint"))
        .annotate(period=Concat(Value("cycle"), Cast("cycle", CharField())))
        .filter(period=OuterRef("period"))
    )
    aggregates = {}
    for tag, w in (("w", week), ("p", prev)):
        due = Q(kind__in=kinds, due_at__gte=w.start, due_at__lt=w.end)
        sent = Q(kind=MessageKind.SURVEY, state=MessageState.SENT, sent_at__gte=w.start, sent_at__lt=w.end)
        aggregates[f"{tag}_due"] = Count("id", filter=due)
        aggregates[f"{tag}_missed"] = Count("id", filter=due & missed)
        aggregates[f"{tag}_surveys"] = Count("id", filter=sent)
        aggregates[f"{tag}_answered"] = Count("id", filter=sent & Q(answered=True))
    messages = (
        OutboundMessage.objects.filter(kind__in=kinds)
        .filter(Q(due_at__gte=prev.start, due_at__lt=week.end) | Q(sent_at__gte=prev.start, sent_at__lt=week.end))
        .annotate(answered=answered)
        .aggregate(**aggregates)
    )
    # Obligations never planned at all (the planners were not running): still pending on the complaint.
    unplanned_aggregates = {}
    for tag, w in (("w", week), ("p", prev)):
        unplanned_aggregates[tag] = Count(
            "id",
            filter=(
                Q(
                    status__in=OPEN_STATUSES,
                    sla_policy__isnull=False,
                    progress_due_at__gte=w.start,
                    progress_due_at__lt=min(w.end, late_after),
                )
                | Q(status=Status.RESOLVED, revisit_due_at__gte=w.start, revisit_due_at__lt=min(w.end, late_after))
            ),
        )
    unplanned = Complaint.objects.filter(
        Q(status__in=OPEN_STATUSES, progress_due_at__gte=prev.start, progress_due_at__lt=week.end)
        | Q(status=Status.RESOLVED, revisit_due_at__gte=prev.start, revisit_due_at__lt=week.end)
    ).aggregate(**unplanned_aggregates)
    result = {}
    for tag, w in (("w", week), ("p", prev)):
        due = messages[f"{tag}_due"] + unplanned[tag]
        missed_count = messages[f"{tag}_missed"] + unplanned[tag]
        result[w] = {
            "omission_rate_pct": pct(missed_count, due),
            "survey_response_rate_pct": pct(messages[f"{tag}_answered"], messages[f"{tag}_surveys"]),
        }
    return result
