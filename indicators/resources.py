"""Import/export of the catalogue and the calendar, keyed by natural codes, never by ids."""

from import_export import resources

from indicators.models import Indicator, ReportingPeriod

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
