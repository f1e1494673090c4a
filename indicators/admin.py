from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from indicators.models import Indicator, ReportingPeriod
from indicators.resources import IndicatorResource, ReportingPeriodResource


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
