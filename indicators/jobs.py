"""Spreadsheet imports off the request.

The web page only checks an upload's name, size and first bytes, stores it and queues a task
(django-tasks, database backend, written in the same transaction as the job). A worker
(`manage.py import_worker`) runs the task: it claims the job (a compare-and-set UPDATE, so a
job runs once even if two tasks name it), reads the file in a child process under a memory cap
and a time limit (parc.lib.spreadsheets), checks it, and once the user confirms, writes it
through the one writer of figures. While it runs it refreshes a heartbeat; a job whose
heartbeat went silent (its worker was killed, the machine restarted) is run again by
recover_stale, or failed with a message after IMPORT_MAX_ATTEMPTS. Every exception ends as a
failed job with a message in the uploader's language; the worker goes on to the next one.
"""

import logging
import os
import socket
import threading
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import close_old_connections, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from indicators import imports
from indicators.models import ImportJob
from indicators.services import upload_name
from parc.lib.numbers import format_number
from parc.lib.spreadsheets import SpreadsheetError, check_upload, open_sheet

log = logging.getLogger(__name__)
PREVIEW_ROWS = 300
MAX_ERRORS_KEPT = 5000


def job_create(
    *, user, upload, sheet: str = "", partial: bool = False, resource: str = "", admin_model: str = ""
) -> ImportJob:
    """Check the file's name, size and first bytes (never parse it here), store it, queue it.
    `resource`: for the admin's imports, the django-import-export resource that checks and
    writes the rows (dotted path); the file is read by the same guard, in the worker."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    name = upload_name(upload.name)
    job = ImportJob(
        user=user, filename=name, sheet=sheet.strip()[:100], partial=partial, language=language,
        resource=resource, admin_model=admin_model,
    )  # fmt: skip
    try:
        check_upload(upload, upload.name)
    except SpreadsheetError as exc:
        job.status = ImportJob.Status.FAILED
        job.message = str(exc)
        job.save()
        return job
    upload.seek(0)
    with transaction.atomic():
        job.file.save(name, upload, save=False)
        job.save()
        _enqueue(job)
    return job


def _enqueue(job):
    from indicators.tasks import run_import_job  # the task module imports this one

    run_import_job.enqueue(job.pk)


def job_confirm(*, job: ImportJob, user) -> bool:
    """The user saw the preview and wants the rows written."""
    with transaction.atomic():
        ready = ImportJob.objects.filter(pk=job.pk, user=user, status=ImportJob.Status.READY)
        if not job.partial:
            ready = ready.filter(errors=[])  # a file with errors is written only rows-that-pass, if asked
        updated = ready.update(status=ImportJob.Status.CONFIRMED, message="", updated_at=timezone.now())
        if updated:
            _enqueue(job)
    return bool(updated)


def job_cancel(*, job: ImportJob, user) -> bool:
    """The user does not want this import: nothing is written. Only while nothing can be being
    written (waiting to be checked, or checked and waiting for confirmation); a compare-and-set,
    so a worker that took the job meanwhile wins and the cancel says no."""
    cancelled = ImportJob.objects.filter(
        pk=job.pk, user=user, status__in=(ImportJob.Status.QUEUED, ImportJob.Status.READY)
    ).update(status=ImportJob.Status.CANCELLED, updated_at=timezone.now())
    return bool(cancelled)


RUNNING_FROM = {
    ImportJob.Status.QUEUED: ImportJob.Status.CHECKING,
    ImportJob.Status.CONFIRMED: ImportJob.Status.WRITING,
}
WAITING_AGAIN = {running: waiting for waiting, running in RUNNING_FROM.items()}


def claim(job_id: int, *, worker: str = "") -> ImportJob | None:
    """Take the job if it waits (queued or confirmed): an UPDATE that checks the status, so two
    workers, or two tasks naming one job, never run it twice. None when it is not waiting."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.status not in RUNNING_FROM:
        return None
    running = RUNNING_FROM[job.status]
    now = timezone.now()
    taken = ImportJob.objects.filter(pk=job.pk, status=job.status).update(
        status=running, heartbeat_at=now, worker=(worker or _worker_name())[:100], attempts=job.attempts + 1
    )
    if not taken:
        return None
    job.refresh_from_db()
    return job


