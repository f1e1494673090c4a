"""The bulk writes behind indicators.services.report_values_write_many: nothing else calls these.

Two paths write the same rows and the same history (who, when, why; "+" created, "~" changed):
- PostgreSQL: new values are COPYed into a temporary table, then one statement inserts them
  and writes their history from what it inserted; changed values are one UPDATE … FROM
  unnest(arrays) per chunk with their history copied from the rows. Building a model instance
  per value and per history row costs ~30 s for a national quarter of 100,000 values; this
  costs a few seconds (`make bench`).
- anything else (SQLite): Django's bulk operations with django-simple-history's helpers.
The caller holds the reports' row locks and has checked scope, locks, versions and figures.
"""

import csv
import io

from django.db import connection
from django.db.models import Case, F, Value, When
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from indicators.models import Report, ReportStatus, ReportValue

BATCH = 2000
PG_CHUNK = 20_000


def _copy_history_sql(model):
    """INSERT INTO <history table> SELECT <the rows' own columns>, <history columns> FROM <table>
    WHERE id = ANY(%s): history rows made by the database from the rows just written."""
    columns = ", ".join(f.column for f in model._meta.concrete_fields)
    history = model.history.model._meta.db_table
    return (
        f"INSERT INTO {history} ({columns}, history_date, history_change_reason, history_type, history_user_id)"
        f" SELECT {columns}, %s, %s, %s, %s FROM {model._meta.db_table} WHERE id = ANY(%s)"
    )


def reports_create(pairs, user, reason):
    """Draft reports (version 0: the write that follows makes it 1) for (unit id, period id)
    pairs, with their history. Raises IntegrityError when one exists already."""
    if connection.vendor != "postgresql":
        reports = [Report(unit_id=u, period_id=p, updated_by=user, version=0) for u, p in pairs]
        bulk_create_with_history(reports, Report, batch_size=BATCH, default_user=user, default_change_reason=reason)
        return
    table = Report._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (unit_id, period_id, status, version, updated_at, updated_by_id, return_reason, reopen_reason)"
            " SELECT u, p, %s, 0, %s, %s, '', '' FROM unnest(%s::bigint[], %s::bigint[]) AS x(u, p) RETURNING id",
            [ReportStatus.DRAFT, timezone.now(), user.pk, [u for u, _p in pairs], [p for _u, p in pairs]],
        )
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(_copy_history_sql(Report), [timezone.now(), reason, "+", user.pk, ids])


def reports_touched(reports, user, reason):
    """Each report changed: version + 1, who and when, returned → draft; one history row each."""
    now = timezone.now()
    ids = [r.pk for r in reports]
    if connection.vendor == "postgresql":
        Report.objects.filter(pk__in=ids).update(
            version=F("version") + 1,
            updated_by=user,
            updated_at=now,
            status=Case(When(status=ReportStatus.RETURNED, then=Value(ReportStatus.DRAFT)), default=F("status")),
        )
        with connection.cursor() as cursor:
            cursor.execute(_copy_history_sql(Report), [now, reason, "~", user.pk, ids])
        return
    fresh = list(Report.objects.filter(pk__in=ids))
    for report in fresh:
        report.version += 1
        report.updated_by = user
        report.updated_at = now
        if report.status == ReportStatus.RETURNED:
            report.status = ReportStatus.DRAFT
    bulk_update_with_history(
        fresh, Report, ["version", "updated_by", "updated_at", "status"], batch_size=BATCH,
        default_user=user, default_change_reason=reason,
    )  # fmt: skip


def values_orm(created, updated, user, reason, progress):
    """Portable path (SQLite): Django's bulk operations, in batches, with history rows."""
    created = [
        ReportValue(report_id=r, indicator_id=i, numerator=n, denominator=d, value=v, comment=c)
        for r, i, n, d, v, c in created
    ]
    existing = ReportValue.objects.in_bulk([row[0] for row in updated])
    for pk, n, d, v, c in updated:
        value = existing[pk]
        value.numerator, value.denominator, value.value, value.comment = n, d, v, c
    updated = list(existing.values())
    written = 0
    for start in range(0, len(created), BATCH):
        chunk = created[start : start + BATCH]
        bulk_create_with_history(chunk, ReportValue, batch_size=BATCH, default_user=user, default_change_reason=reason)
        written += len(chunk)
        if progress:
            progress(written)
    for start in range(0, len(updated), BATCH):
        chunk = updated[start : start + BATCH]
        bulk_update_with_history(
            chunk, ReportValue, ["numerator", "denominator", "value", "comment"], batch_size=BATCH,
            default_user=user, default_change_reason=reason,
        )  # fmt: skip
        written += len(chunk)
        if progress:
            progress(written)
    return written


def values_postgresql(created, updated, user, reason, progress):
    """PostgreSQL path (see the module's docstring)."""
    values = ReportValue._meta.db_table
    history = ReportValue.history.model._meta.db_table
    columns = ", ".join(f.column for f in ReportValue._meta.concrete_fields)
    copy_history = _copy_history_sql(ReportValue)
    now = timezone.now()
    written = 0
    with connection.cursor() as cursor:
        if created:
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS parc_import_values (report_id bigint, indicator_id bigint,"
                " numerator numeric, denominator numeric, value numeric, comment text) ON COMMIT DROP"
            )
        for start in range(0, len(created), PG_CHUNK):
            chunk = created[start : start + PG_CHUNK]
            buffer = io.StringIO()
            # QUOTE_NONNUMERIC quotes text (an empty comment stays ""); None is written "" too, and
            # FORCE_NULL turns that back into NULL in the number columns.
            csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC).writerows(chunk)
            buffer.seek(0)
            cursor.execute("TRUNCATE parc_import_values")
            cursor.copy_expert(
                "COPY parc_import_values FROM STDIN WITH (FORMAT csv, FORCE_NULL (numerator, denominator, value))",
                buffer,
            )
            cursor.execute(
                f"WITH ins AS (INSERT INTO {values} (report_id, indicator_id, numerator, denominator, value, comment)"
                " SELECT report_id, indicator_id, numerator, denominator, value, comment FROM parc_import_values RETURNING *)"
                f" INSERT INTO {history} ({columns}, history_date, history_change_reason, history_type, history_user_id)"
                f" SELECT {columns}, %s, %s, '+', %s FROM ins",
                [now, reason, user.pk],
            )
            written += len(chunk)
            if progress:
                progress(written)
        for start in range(0, len(updated), PG_CHUNK):
            chunk = updated[start : start + PG_CHUNK]
            cursor.execute(
                f"UPDATE {values} AS v SET numerator = u.n, denominator = u.d, value = u.v, comment = u.c"
                " FROM unnest(%s::bigint[], %s::numeric[], %s::numeric[], %s::numeric[], %s::text[]) AS u(id, n, d, v, c)"
                " WHERE v.id = u.id",
                [list(column) for column in zip(*chunk, strict=True)],
            )  # fmt: skip
            cursor.execute(copy_history, [now, reason, "~", user.pk, [row[0] for row in chunk]])
            written += len(chunk)
            if progress:
                progress(written)
    return written
