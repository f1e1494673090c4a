"""django-import-export glue for imports that a service runs on the whole file at once.

Row-by-row importing cannot check what spans rows (parents further down, duplicates, codes
unique per date) and is slow. Such resources hand the whole dataset to a service and turn its
answer into import-export's preview (new / update / skip) or its table of invalid rows, so the
admin's import shows the same row numbers and messages as the portal's own pages.
"""

from django.core.exceptions import ValidationError
from import_export import resources
from import_export.formats import base_formats
from import_export.results import RowResult

from parc.lib.spreadsheets import normalise_header

_TYPES = {"new": RowResult.IMPORT_TYPE_NEW, "update": RowResult.IMPORT_TYPE_UPDATE, "skip": RowResult.IMPORT_TYPE_SKIP}


class WholeFileResource(resources.ModelResource):
    diff_columns: list = []

    def run_import(self, *, headers, records, dry_run, user, file_name, **extra):
        """Return (errors [(row, column, message)], rows [(row number, "new" | "update" | "skip")]).

        `extra` carries what the admin's confirm step passes on from its preview (for report
        values: the report versions the preview saw)."""
        raise NotImplementedError

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        result = self.get_result_class()()
        result.diff_headers = list(self.diff_columns)
        headers = [normalise_header(h) for h in (dataset.headers or [])]
        records = [(number, dict(zip(headers, row, strict=False))) for number, row in enumerate(dataset, start=2)]
        result.total_rows = len(records)
        errors, rows = self.run_import(
            headers=headers,
            records=records,
            dry_run=dry_run,
            user=kwargs.get("user"),
            file_name=kwargs.get("file_name") or "",
            **{k: kwargs[k] for k in ("base_versions",) if k in kwargs},
        )
        result.parc_extra = getattr(self, "parc_extra", {})  # e.g. the versions a preview saw
        by_number = dict(records)
        if errors:
            grouped = {}
            for row, column, message in errors:
                grouped.setdefault(row, {}).setdefault(column or "__all__", []).append(str(message))
            for number, messages in sorted(grouped.items()):
                result.append_invalid_row(
                    number, by_number.get(number, dict(zip(headers, headers, strict=False))), ValidationError(messages)
                )
            return result
        for number, kind in rows:
            row_result = RowResult()
            row_result.import_type = _TYPES[kind]
            record = by_number.get(number, {})
            row_result.diff = ["" if record.get(c) is None else record.get(c) for c in self.diff_columns]
            result.append_row_result(row_result)
            result.increment_row_result_total(row_result)
        return result


# ---------------------------------------------------------------------------------------------
# The admin's imports read files through the same guard as the portal's: name, size and first
# bytes checked, then a child process under a memory cap and a time limit, after a streaming
# pre-scan (parc.lib.spreadsheets.open_sheet). GuardedImportMixin puts them on every admin.


class _GuardedFormat:
    suffix = ""

    def is_binary(self):
        return True  # bytes to the guard, which decodes csv itself (UTF-8, UTF-16) and says why not

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        import io

        import tablib

        from parc.lib.spreadsheets import open_sheet

        data = in_stream if isinstance(in_stream, bytes) else in_stream.encode("utf-8")
        sheet = open_sheet(io.BytesIO(data), f"upload.{self.suffix}")
        width = len(sheet.headers)
        return tablib.Dataset(
            *[tuple((list(values) + [None] * width)[:width]) for _number, values in sheet.rows],
            headers=sheet.headers,
        )


class GuardedXLSX(_GuardedFormat, base_formats.XLSX):
    suffix = "xlsx"


class GuardedCSV(_GuardedFormat, base_formats.CSV):
    suffix = "csv"


class GuardedImportMixin:
    """For every admin that imports: files are read through the guard (xlsx and csv only), and
    a file it refuses is said in the user's language (django-import-export would only name the
    exception's class)."""

    @property
    def import_formats(self):
        return [GuardedXLSX, GuardedCSV]

    def add_data_read_fail_error_to_form(self, form, e):
        from parc.lib.spreadsheets import SpreadsheetError

        if isinstance(e, SpreadsheetError):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)
