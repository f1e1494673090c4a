"""Form helpers shared by every app: Bootstrap classes and accessible errors."""

from django import forms
from django.forms.renderers import TemplatesSetting


class PortalFormRenderer(TemplatesSetting):
    """`{{ form }}` renders with the portal's templates: a label tied to each input,
    help text and errors linked through aria-describedby, errors in words beside the field."""

    form_template_name = "includes/_form.html"
    field_template_name = "includes/_field.html"


class StyledFormMixin:
    """Adds Bootstrap classes to widgets and marks invalid ones after validation."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                # Screen readers announce the error with the field (the id is set in _field.html).
                error_id = f"{self[name].auto_id}_error"
                described = widget.attrs.get("aria-describedby", "")
                if error_id not in described:
                    widget.attrs["aria-describedby"] = f"{described} {error_id}".strip()
