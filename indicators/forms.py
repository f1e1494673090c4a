"""The entry form of a quarterly report, read from the POST by hand: every typed string is kept
as typed (so nothing is lost when a row is refused), and checked by indicators.validation."""

from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext_lazy as _

from parc.lib.forms import StyledFormMixin
from parc.lib.numbers import parse_number

ENTRY_FIELDS = ("numerator", "denominator", "value", "comment", "not_occurred")
PREFIX = {"numerator": "n", "denominator": "d", "value": "v", "comment": "c", "not_occurred": "k"}


@dataclass
class EntryData:
    rows: dict = field(default_factory=dict)  # indicator id → {field: typed text}
    original: dict = field(default_factory=dict)  # indicator id → {field: value first shown}
    version: int | None = None
    action: str = "save"
    files: dict = field(default_factory=dict)  # indicator id → uploaded file

    @classmethod
    def from_post(cls, post, files, indicators):
        data = cls(action=post.get("action", "save"))
        version = post.get("version", "")
        data.version = int(version) if version.isdigit() else None
        for indicator in indicators:
            key = indicator.pk
            data.rows[key] = {f: post.get(f"{PREFIX[f]}_{key}", "") for f in ENTRY_FIELDS}
            data.original[key] = {f: _lenient(post.get(f"o{PREFIX[f]}_{key}", ""), f) for f in ENTRY_FIELDS}
            if files.get(f"e_{key}"):
                data.files[key] = files[f"e_{key}"]
        return data


def _lenient(text, name):
    """The value the page showed, back as a number (it was written by us, so it parses)."""
    if name == "comment":
        return text
    if name == "not_occurred":
        return text == "1"
    try:
        return parse_number(text) if text else None
    except ValueError:
        return None


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )


class ImportUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx or .csv)"),
        help_text=_(
            "Columns unit_code, period, indicator_code, numerator, denominator, value, comment — as in the template."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    sheet = forms.CharField(
        label=_("Sheet"), required=False, max_length=100, help_text=_("Leave empty for the first sheet.")
    )
    partial = forms.BooleanField(
        label=_("Save the valid rows even if some rows are wrong (you get a file of the rejected rows)"), required=False
    )


class TemplateForm(StyledFormMixin, forms.Form):
    don_vi = forms.ModelChoiceField(label=_("Unit (with the units right below it)"), queryset=None)
    ky = forms.ChoiceField(label=_("Quarter"))

    def __init__(self, *args, units, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["don_vi"].queryset = units
        self.fields["ky"].choices = [(p.code, str(p)) for p in periods]
