from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin

from indicators.display import figure_text
from parc.lib.admin import DataVersionAdminMixin, VNDecimalsAdminMixin
from parc.lib.history import HistoryAdmin
from parc.lib.importexport import GuardedImportMixin
from plans import services
from plans.models import Plan, PlanTask, Target
from plans.resources import PlanResource, PlanTaskResource, TargetResource


class TargetAdminForm(forms.ModelForm):
    """The admin applies the same rules as the portal's target form."""

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            try:
                services.target_validate(target=self.instance)
            except ValidationError as exc:
                self._update_errors(exc)


class TaskInline(admin.TabularInline):
    model = PlanTask
    extra = 0
    autocomplete_fields = ["lead_unit"]


class TargetInline(VNDecimalsAdminMixin, admin.TabularInline):
    model = Target
    form = TargetAdminForm
    extra = 0
    autocomplete_fields = ["indicator", "unit"]


@admin.register(Plan)
class PlanAdmin(DataVersionAdminMixin, GuardedImportMixin, ImportExportMixin, HistoryAdmin):
    resource_classes = [PlanResource]
    list_display = ["title", "unit", "year", "decision_number", "decision_date", "status"]
    list_filter = ["year", "status", "unit__level"]
    search_fields = ["title", "decision_number", "unit__name", "unit__code"]
    autocomplete_fields = ["unit"]
    list_select_related = ["unit"]
    inlines = [TargetInline, TaskInline]


@admin.register(Target)
class TargetAdmin(
    DataVersionAdminMixin, VNDecimalsAdminMixin, GuardedImportMixin, ImportExportMixin, HistoryAdmin
):
    resource_classes = [TargetResource]
    form = TargetAdminForm
    list_display = ["indicator", "comparator", "value_text", "unit", "level", "plan"]
    list_filter = ["plan__year", "level", "indicator__field"]
    search_fields = ["indicator__code", "plan__title", "unit__name"]
    autocomplete_fields = ["plan", "indicator", "unit"]
    list_select_related = ["indicator", "unit", "plan"]

    @admin.display(description=_("target value"), ordering="value")
    def value_text(self, obj):
        """ "55 %", "1 sáng kiến": as the portal writes a target (not the column's "55,0000")."""
        return figure_text(obj.indicator, obj.value, exact=True)


@admin.register(PlanTask)
class PlanTaskAdmin(DataVersionAdminMixin, GuardedImportMixin, ImportExportMixin, HistoryAdmin):
    resource_classes = [PlanTaskResource]
    list_display = ["title", "plan", "lead_unit", "deadline", "status"]
    list_filter = ["status", "plan__year"]
    search_fields = ["title", "plan__title"]
    autocomplete_fields = ["plan", "lead_unit"]
    list_select_related = ["plan", "lead_unit"]
