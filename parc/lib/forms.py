"""Form helpers shared by every app: Bootstrap classes and accessible errors."""

from decimal import Decimal

from django import forms
from django.forms.renderers import TemplatesSetting
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from parc.lib.numbers import AmbiguousNumber, input_text, parse_number


class PortalFormRenderer(TemplatesSetting):
    """`{{ form }}` renders with the portal's templates: a label tied to each input,
    help text and errors linked through aria-describedby, errors in words beside the field."""

    form_template_name = "includes/_form.html"
    field_template_name = "includes/_field.html"


FILE_TEMPLATES = {False: "includes/_file_input.html", True: "includes/_clearable_file_input.html"}


class StyledFormMixin:
    """Adds Bootstrap classes to widgets and marks invalid ones after validation."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(widget, forms.FileInput):
                # The browser writes "Choose File" / "No file chosen" in its own language, whatever
                # the page's: the input is hidden (still focusable) behind a label in ours.
                css = "file-picker-input"
                widget.template_name = FILE_TEMPLATES[isinstance(widget, forms.ClearableFileInput)]
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


class QuickSelect(forms.Select):
    """A <select> written in Python. Django renders each <option> through a template include:
    the dashboard's filter form (40-odd options, on every page, cached or not) spent ~10 ms of a
    ~28 ms cached page on it. Same markup, same escaping, optgroups kept."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group, options, _index in widget["optgroups"]:
            html = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((o["value"], mark_safe(" selected") if o["selected"] else "", o["label"]) for o in options),
            )
            groups.append(format_html('<optgroup label="{}">{}</optgroup>', group, html) if group else html)
        return format_html(
            '<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), mark_safe("".join(groups))
        )


class VNDecimalField(forms.DecimalField):
    """A number typed the Vietnamese way ("99,12", "1.234,5") whatever the interface language;
    "1.234" alone is refused as ambiguous rather than guessed."""

    default_error_messages = {
        "invalid": _("Enter a number, with a decimal comma (e.g. 99,12)."),
        "ambiguous": _("“%(value)s” could be a thousand or a decimal: write 1234 or 1,234."),
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            number = parse_number(value)
        except AmbiguousNumber:
            raise forms.ValidationError(
                self.error_messages["ambiguous"], code="ambiguous", params={"value": value}
            ) from None
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        return number

    def prepare_value(self, value):
        """Show a stored number with a decimal comma and no trailing zeros: 55 → "55", 99.12 → "99,12"."""
        return input_text(value) if isinstance(value, Decimal) else value


class TypedNumberField(forms.CharField):
    """A number kept as the user typed it, for a shared check to parse later (the figures of a
    report go through indicators.validation, wherever they are typed); a stored one is shown as
    VNDecimalField shows it: "145", not "145.0000"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(*args, **kwargs)

    prepare_value = VNDecimalField.prepare_value


MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def validate_upload_size(upload):
    """Documents attached to plans and reports: at most 20 MB."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise forms.ValidationError(_("The file is larger than 20 MB."), code="too_large")
