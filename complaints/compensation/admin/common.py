"""What the compensation admin's pages share: a service's refusal shown on a form, and the explanation in both
languages."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from complaints.compensation.calculator import LANGUAGES
from complaints.compensation.models import CompensationClaim
from complaints.errors import ServiceError

LANGUAGE_LABELS = {"zh-hans": "中文", "en": "English"}


def form_errors(form: forms.Form, error: ServiceError) -> None:
    """Show a service's refusal on the form: per field where the field is on it, above the form otherwise."""
    form.add_error(None, error.message)
    for name, field_messages in error.fields.items():
        target = name if name in form.fields else None
        for message in field_messages:
            form.add_error(target, message if target else f"{name}: {message}")


def explanation_html(explanation: dict) -> str:
    if not explanation:
        return "—"
    return format_html_join(
        "",
        '<div class="redress-explanation" lang="{}"><strong>{}</strong><ol>{}</ol></div>',
        (
            (
                language,
                LANGUAGE_LABELS[language],
                format_html_join("", "<li>{}</li>", ((line,) for line in explanation.get(language, []))),
            )
            for language in LANGUAGES
            if explanation.get(language)
        ),
    )


def cited_evidence_html(claim: CompensationClaim) -> str:
    """The files the claim relies on: a thumbnail (pictures) and the name, each opening the file (complaints/evidence,
    streamed to whoever may see the complaint)."""
    files = list(claim.evidence.order_by("created_at", "id"))
    if not files:
        return "—"

    def link(file) -> tuple:
        url = reverse("admin:complaints_complaint_evidence_file", args=[claim.complaint_id, file.pk])
        preview = ""
        if file.thumbnail_name:
            thumbnail = reverse("admin:complaints_complaint_evidence_thumbnail", args=[claim.complaint_id, file.pk])
            preview = format_html('<img src="{}" alt="" height="48" loading="lazy"> ', thumbnail)
        return (url, preview, file.original_name, file.get_kind_display())

    return format_html_join(
        "",
        '<div class="redress-cited-file"><a href="{}" target="_blank" rel="noopener">{}{}</a> · {}</div>',
        (link(file) for file in files),
    )