def _worker_name():
    return f"{socket.gethostname()}:{os.getpid()}"


@contextmanager
def heartbeat(job: ImportJob):
    """Refresh the job's heartbeat from a thread while it runs (a child process reading a big
    file reports no progress for a while)."""
    stop = threading.Event()

    def beat():
        try:
            while not stop.wait(settings.IMPORT_HEARTBEAT_SECONDS):
                try:
                    ImportJob.objects.filter(pk=job.pk, status__in=WAITING_AGAIN).update(heartbeat_at=timezone.now())
                except Exception:  # a missed beat only makes the job look older
                    log.debug("heartbeat of job %s not recorded", job.pk, exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"import-job-{job.pk}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def recover_stale(*, now=None) -> dict:
    """Jobs that stopped without a word (their worker died): run them again, or, after
    IMPORT_MAX_ATTEMPTS, fail them with a message. Also queue again jobs waiting so long that
    their task must have been lost. Each change is a compare-and-set: safe from several workers.
    Returns {"requeued": n, "failed": n}."""
    now = now or timezone.now()
    silent = now - timedelta(seconds=settings.IMPORT_STALE_SECONDS)
    done = {"requeued": 0, "failed": 0}
    stale = ImportJob.objects.filter(status__in=WAITING_AGAIN, heartbeat_at__lt=silent) | ImportJob.objects.filter(
        status__in=WAITING_AGAIN, heartbeat_at__isnull=True, updated_at__lt=silent
    )
    for job in stale:
        same = ImportJob.objects.filter(pk=job.pk, status=job.status, heartbeat_at=job.heartbeat_at)
        if job.attempts >= settings.IMPORT_MAX_ATTEMPTS:
            with translation.override(job.language):
                message = _(
                    "The import stopped while it was running (the server was restarted, or the file needed more "
                    "than the server allows) and did not finish after %(tries)s tries. Nothing was written: "
                    "upload the file again, or split it into smaller files."
                ) % {"tries": job.attempts}
            if same.update(status=ImportJob.Status.FAILED, message=message, updated_at=now):
                done["failed"] += 1
                log.warning("import job %s failed after %s silent attempts", job.pk, job.attempts)
            continue
        with transaction.atomic():
            if same.update(status=WAITING_AGAIN[job.status], updated_at=now):
                _enqueue(job)
                done["requeued"] += 1
                log.warning("import job %s was running on %s and went silent: queued again", job.pk, job.worker)
    # Waiting with no task to run it (a task row lost with a restored database, say).
    for job in ImportJob.objects.filter(status__in=RUNNING_FROM, updated_at__lt=silent):
        with transaction.atomic():
            if ImportJob.objects.filter(pk=job.pk, status=job.status, updated_at=job.updated_at).update(updated_at=now):
                _enqueue(job)
                done["requeued"] += 1
    return done


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
    n, d, v, comment, not_occurred = figures
    if not_occurred:
        text = str(_("did not occur"))
    else:
        text = f"{format_number(n)} / {format_number(d)}" if n is not None or d is not None else format_number(v)
    return f"{text} ({comment})" if comment else text


def _load(job):
    with job.file.open("rb") as fh:
        return open_sheet(fh, job.filename, sheet=job.sheet or None, columns=imports.read_columns())


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
    """Check (and, once confirmed, write) one claimed job, in its uploader's language; never
    raises: whatever happens, the job ends with a status and a message the user can read."""
    with translation.override(job.language):
        try:
            _run(job)
        except Exception:  # a worker must survive any one bad job
            log.exception("import job %s failed", job.pk)
            job.status = ImportJob.Status.FAILED
            job.message = _unexpected(job)
        _finish(job)
    return job


def _unexpected(job):
    return _(
        "An unexpected error stopped this import (job %(id)s); nothing was written. Try again; if it happens "
        "again, send the file to the administrators with this number."
    ) % {"id": job.pk}


def _finish(job):
    """Save the job's outcome; if even that fails (text the database refuses), save it bare."""
    job.preview, job.errors, job.message = _printable(job.preview), _printable(job.errors), _printable(job.message)
    job.heartbeat_at = timezone.now()
    try:
        with transaction.atomic():
            job.save()
    except Exception:
        log.exception("import job %s: its outcome could not be saved", job.pk)
        close_old_connections()
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, message=_unexpected(job), preview=[], errors=[]
        )


