from django import forms
from django.utils.translation import gettext_lazy as _

from parc.lib.forms import StyledFormMixin
from units import selectors
from units.models import Level


class DirectoryForm(StyledFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Name or code"),
        required=False,
        max_length=100,
        help_text=_("Accents are optional: “chau thanh” finds “Châu Thành”."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", _("All levels")), *Level.choices])
    province = forms.ModelChoiceField(
        label=_("Province"), required=False, queryset=None, empty_label=_("All provinces")
    )
    former = forms.BooleanField(label=_("Include units that no longer exist"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = selectors.provinces_visible_to(user=user)

    def filters(self):
        """Keyword arguments for selectors.unit_directory (empty when the form is invalid)."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "query": data["q"],
            "level": data["level"],
            "province": data["province"],
            "include_former": data["former"],
        }
