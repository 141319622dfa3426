"""What the compensation admin's pages share: a service's refusal shown on a form, and the explanation in both
languages."""

from __future__ import annotations

from django import forms
from django.utils.html import format_html_join

from complaints.compensation.calculator import LANGUAGES
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
