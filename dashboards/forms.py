from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dashboards.selectors import Filters, Reference
from indicators.models import ParField
from parc.lib.forms import QuickSelect, StyledFormMixin
from parc.lib.periods import SPAN_LABELS


class DashboardFilterForm(StyledFormMixin, forms.Form):
    """Every filter lives in the URL (?nam=2026&ky=H1&linh_vuc=digital …): a view is a link."""

    nam = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, widget=QuickSelect)
    ky = forms.ChoiceField(label=_("Period"), choices=list(SPAN_LABELS.items()), required=False, widget=QuickSelect)
    linh_vuc = forms.ChoiceField(
        label=_("Field"), choices=[("", _("All fields")), *ParField.choices], required=False, widget=QuickSelect
    )
    chi_so = forms.ChoiceField(label=_("Indicator"), required=False, widget=QuickSelect)
    gom_da_gui = forms.BooleanField(label=_("Include submitted figures not yet approved"), required=False)
    sap_xep = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The calendar and catalogue, read once: the view hands them on to the figures.
        self.reference = Reference.read()
        years = self.reference.calendar.years
        self.fields["nam"].choices = [(y, str(y)) for y in years] or [(timezone.localdate().year,) * 2]
        self.fields["chi_so"].choices = [("", _("All indicators"))] + [
            (i.code, f"{i.code} — {i.name}") for i in self.reference.indicators
        ]

    def filters(self):
        """Filters from the URL; anything missing or wrong falls back to the current quarter."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        latest = self.reference.calendar.latest_due()
        year = data.get("nam") or (latest.year if latest else timezone.localdate().year)
        span = data.get("ky") or (latest.kind if latest and latest.year == year else "Y")
        if not self.is_bound:
            self.initial.update({"nam": year, "ky": span})  # the page shows what it computed
        return Filters(
            year=year,
            span=span,
            field=data.get("linh_vuc", ""),
            indicator=data.get("chi_so", ""),
            include_submitted=bool(data.get("gom_da_gui")),
            sort=data.get("sap_xep", ""),
        )
