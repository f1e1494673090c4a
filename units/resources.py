"""django-import-export resources for the unit register, keyed by codes, never by ids.

Importing units is not a row-by-row affair: a row's parent may be a later row, codes are unique
only per date, and the file is all-or-nothing. So the resource hands the whole dataset to
`units.services.units_import` — the same code `import_units` and `load_units` use — and turns
its outcome into import-export's preview (new / update / skip) or its list of invalid rows.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources
from import_export.results import RowResult

from parc.lib.spreadsheets import normalise_header
from units.models import AdministrativeUnit, Membership
from units.services import COLUMNS, REQUIRED_COLUMNS, units_import

_IMPORT_TYPE = {
    "new": RowResult.IMPORT_TYPE_NEW,
    "update": RowResult.IMPORT_TYPE_UPDATE,
    "skip": RowResult.IMPORT_TYPE_SKIP,
}


class UnitResource(resources.ModelResource):
    parent_code = fields.Field(attribute="parent__code", column_name="parent_code")

    class Meta:
        model = AdministrativeUnit
        fields = COLUMNS
        export_order = COLUMNS
        import_id_fields = ["code", "valid_from"]

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        result = self.get_result_class()()
        result.diff_headers = list(COLUMNS)
        headers = [normalise_header(h) for h in (dataset.headers or [])]
        records = [(number, dict(zip(headers, row, strict=False))) for number, row in enumerate(dataset, start=2)]
        result.total_rows = len(records)
        missing = [c for c in REQUIRED_COLUMNS if c not in headers]
        if missing:
            error = ValidationError({c: [_("This column is missing.")] for c in missing})
            result.append_invalid_row(1, dict(zip(headers, headers, strict=False)), error)
            return result
        outcome = units_import(records=records, dry_run=dry_run)
        by_number = dict(records)
        if not outcome.ok:
            grouped = {}
            for error in outcome.errors:
                grouped.setdefault(error.row, {}).setdefault(error.column or "__all__", []).append(error.message)
            for number, errors in grouped.items():
                result.append_invalid_row(number, by_number.get(number, {}), ValidationError(errors))
            return result
        for number, kind in outcome.rows:
            row_result = RowResult()
            row_result.import_type = _IMPORT_TYPE[kind]
            record = by_number[number]
            row_result.diff = [record.get(c, "") if record.get(c) is not None else "" for c in COLUMNS]
            result.append_row_result(row_result)
            result.increment_row_result_total(row_result)
        return result


class MembershipResource(resources.ModelResource):
    username = fields.Field(attribute="user__username", column_name="username")
    unit_code = fields.Field(attribute="unit__code", column_name="unit_code")

    class Meta:
        model = Membership
        fields = ["username", "unit_code", "role"]
        export_order = ["username", "unit_code", "role"]
