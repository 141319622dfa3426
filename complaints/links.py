"""Signed, expiring links for complainants, who never log in: the status page and the survey."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

STATUS_SALT = "redress.status-page"
SURVEY_SALT = "redress.survey"


def status_token(complaint_id: int) -> str:
    return signing.dumps({"c": complaint_id}, salt=STATUS_SALT, compress=True)


def survey_token(complaint_id: int, cycle: int) -> str:
    return signing.dumps({"c": complaint_id, "k": cycle}, salt=SURVEY_SALT, compress=True)


def read_status_token(token: str) -> int:
    """The complaint id; raises signing.SignatureExpired or signing.BadSignature."""
    return int(signing.loads(token, salt=STATUS_SALT, max_age=settings.REDRESS_STATUS_LINK_DAYS * 86400)["c"])


def read_survey_token(token: str) -> tuple[int, int]:
    data = signing.loads(token, salt=SURVEY_SALT, max_age=settings.REDRESS_SURVEY_LINK_DAYS * 86400)
    return int(data["c"]), int(data["k"])


def absolute(path: str) -> str:
    return settings.REDRESS_PUBLIC_BASE_URL.rstrip("/") + path


def status_url(complaint_id: int) -> str:
    return absolute(reverse("public:status", args=[status_token(complaint_id)]))


def survey_url(complaint_id: int, cycle: int) -> str:
    return absolute(reverse("public:survey", args=[survey_token(complaint_id, cycle)]))
