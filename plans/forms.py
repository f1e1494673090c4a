from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from indicators.models import Indicator
from parc.lib.forms import StyledFormMixin, VNDecimalField
from plans.models import Plan, PlanTask, Target
from units.models import AdministrativeUnit, Kind, Level


class ServiceValidatedForm(StyledFormMixin, forms.ModelForm):
    """A model form saved by a service; the service's ValidationError is shown beside the
    fields it names instead of becoming a server error."""

    def save_with(self, service, name, **kwargs):
        """`service(**{name: instance}, **kwargs)`, or None with the errors added to the form."""
        try:
            return service(**{name: self.instance}, **kwargs)
        except ValidationError as exc:
            errors = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
            for field, messages in errors.items():
                self.add_error(field if field in self.fields else None, messages)
            return None


class PlanForm(ServiceValidatedForm):
    class Meta:
        model = Plan
        fields = ["year", "title", "decision_number", "decision_date", "document", "status"]
        widgets = {"decision_date": forms.DateInput(attrs={"placeholder": "31/01/2026"})}


class TaskForm(ServiceValidatedForm):
    class Meta:
        model = PlanTask
        fields = ["title", "lead_unit", "deadline", "status", "progress_note", "result_reference"]
        widgets = {
            "progress_note": forms.Textarea(attrs={"rows": 3}),
            "deadline": forms.DateInput(attrs={"placeholder": "30/06/2026"}),
        }

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        # The plan's unit, its agencies and the units just below it.
        self.fields["lead_unit"].queryset = (
            AdministrativeUnit.objects.filter(pk=plan.unit.pk) | plan.unit.children.all()
        )


class TargetForm(ServiceValidatedForm):
    value = VNDecimalField(label=_("Target value"), help_text=_("A percentage as a number: 55 or 99,5."))
    level = forms.ChoiceField(
        label=_("For every unit of the level"),
        required=False,
        choices=[("", _("— one unit only (choose below) —")), *[c for c in Level.choices if c[0] != Level.NATION]],
    )

    class Meta:
        model = Target
        fields = ["indicator", "comparator", "value", "level", "unit", "note"]

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.fields["indicator"].queryset = Indicator.objects.active()
        self.fields["unit"].queryset = AdministrativeUnit.objects.subtree_of(plan.unit).filter(kind=Kind.COMMITTEE)
        self.fields["unit"].help_text = _("Leave empty when the target applies to a whole level.")
