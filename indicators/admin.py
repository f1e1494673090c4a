from django import forms
from django.contrib import admin
from import_export.admin import ImportExportMixin, ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from indicators import services
from indicators.models import ImportJob, Indicator, Report, ReportingPeriod, ReportStatus, ReportValue
from indicators.resources import IndicatorResource, ReportingPeriodResource, ReportValueResource
from indicators.validation import check_figure


@admin.register(Indicator)
class IndicatorAdmin(ImportExportModelAdmin):
    resource_classes = [IndicatorResource]
    list_display = ["code", "name_vi", "field", "kind", "direction", "time_aggregation", "active", "display_order"]
    list_filter = ["field", "kind", "active", "for_commune", "for_district", "for_province"]
    list_editable = ["active", "display_order"]
    search_fields = ["code", "name_vi", "name_en", "definition"]
    fieldsets = [
        (None, {"fields": ["code", "name_vi", "name_en", "field", "kind", "unit_of_measure"]}),
        ("Tỷ lệ / Ratio", {"fields": ["numerator_label", "denominator_label"]}),
        (None, {"fields": ["direction", "time_aggregation", ("for_province", "for_district", "for_commune")]}),
        (None, {"fields": ["definition", "legal_basis", "active", "display_order"]}),
    ]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(ImportExportModelAdmin):
    resource_classes = [ReportingPeriodResource]
    list_display = ["__str__", "year", "kind", "start", "end", "due", "closes"]
    list_filter = ["year", "kind"]
    ordering = ["-year", "kind"]


class ReportValueAdminForm(forms.ModelForm):
    """The admin edits figures under the same rules as the entry page (locked when approved,
    submitted or closed; figures checked the same way)."""

    user = None  # set by ReportValueAdmin.get_form

    class Meta:
        model = ReportValue
        fields = ["report", "indicator", "numerator", "denominator", "value", "comment"]

    def clean(self):
        cleaned = super().clean()
        report, indicator = cleaned.get("report"), cleaned.get("indicator")
        if report and indicator:
            refusal = services.edit_refusal(user=self.user, unit=report.unit, period=report.period, report=report)
            if refusal:
                raise forms.ValidationError(refusal)
            checked = check_figure(indicator, **{f: cleaned.get(f) for f in ("numerator", "denominator", "value")})
            for name, message in checked.errors:
                self.add_error(name if name in self.fields else None, message)
        return cleaned


@admin.register(ReportValue)
class ReportValueAdmin(ImportExportMixin, SimpleHistoryAdmin):
    form = ReportValueAdminForm
    resource_classes = [ReportValueResource]
    skip_admin_log = True
    list_display = ["report", "indicator", "numerator", "denominator", "value"]
    list_filter = ["report__period", "indicator__field", "report__status"]
    search_fields = ["report__unit__name", "report__unit__code", "indicator__code"]
    autocomplete_fields = ["report", "indicator"]
    list_select_related = ["report__unit", "report__period", "indicator"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.report.status == ReportStatus.APPROVED:
            return False  # read-only until a reviewer reopens the report
        return super().has_change_permission(request, obj)

    has_delete_permission = has_change_permission

    def save_model(self, request, obj, form, change):
        obj._change_reason = "admin"
        super().save_model(request, obj, form, change)
        services.report_touch(report=obj.report, user=request.user, reason="admin")


@admin.register(Report)
class ReportAdmin(SimpleHistoryAdmin):
    """Reports change through the portal's workflow; the admin lists and shows them."""

    list_display = ["unit", "period", "status", "submitted_at", "updated_at"]
    list_filter = ["period", "status", "unit__level"]
    search_fields = ["unit__name", "unit__code"]
    list_select_related = ["unit", "period"]
    readonly_fields = [f.name for f in Report._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["filename", "user", "status", "rows_read", "rows_written", "created_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]
