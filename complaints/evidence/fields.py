"""The form field for files: several in one input, for the admin's forms and the complainant's pages alike. It only
collects the uploads; the evidence service reads each file's type from its bytes and checks the limits."""

from django import forms


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


# What the browser offers to choose; the service decides from the bytes whatever the browser sends.
EVIDENCE_ACCEPT = "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif,application/pdf"


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none was chosen and none is required)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, (list, tuple)) else [data]
        items = [item for item in items if item]
        if not items:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        return [super(MultipleFileField, self).clean(item, initial) for item in items]
