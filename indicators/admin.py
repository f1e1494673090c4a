from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _lazy
from import_export.admin import ImportExportMixin, ImportExportModelAdmin

from indicators import display, services
from indicators.models import ImportJob, Indicator, Report, ReportingPeriod, ReportValue
from indicators.resources import IndicatorResource, ReportingPeriodResource, ReportValueResource
from parc.lib.admin import DataVersionAdminMixin, VNDecimalsAdminMixin
from parc.lib.forms import TypedNumberField
from parc.lib.history import HistoryAdmin
from parc.lib.importexport import GuardedImportMixin
from parc.lib.numbers import input_text, parse_number
from parc.lib.text import person_name


@admin.register(Indicator)
class IndicatorAdmin(
    DataVersionAdminMixin, VNDecimalsAdminMixin, GuardedImportMixin, ImportExportModelAdmin, HistoryAdmin
):
    resource_classes = [IndicatorResource]
    list_display = ["code", "name_vi", "field", "kind", "direction", "time_aggregation", "active", "display_order"]
    list_filter = ["field", "kind", "active", "for_commune", "for_district", "for_province"]
    list_editable = ["active", "display_order"]
    search_fields = ["code", "name_vi", "name_en", "definition"]
    fieldsets = [
        (None, {"fields": ["code", "name_vi", "name_en", "field", "kind", "unit_of_measure"]}),
        ("Tỷ lệ / Ratio", {"fields": ["numerator_label", "denominator_label"]}),
        (None, {"fields": ["direction", "time_aggregation", ("for_province", "for_district", "for_commune")]}),
        (None, {"fields": ["definition", "legal_basis", "maximum", "active", "display_order"]}),
    ]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(DataVersionAdminMixin, GuardedImportMixin, ImportExportModelAdmin, HistoryAdmin):
    resource_classes = [ReportingPeriodResource]
    list_display = ["__str__", "year", "kind", "start", "end", "due", "closes"]
    list_filter = ["year", "kind"]
    ordering = ["-year", "kind"]