def _printable(value):
    """Strings without control characters (PostgreSQL refuses NUL in text and JSON), recursively."""
    if isinstance(value, str):
        return "".join(ch if ch >= " " or ch in "\t\n\r" else "\ufffd" for ch in value)
    if isinstance(value, list):
        return [_printable(v) for v in value]
    if isinstance(value, dict):
        return {k: _printable(v) for k, v in value.items()}
    return value


def _run(job):
    if job.is_admin_import:
        return _run_admin(job)
    try:
        sheet = _load(job)
    except SpreadsheetError as exc:
        job.status = ImportJob.Status.FAILED
        job.message = str(exc)
        return
    job.rows_read = len(sheet.rows)
    ImportJob.objects.filter(pk=job.pk).update(rows_read=job.rows_read)
    plan = imports.plan_import(sheet=sheet, user=job.user, progress=_progress(job, "rows_checked"))
    job.rows_checked = plan.rows_read
    job.counts = plan.counts
    job.errors = [e.as_dict() for e in plan.errors[:MAX_ERRORS_KEPT]]
    if job.status == ImportJob.Status.CHECKING:
        _ready(job, plan)
    elif plan.errors and not job.partial:
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
            job.message = ""
        except imports.ReportsChanged as exc:
            # Someone saved one of these reports after the preview: nothing was written.
            # The job shows the preview again, as things stand now (checked anew: the plan above
            # was read before that save committed), naming who changed what.
            plan = imports.plan_import(sheet=sheet, user=job.user)
            job.counts = plan.counts
            job.errors = [e.as_dict() for e in plan.errors[:MAX_ERRORS_KEPT]]
            _ready(job, plan)
            job.message = _changed_message(exc.stale)
        except imports.ImportRefused as exc:
            job.status = ImportJob.Status.FAILED
            job.errors = [{"row": exc.row, "column": "", "message": exc.message}]
            return
    if plan.errors and job.partial:
        content = imports.rejected_workbook(sheet=sheet, errors=job.errors)
        job.rejected.save(f"loi-{job.pk}.xlsx", ContentFile(content), save=False)


def _run_admin(job):
    """An admin import: the file read by the guard, then its django-import-export resource —
    a dry run to check (the preview), the real run once confirmed, all or nothing. History rows
    name the administrator, as the admin's own pages would."""
    from django.utils.module_loading import import_string
    from simple_history.models import HistoricalRecords

    from parc.lib.cache import bump_data_version
    from parc.lib.importexport import WholeFileResource, sheet_dataset

    try:
        with job.file.open("rb") as fh:
            sheet = open_sheet(fh, job.filename)
    except SpreadsheetError as exc:
        job.status = ImportJob.Status.FAILED
        job.message = str(exc)
        return
    dataset = sheet_dataset(sheet)
    job.rows_read = job.rows_checked = len(sheet.rows)
    writing = job.status == ImportJob.Status.WRITING
    resource = import_string(job.resource)()
    extra = {"base_versions": {(u, p): v for u, p, v in job.versions}} if writing and job.versions else {}
    HistoricalRecords.context.request = _AsUser(job.user)
    try:
        result = resource.import_data(
            dataset, dry_run=not writing, raise_errors=False, user=job.user, file_name=job.filename, **extra
        )
    finally:
        del HistoricalRecords.context.request
    numbers = [number for number, _values in sheet.rows]
    first = 2 if isinstance(resource, WholeFileResource) else 1
    job.errors = _admin_errors(result, numbers, first)[:MAX_ERRORS_KEPT]
    totals = result.totals
    job.counts = {
        "new": totals.get("new", 0), "changed": totals.get("update", 0) + totals.get("delete", 0),
        "unchanged": totals.get("skip", 0), "errors": len({e["row"] for e in job.errors}),
    }  # fmt: skip
    if job.errors:
        job.status = ImportJob.Status.READY if not writing else ImportJob.Status.FAILED
        job.message = "errors" if not writing else job.message
        return
    if not writing:
        job.preview = [
            {"row": number, "kind": row.import_type, "text": str(row.object_repr or "")[:200]}
            for number, row in zip(numbers, result.rows, strict=False)  # rows come in the sheet's order
            if row.import_type in ("new", "update", "delete")
        ][:PREVIEW_ROWS]
        job.versions = getattr(result, "parc_extra", {}).get("versions", [])
        job.status = ImportJob.Status.READY
        return
    job.rows_written = totals.get("new", 0) + totals.get("update", 0) + totals.get("delete", 0)
    job.status = ImportJob.Status.DONE
    job.message = ""
    bump_data_version()


