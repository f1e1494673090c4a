"""Import/export of the catalogue and the calendar, keyed by natural codes, never by ids."""

from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from indicators import display, imports
from indicators.models import Indicator, ReportingPeriod, ReportValue
from parc.lib.importexport import WholeFileResource
from parc.lib.numbers import input_text
from parc.lib.spreadsheets import Sheet


def changed_since_preview(stale) -> str:
    return _("%(unit)s (%(period)s) changed after the preview (saved by %(who)s): nothing was imported; import the file again.") % {
        "unit": stale.unit.name, "period": stale.period.code, "who": stale.by or "—",
    }  # fmt: skip


INDICATOR_FIELDS = [
    "code", "name_vi", "name_en", "field", "kind", "numerator_label", "denominator_label", "direction",
    "time_aggregation", "for_province", "for_district", "for_commune", "unit_of_measure", "definition",
    "legal_basis", "active", "display_order",
]  # fmt: skip


class IndicatorResource(resources.ModelResource):
    class Meta:
        model = Indicator
        import_id_fields = ["code"]
        fields = INDICATOR_FIELDS
        export_order = INDICATOR_FIELDS
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True  # the model's own checks (ratio labels …) apply to imports


class ReportingPeriodResource(resources.ModelResource):
    class Meta:
        model = ReportingPeriod
        import_id_fields = ["year", "kind"]
        fields = ["year", "kind", "start", "end", "due", "closes"]
        export_order = ["year", "kind", "start", "end", "due", "closes"]
        skip_unchanged = True
        clean_model_instances = True


class FigureField(fields.Field):
    """A figure of the row's indicator in an export: in an xlsx a number shown in the indicator's
    format (a count "13", a percentage "98,40": indicators.display); in a csv as it is typed
    back ("145", "4,61", never "145,0000"). `count`: one of the two counts of a ratio."""

    def __init__(self, *args, count=False, **kwargs):
        kwargs.setdefault("widget", widgets.DecimalWidget())
        super().__init__(*args, **kwargs)
        self.count = count

    def export(self, instance, **kwargs):
        value = self.get_value(instance)
        if not kwargs.get("force_native_type"):  # a text format (csv)
            return input_text(value)
        return display.count_cell(value) if self.count else display.figure_cell(instance.indicator, value)


class ReportValueResource(WholeFileResource):
    """Quarterly figures by unit code, period code and indicator code. The import runs the same
    checks and locks as the portal's Excel page (indicators.imports): all or nothing."""

    unit_code = fields.Field(attribute="report__unit__code", column_name="unit_code")
    period = fields.Field(attribute="report__period__code", column_name="period")
    indicator_code = fields.Field(attribute="indicator__code", column_name="indicator_code")
    numerator = FigureField(attribute="numerator", column_name="numerator", count=True)
    denominator = FigureField(attribute="denominator", column_name="denominator", count=True)
    value = FigureField(attribute="value", column_name="value")
    diff_columns = ["unit_code", "period", "indicator_code", "numerator", "denominator", "value", "comment", "not_occurred"]

    class Meta:
        model = ReportValue
        fields = ["unit_code", "period", "indicator_code", "numerator", "denominator", "value", "comment", "not_occurred"]
        export_order = fields

    def get_queryset(self):
        return ReportValue.objects.select_related("report__unit", "report__period", "indicator")

    def run_import(self, *, headers, records, dry_run, user, file_name, base_versions=None, **extra):
        """Check the whole file; at the admin's confirm step, write it only if every report is
        still at the version its preview saw (`base_versions`, passed on by the confirm form)."""
        sheet = Sheet(headers, [(n, [r.get(h) for h in headers]) for n, r in records])
        plan = imports.plan_import(sheet=sheet, user=user)
        if plan.errors:
            return [(e.row, e.column, e.message) for e in plan.errors], []
        self.parc_extra = {"versions": [[u, p, v] for (u, p), v in sorted(plan.versions.items())]}
        if not dry_run:
            try:
                imports.write_import(plan=plan, user=user, filename=file_name or "admin", base_versions=base_versions)
            except imports.ReportsChanged as exc:
                first = {(c.unit.pk, c.period.pk): c.row for c in reversed(plan.changes)}
                return [
                    (first.get((s.unit.pk, s.period.pk), 1), "unit_code", changed_since_preview(s)) for s in exc.stale
                ], []
            except imports.ImportRefused as exc:
                return [(exc.row, "unit_code", exc.message)], []
        kinds = {"new": "new", "changed": "update", "unchanged": "skip"}
        return [], [(c.row, kinds[c.kind]) for c in plan.changes]
