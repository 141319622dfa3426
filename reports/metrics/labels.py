"""The labels of the report's rows, in the active language: carriers, categories, channels, clocks, escalation
levels, root-cause areas and compensation cases. The headline figures' captions live with the page
(reports.presentation.HEADLINE_METRICS)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import Carrier, User
from complaints.choices import Category, Channel, Clock, EscalationLevel, RootCauseArea
from complaints.compensation.choices import Case as CompensationCase


def _choice_label(choices, key, fallback: str | None = None) -> str:
    try:
        return str(choices(key).label)
    except ValueError:
        return fallback if fallback is not None else str(key)


def category_label(key: str) -> str:
    return _choice_label(Category, key)


def channel_label(key: str) -> str:
    return _choice_label(Channel, key)


def clock_label(key: str) -> str:
    return _choice_label(Clock, key)


def level_label(key: int) -> str:
    return _choice_label(EscalationLevel, int(key))


def root_cause_label(key: str) -> str:
    """`""` (a resolution that did not say where the problem arose) reads "Not recorded"."""
    if not key:
        return _("Not recorded")
    return _choice_label(RootCauseArea, key)


def compensation_case_label(key: str) -> str:
    return _choice_label(CompensationCase, key)


def carrier_label(carrier: Carrier | None, language: str | None = None) -> str:
    """`中通快递 / ZTO Express` in Chinese, `ZTO Express` in English; "No carrier" for complaints without one."""
    if carrier is None:
        return _("No carrier")
    language = language or get_language() or settings.LANGUAGE_CODE
    return f"{carrier.name_zh} / {carrier.name_en}" if language.startswith("zh") else carrier.name_en


def label_for(section: str, key: Any) -> str:
    """The label of a row's key in a breakdown of the report, in the active language (for re-labelling a stored
    snapshot in the reader's language). Carriers are looked up by code, agents by username."""
    if section == "by_carrier":
        return carrier_label(Carrier.objects.filter(code=key).first() if key else None)
    if section == "by_agent":
        user = User.objects.filter(username=key).first()
        return (user.get_full_name() or user.username) if user else str(key)
    return {
        "by_category": category_label,
        "by_channel": channel_label,
        "escalations_by_level": level_label,
        "breaches_by_clock": clock_label,
        "root_causes": root_cause_label,
        "compensation_by_case": compensation_case_label,
    }[section](key)