class ReportValueAdminForm(forms.ModelForm):
    """The admin changes figures through the one writer (services.report_values_write), under
    the same rules as the entry page: scope, locks (approved, submitted, closed), the figure
    checks and the version the administrator started from. The write happens once the form is
    valid, so a refusal or a conflict comes back as a form error, with nothing saved."""

    user = None  # set by ReportValueAdmin.get_form
    source = services.Source.ADMIN
    # What the administrator saw when the page opened: the report's version and the figure
    # (also on the history page's revert form, which shows an older figure over the current one).
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    seen_numerator = forms.CharField(widget=forms.HiddenInput, required=False)
    seen_denominator = forms.CharField(widget=forms.HiddenInput, required=False)
    seen_value = forms.CharField(widget=forms.HiddenInput, required=False)
    seen_comment = forms.CharField(widget=forms.HiddenInput, required=False, strip=False)
    seen_not_occurred = forms.BooleanField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ReportValue
        fields = ["report", "indicator", "numerator", "denominator", "value", "comment", "not_occurred"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Figures are parsed by the shared check (decimal comma, bounds, NaN …), not by the
        # model's DecimalField, so they arrive as typed.
        for name in ("numerator", "denominator", "value"):
            if name in self.fields:  # not on the read-only form of a locked report
                self.fields[name] = TypedNumberField(label=self.fields[name].label, required=False)
        if "comment" in self.fields:
            # Control characters (NUL too) are refused by the shared check, in the user's
            # language; Django's own NUL validator speaks English only.
            self.fields["comment"].validators = []
        current = ReportValue.objects.select_related("report").filter(pk=self.instance.pk).first()
        if current is not None:
            self.fields["base_version"].initial = current.report.version
            for name in ("numerator", "denominator", "value", "comment"):
                self.fields[f"seen_{name}"].initial = input_text(getattr(current, name))
            self.fields["seen_not_occurred"].initial = current.not_occurred
        self.written = None

    def _post_clean(self):
        pass  # the service checks and writes; the model's own validation would parse numbers again

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:  # a figure stays where it is: its report and indicator are shown read-only
            report, indicator = self.instance.report, self.instance.indicator
        else:
            report, indicator = cleaned.get("report"), cleaned.get("indicator")
        if self.errors or not (report and indicator):
            return cleaned
        seen = {f: cleaned.get(f"seen_{f}") or None for f in ("numerator", "denominator", "value")}
        seen = {f: parse_number(v) if v is not None else None for f, v in seen.items()}
        seen["comment"] = cleaned.get("seen_comment") or ""
        seen["not_occurred"] = bool(cleaned.get("seen_not_occurred"))
        base_version = cleaned.get("base_version")
        if not self.instance.pk:
            base_version = None  # a new figure: nothing was seen; any figure saved meanwhile conflicts
        result = services.report_values_write(
            user=self.user,
            unit=report.unit,
            period=report.period,
            changes={indicator.pk: {f: cleaned.get(f) for f in services.STORED_FIELDS}},
            indicators=[indicator],
            base_version=base_version,
            source=self.source,
            reason=self.reason(),
            original={indicator.pk: seen},
        )
        if result.refused:
            raise forms.ValidationError(result.refused)
        for name, message in result.errors.get(indicator.pk, []):
            self.add_error(name if name in self.fields else None, message)
        if result.conflict:
            _indicator, _seen, _yours, theirs = result.conflict[0]
            raise forms.ValidationError(
                _(
                    "Someone saved this figure after you opened the page (%(who)s: %(theirs)s). Nothing was saved: reload the page and repeat."
                )
                % {
                    "who": person_name(result.report.updated_by),
                    "theirs": " / ".join("—" if t is None else str(t) for t in theirs[:3]),
                }
            )
        if not self.errors:
            self.written = (
                ReportValue.objects.filter(report=result.report, indicator=indicator).first() if result.report else None
            )
            if self.written is None:  # nothing typed for a figure that did not exist: nothing to save
                raise forms.ValidationError(_("Enter the figure."))
        return cleaned

    def reason(self):
        return ""


class ReportValueRevertForm(ReportValueAdminForm):
    source = services.Source.REVERT

    def reason(self):
        return _("restored from history")


@admin.register(ReportValue)
class ReportValueAdmin(GuardedImportMixin, ImportExportMixin, HistoryAdmin):
    form = ReportValueAdminForm
    resource_classes = [ReportValueResource]
    skip_admin_log = True
    list_display = ["report", "indicator", "numerator_text", "denominator_text", "figure_text", "not_occurred"]
    list_filter = ["report__period", "indicator__field", "report__status"]
    search_fields = ["report__unit__name", "report__unit__code", "indicator__code"]
    autocomplete_fields = ["report", "indicator"]
    list_select_related = ["report__unit", "report__period", "indicator"]

    def get_form(self, request, obj=None, **kwargs):
        if getattr(request, "_parc_revert", False):
            kwargs["form"] = ReportValueRevertForm
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        request._parc_revert = True
        return super().history_form_view(request, object_id, version_id, extra_context)

    # Figures as the portal writes them (indicators.display), in the list and on the read-only
    # page of a locked report: "13 sáng kiến", "98,40 %" — not the column's "13,0000".
    @admin.display(description=_lazy("numerator"), ordering="numerator")
    def numerator_text(self, obj):
        return display.count_text(obj.numerator)

    @admin.display(description=_lazy("denominator"), ordering="denominator")
    def denominator_text(self, obj):
        return display.count_text(obj.denominator)

    @admin.display(description=_lazy("value"), ordering="value")
    def figure_text(self, obj):
        return display.figure_text(obj.indicator, obj.figure)

    LOCKED_FIELDS = ["report", "indicator", "numerator_text", "denominator_text", "figure_text", "comment", "not_occurred"]

    def get_fields(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            return self.LOCKED_FIELDS
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            return self.LOCKED_FIELDS
        # Changing a figure's report or indicator would copy it over another report's figure
        # without that report's version being checked: a figure is deleted and added instead.
        return ["report", "indicator"] if obj is not None else []

    def _refusal(self, request, obj):
        report = obj.report
        return services.edit_refusal(user=request.user, unit=report.unit, period=report.period, report=report)

    def has_change_permission(self, request, obj=None):
        if obj is not None and self._refusal(request, obj):
            return False  # read-only: approved, submitted, closed or out of scope (the service says why)
        return super().has_change_permission(request, obj)

    has_delete_permission = has_change_permission

    def save_model(self, request, obj, form, change):
        # Written by the form's clean() through the service; the admin only needs the row as
        # saved, for its message and redirect.
        for f in ReportValue._meta.concrete_fields:
            setattr(obj, f.attname, getattr(form.written, f.attname))
        obj._state.adding = False

    def delete_model(self, request, obj):
        self._delete(request, [obj])

    def delete_queryset(self, request, queryset):
        self._delete(request, list(queryset.select_related("report__unit", "report__period")))

    @transaction.atomic
    def _delete(self, request, values):
        """Delete figures through the one writer, a report at a time, all or nothing."""
        by_report = {}
        for value in values:
            by_report.setdefault(value.report_id, (value.report, []))[1].append(value)
        for report, items in by_report.values():
            result = services.report_values_write(
                user=request.user,
                unit=report.unit,
                period=report.period,
                changes={v.indicator_id: services.DELETE for v in items},
                indicators=[v.indicator for v in items],
                base_version=report.version,
                source=services.Source.ADMIN,
                reason=_("deleted in the administration"),
                original={v.indicator_id: _seen(v) for v in items},
            )
            if not result.ok:
                raise PermissionDenied(
                    result.refused or _("These figures changed meanwhile: reload the page and repeat.")
                )


def _seen(value):
    return {
        "numerator": value.numerator,
        "denominator": value.denominator,
        "value": value.value,
        "comment": value.comment,
    }


@admin.register(Report)
class ReportAdmin(HistoryAdmin):
    """Reports change through the portal's workflow (submit, return, approve, reopen: one
    service each); the admin lists them and shows their history, and cannot revert it."""

    list_display = ["unit", "period", "status", "submitted_at", "updated_at"]
    list_filter = ["period", "status", "unit__level"]
    search_fields = ["unit__name", "unit__code"]
    list_select_related = ["unit", "period"]
    readonly_fields = [f.name for f in Report._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied(
                _("A report's status changes only through review (submit, return, approve, reopen).")
            )
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        raise PermissionDenied(_("A report's status changes only through review (submit, return, approve, reopen)."))


# The job's bookkeeping columns have no name of their own: the admin would head them "Rows
# read", "Heartbeat at" whatever the language. It shows them under these.
IMPORT_JOB_LABELS = {
    "user": gettext_lazy("uploaded by"),
    "resource": gettext_lazy("import-export resource"),
    "admin_model": gettext_lazy("admin list"),
    "file": gettext_lazy("uploaded file"),
    "language": gettext_lazy("language of the messages"),
    "rows_read": gettext_lazy("rows read"),
    "rows_checked": gettext_lazy("rows checked"),
    "rows_written": gettext_lazy("rows written"),
    "counts": gettext_lazy("counts"),
    "preview": gettext_lazy("preview"),
    "errors": gettext_lazy("errors"),
    "versions": gettext_lazy("report versions seen"),
    "message": gettext_lazy("message"),
    "rejected": gettext_lazy("rejected rows"),
    "attempts": gettext_lazy("attempts"),
    "heartbeat_at": gettext_lazy("last sign of life"),
    "worker": gettext_lazy("worker"),
    "created_at": gettext_lazy("created at"),
    "updated_at": gettext_lazy("updated at"),
}


def _job_column(name):
    """The job's column `name`, shown read-only under its label in IMPORT_JOB_LABELS."""
    if name not in IMPORT_JOB_LABELS:
        return name

    def column(job):
        return getattr(job, name)

    column.__name__ = name
    return admin.display(description=IMPORT_JOB_LABELS[name], ordering=name)(column)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = [
        _job_column(name) for name in ("filename", "user", "status", "rows_read", "rows_written", "created_at")
    ]
    list_filter = ["status"]
    readonly_fields = [_job_column(f.name) for f in ImportJob._meta.fields]
    fields = readonly_fields
