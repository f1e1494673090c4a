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

        from parc.lib.spreadsheets import open_sheet

        data = in_stream if isinstance(in_stream, bytes) else in_stream.encode("utf-8")
        return sheet_dataset(open_sheet(io.BytesIO(data), f"upload.{self.suffix}"))


def sheet_dataset(sheet):
    """A sheet read by the guard as the tablib Dataset django-import-export's resources take:
    every row as wide as the header row."""
    import tablib

    width = len(sheet.headers)
    return tablib.Dataset(
        *[tuple((list(values) + [None] * width)[:width]) for _number, values in sheet.rows], headers=sheet.headers
    )


class GuardedXLSX(_GuardedFormat, base_formats.XLSX):
    suffix = "xlsx"


class GuardedCSV(_GuardedFormat, base_formats.CSV):
    suffix = "csv"


class GuardedImportMixin:
    """For every admin that imports: the file goes through the same guard and the same jobs as
    the portal's import. The upload is checked (name, size, first bytes) and queued; the worker
    reads it in a capped child process, runs the resource as a dry run for the preview, and,
    once the administrator confirms on the job's page, for real. The admin's own two-step
    import (which parsed and wrote inside the request) is not reachable."""

    @property
    def import_formats(self):
        return [GuardedXLSX, GuardedCSV]

    def import_action(self, request, **kwargs):
        from django.contrib import messages
        from django.core.exceptions import PermissionDenied
        from django.shortcuts import redirect
        from django.utils.translation import gettext as _

        from indicators import jobs
        from parc.lib.spreadsheets import SpreadsheetError, check_upload

        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return super().import_action(request, **kwargs)
        import_form = self.create_import_form(request)
        if not import_form.is_valid():
            return super().import_action(request, **kwargs)  # shows the form's own errors
        upload = import_form.cleaned_data["import_file"]
        chosen = self.get_import_formats()[int(import_form.cleaned_data["format"])]
        try:
            kind = check_upload(upload, upload.name)
            if kind != chosen.suffix:
                raise SpreadsheetError(_("Choose the format that matches the file (.xlsx or .csv)."))
        except SpreadsheetError as exc:
            import_form.add_error("import_file", str(exc))
            context = {**self.get_import_context_data(), "form": import_form, "opts": self.model._meta}
            context.update(self.admin_site.each_context(request))
            from django.template.response import TemplateResponse

            request.current_app = self.admin_site.name
            return TemplateResponse(request, [self.import_template_name], context)
        resource = self.choose_import_resource_class(import_form, request)
        job = jobs.job_create(
            user=request.user,
            upload=upload,
            resource=f"{resource.__module__}.{resource.__qualname__}",
            admin_model=self.model._meta.label_lower,
        )
        messages.info(request, _("The file is being checked: confirm the import on this page when it is ready."))
        return redirect("indicators:import-job", job.pk)

    def process_import(self, request, **kwargs):
        from django.shortcuts import redirect

        return redirect(f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_import")
