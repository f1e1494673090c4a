from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from indicators import selectors
from indicators.models import ReportingPeriod, ReportStatus
from parc.lib.forms import QuickSelect, StyledFormMixin
from units import scoping
from units.models import Kind, Level

STATUSES = [
    (ReportStatus.SUBMITTED, _("Waiting for review")),
    (ReportStatus.RETURNED, _("Returned, waiting for the officer")),
    (ReportStatus.APPROVED, _("Approved")),
]


class InboxFilterForm(StyledFormMixin, forms.Form):
    """Every filter in the URL (?trang_thai=submitted&nam=2026&ky=2026-Q2 …): a view is a link."""

    trang_thai = forms.ChoiceField(label=_("Status"), choices=STATUSES, required=False, widget=QuickSelect)
    nam = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, widget=QuickSelect)
    ky = forms.ChoiceField(label=_("Quarter"), required=False, widget=QuickSelect)
    cap = forms.ChoiceField(label=_("Level"), required=False, widget=QuickSelect)
    huyen = forms.TypedChoiceField(label=_("District"), coerce=int, required=False, widget=QuickSelect)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        periods = ReportingPeriod.objects.filter(start__lte=timezone.localdate()).order_by("-year", "-kind")
        self.periods = {p.code: p for p in periods}
        years = sorted({p.year for p in self.periods.values()}, reverse=True)  # from the same read
        self.fields["nam"].choices = [("", _("All years"))] + [(y, str(y)) for y in years]
        self.fields["ky"].choices = [("", _("All quarters"))] + [(code, str(p)) for code, p in self.periods.items()]
        self.fields["cap"].choices = [("", _("All levels"))] + [
            (level, label) for level, label in Level.choices if level != Level.NATION
        ]
        districts = scoping.units_visible_to(user).filter(level=Level.DISTRICT, kind=Kind.COMMITTEE)
        self.districts = {u.pk: u for u in districts.order_by("path")[:500]}
        self.fields["huyen"].choices = [("", _("All districts"))] + [(pk, u.name) for pk, u in self.districts.items()]

    def filters(self) -> selectors.InboxFilters:
        """The filters from the URL; anything wrong falls back to "everything waiting for review"."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        period = self.periods.get(data.get("ky") or "")
        return selectors.InboxFilters(
            status=data.get("trang_thai") or ReportStatus.SUBMITTED,
            year=period.year if period else data.get("nam") or None,
            period=period,
            level=data.get("cap", ""),
            district=self.districts.get(data.get("huyen")),
        )