class _AsUser:
    """What django-simple-history reads from a request: the user behind the change."""

    def __init__(self, user):
        self.user = user


def _admin_errors(result, numbers, first):
    """django-import-export's row errors, numbered as the sheet numbers its rows. `first`: the
    number the resource gives the first data row (1 for import-export's, 2 for ours)."""

    def sheet_row(number):
        index = number - first
        return numbers[index] if 0 <= index < len(numbers) else number

    errors = []
    for row in result.invalid_rows:
        for column, messages in row.error_dict.items():
            for message in messages:
                column = "" if column == "__all__" else column
                errors.append({"row": sheet_row(row.number), "column": column, "message": str(message)})
    for number, row_errors in result.row_errors():
        for error in row_errors:
            errors.append({"row": sheet_row(number), "column": "", "message": str(error.error)})
    for error in result.base_errors:
        errors.append({"row": 0, "column": "", "message": str(error.error)})
    return errors


def _run_waiting(worker):
    """Run the waiting import tasks in this process and return: the worker's own loop, less its
    closing of idle database connections (which would end a caller's transaction, e.g. a test's)."""
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction

    done = 0
    while True:
        with exclusive_transaction(DBTaskResult.objects.db):
            task_result = DBTaskResult.objects.ready().filter(backend_name="default", queue_name="imports").get_locked()
            if task_result is not None:
                task_result.claim(worker.worker_id)
        if task_result is None:
            return done
        worker.run_task(task_result)
        done += 1


def work(*, once: bool = False, idle_seconds: float = 1.0, stop_after: int | None = None) -> int:
    """Run the import tasks as they come (django-tasks-db's worker on the "imports" queue), and
    look for stopped jobs every IMPORT_STALE_SECONDS / 4. `once`: run what is waiting, then
    return (tests, cron). Returns the number of tasks run."""
    from django_tasks_db.management.commands.db_worker import Worker

    recover_stale()
    worker = Worker(
        queue_names=["imports"],
        interval=idle_seconds,
        batch=once,
        backend_name="default",
        startup_delay=False,
        max_tasks=stop_after,
        worker_id=_worker_name(),
        excluded_queue_names=[],
    )
    if once:
        return _run_waiting(worker)
    stop = threading.Event()

    def watch():
        try:
            while not stop.wait(max(settings.IMPORT_STALE_SECONDS / 4, 1)):
                try:
                    recover_stale()
                except Exception:
                    log.exception("looking for stopped import jobs failed")
        finally:
            connection.close()

    watcher = threading.Thread(target=watch, name="import-recovery", daemon=True)
    watcher.start()
    worker.configure_signals()  # SIGTERM: finish the task in hand, then stop
    try:
        worker.run()
    finally:
        stop.set()
    return worker._run_tasks
