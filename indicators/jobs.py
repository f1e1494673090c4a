"""Running spreadsheet imports off the request: `manage.py import_worker` claims jobs from the
database table and runs them; the web pages only create jobs and show their progress."""

import logging
import time

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from indicators import imports
from indicators.models import ImportJob
from parc.lib.numbers import format_number
from parc.lib.spreadsheets import SpreadsheetError, open_sheet

log = logging.getLogger(__name__)
PREVIEW_ROWS = 300
MAX_ERRORS_KEPT = 5000


def job_create(*, user, upload, sheet: str = "", partial: bool = False) -> ImportJob:
    """Check the file's size and kind at once (cheap), store it, and queue it."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    job = ImportJob(user=user, filename=upload.name[:200], sheet=sheet.strip(), partial=partial, language=language)
    try:
        open_sheet(upload, upload.name, sheet=job.sheet or None)  # refuses bombs and oversize before parsing
    except SpreadsheetError as exc:
        job.status = ImportJob.Status.FAILED
        job.message = str(exc)
        job.save()
        return job
    upload.seek(0)
    job.file.save(upload.name, upload, save=False)
    job.save()
    return job


def job_confirm(*, job: ImportJob, user) -> bool:
    """The user saw the preview and wants the rows written."""
    updated = ImportJob.objects.filter(pk=job.pk, user=user, status=ImportJob.Status.READY).update(
        status=ImportJob.Status.CONFIRMED
    )
    return bool(updated)


def _claim():
    """Take the oldest waiting job; an UPDATE that checks the status makes two workers safe."""
    for job in ImportJob.objects.filter(status__in=[ImportJob.Status.QUEUED, ImportJob.Status.CONFIRMED]).order_by(
        "created_at"
    )[:5]:
        running = ImportJob.Status.CHECKING if job.status == ImportJob.Status.QUEUED else ImportJob.Status.WRITING
        if ImportJob.objects.filter(pk=job.pk, status=job.status).update(status=running):
            job.status = running
            return job
    return None


def _progress(job, field):
    """A callback that records progress where other processes can see it.

    Checking runs outside any transaction, so its progress is visible at once. Writing is one
    transaction (all or nothing); on PostgreSQL progress goes through a second connection so the
    page can show it; SQLite allows one writer at a time, so there the count appears at the end.
    """

    def report(count):
        if not transaction.get_connection().in_atomic_block:
            ImportJob.objects.filter(pk=job.pk).update(**{field: count})
        elif connection.vendor == "postgresql":
            try:
                ImportJob.objects.using("progress").filter(pk=job.pk).update(**{field: count})
            except Exception:  # progress is a courtesy: never let it break an import
                log.debug("progress not recorded for job %s", job.pk, exc_info=True)

    return report


def _describe(figures):
    if figures is None:
        return "—"
    n, d, v, comment = figures
    text = f"{format_number(n)} / {format_number(d)}" if n is not None or d is not None else format_number(v)
    return f"{text} ({comment})" if comment else text


def _load(job):
    with job.file.open("rb") as fh:
        return open_sheet(fh, job.filename, sheet=job.sheet or None)


def _ready(job, plan):
    """The preview the user confirms, and the report versions it was made from."""
    job.preview = [
        {"row": c.row, "unit": c.unit.code, "unit_name": c.unit.name, "period": c.period.code,
         "indicator": c.indicator.code, "kind": c.kind, "old": _describe(c.old), "new": _describe(c.new)}
        for c in plan.changes if c.kind != "unchanged"
    ][:PREVIEW_ROWS]  # fmt: skip
    job.versions = [[u, p, v] for (u, p), v in sorted(plan.versions.items())]
    job.status = ImportJob.Status.READY


def _changed_message(stale):
    names = "; ".join(
        _("%(unit)s (%(period)s), saved by %(who)s")
        % {"unit": s.unit.name, "period": s.period.code, "who": s.by or "—"}
        for s in stale[:20]
    )
    more = len(stale) - 20
    return _(
        "Nothing was written: %(count)s report(s) changed after you checked this file — %(names)s%(more)s. "
        "The preview below shows the figures as they are now: check it and confirm again."
    ) % {"count": len(stale), "names": names, "more": f" (+{more})" if more > 0 else ""}


def run_job(job: ImportJob) -> ImportJob:
    """Check (and, once confirmed, write) one job, in its uploader's language; never raises."""
    with translation.override(job.language):
        return _run(job)


def _run(job):
    try:
        sheet = _load(job)
        job.rows_read = len(sheet.rows)
        ImportJob.objects.filter(pk=job.pk).update(rows_read=job.rows_read)
        plan = imports.plan_import(sheet=sheet, user=job.user, progress=_progress(job, "rows_checked"))
        job.rows_checked = plan.rows_read
        job.counts = plan.counts
        job.errors = [e.as_dict() for e in plan.errors[:MAX_ERRORS_KEPT]]
        if job.status == ImportJob.Status.CHECKING:
            _ready(job, plan)
        else:  # writing
            if plan.errors and not job.partial:
                job.status = ImportJob.Status.FAILED
                job.message = "errors"
            else:
                try:
                    job.rows_written = imports.write_import(
                        plan=plan,
                        user=job.user,
                        filename=job.filename,
                        base_versions={(u, p): v for u, p, v in job.versions},
                        progress=_progress(job, "rows_written"),
                    )
                    job.status = ImportJob.Status.DONE
                except imports.ReportsChanged as exc:
                    # Someone saved one of these reports after the preview: nothing was written.
                    # The job shows the preview again, as things stand now, naming who changed what.
                    _ready(job, plan)
                    job.message = _changed_message(exc.stale)
        if plan.errors and job.partial:
            content = imports.rejected_workbook(sheet=sheet, errors=job.errors)
            job.rejected.save(f"loi-{job.pk}.xlsx", ContentFile(content), save=False)
    except imports.ImportRefused as exc:
        job.status = ImportJob.Status.FAILED
        job.errors = [{"row": exc.row, "column": "", "message": exc.message}]
    except SpreadsheetError as exc:
        job.status = ImportJob.Status.FAILED
        job.message = str(exc)
    except Exception:  # a worker must survive any one bad job
        log.exception("import job %s failed", job.pk)
        job.status = ImportJob.Status.FAILED
        job.message = "internal error"
    job.save()
    return job


def work(*, once: bool = False, idle_seconds: float = 1.0, stop_after: int | None = None) -> int:
    """Run jobs as they come. `once`: run what is waiting, then return (tests, cron)."""
    done = 0
    while True:
        job = _claim()
        if job is None:
            if once:
                return done
            time.sleep(idle_seconds)
            continue
        run_job(job)
        done += 1
        if stop_after and done >= stop_after:
            return done
