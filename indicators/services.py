"""Writes to the catalogue, the calendar and the quarterly reports.

Every change to a report goes through here, whatever the path (entry form, spreadsheet import,
admin), so the locking rules of DESIGN.md rule 4 hold everywhere:
- an approved report is read-only for everyone until a reviewer reopens it with a reason;
- a submitted report waits for its reviewer (who approves or returns it);
- after the period's `closes` date editors cannot change it; reviewers can;
- a change outside the user's units is refused.
and rule 5: a save names the version it started from; a later save by someone else wins only
if it knew about the earlier one (otherwise: a conflict, nothing overwritten).
"""

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from indicators.models import Evidence, Indicator, Report, ReportingPeriod, ReportStatus, ReportValue
from indicators.validation import CheckedFigure, check_figure, outlier_warning, text_problem
from parc.lib.cache import bump_data_version
from parc.lib.periods import QUARTERS, default_quarter_dates
from parc.lib.text import person_name
from units import scoping
from units.models import AdministrativeUnit

if TYPE_CHECKING:  # the entry form's data, read from the POST (indicators/forms.py)
    from indicators.forms import EntryData


class Refused(Exception):
    """A change or a transition that is not allowed; str() says why, in the user's language."""


@transaction.atomic
def periods_open_year(*, year: int, user: AbstractBaseUser | None = None) -> int:
    """Create the four quarters of `year` on the Home Affairs calendar; leave existing ones
    (whose dates an administrator may have moved) alone. Returns the number created. `user`:
    the administrator who asked (None from the command line); kept in the periods' history."""
    if user is not None and not scoping.is_administrator(user):
        raise PermissionDenied(_("Only administrators can open a reporting year."))
    existing = set(ReportingPeriod.objects.filter(year=year).values_list("kind", flat=True))
    created = []
    for quarter in QUARTERS:
        if quarter in existing:
            continue
        dates = default_quarter_dates(year, quarter)
        period = ReportingPeriod(
            year=year, kind=quarter, start=dates.start, end=dates.end, due=dates.due, closes=dates.closes
        )
        period.full_clean()
        created.append(period)
    bulk_create_with_history(
        created, ReportingPeriod, default_user=user, default_change_reason=_("year %(year)s opened") % {"year": year}
    )
    if created:
        bump_data_version()  # cached dashboards list the years
    return len(created)


# ---------------------------------------------------------------------------------------------
# Who may change a report, and why not


def edit_refusal(
    *,
    user: AbstractBaseUser,
    unit: AdministrativeUnit,
    period: ReportingPeriod,
    report: Report | None = None,
    today: datetime.date | None = None,
) -> str | None:
    """Why `user` may not change the figures of (unit, period), or None when they may."""
    if not scoping.can(user, scoping.EDIT, unit):
        return _("This unit is outside the units you may edit.")
    if report is not None and report.status == ReportStatus.APPROVED:
        return _("This report is approved and read-only. A reviewer can reopen it, giving a reason.")
    if report is not None and report.status == ReportStatus.SUBMITTED:
        return _("This report is submitted and waits for review. A reviewer can return it for changes.")
    today = today or timezone.localdate()
    if today > period.closes and not scoping.can(user, scoping.REVIEW, unit):
        return _("The period closed on %(date)s: only a reviewer can change it now.") % {
            "date": date_format(period.closes, "SHORT_DATE_FORMAT")
        }
    return None


# ---------------------------------------------------------------------------------------------
# Saving figures: the one writer of ReportValue


class Source(models.TextChoices):
    """Where a change of figures came from; kept in the history with the user."""

    FORM = "form", _("entry form")
    IMPORT = "import", _("spreadsheet import")
    ADMIN = "admin", _("administration")
    REVERT = "revert", _("restored from history")
    API = "api", _("API")


@dataclass
class SaveResult:
    report: Report | None = None
    saved: int = 0  # values created, changed or deleted
    errors: dict = field(default_factory=dict)  # indicator id → [(field, message)]
    conflict: list = field(default_factory=list)  # [(indicator, seen, yours, theirs)]
    refused: str = ""
    base_matched: bool = True  # the report was still at the version the caller started from

    @property
    def ok(self) -> bool:
        return not (self.errors or self.conflict or self.refused)


FIGURE_FIELDS = ("numerator", "denominator", "value")
# What a ReportValue stores, in the order of CheckedFigure.figures and of every figure tuple here.
STORED_FIELDS = (*FIGURE_FIELDS, "comment", "not_occurred")
NOTHING = (None, None, None, "", False)
DELETE = object()  # in `changes`: remove this indicator's figure (admin delete)


def report_values_write(
    *,
    user: AbstractBaseUser,
    unit: AdministrativeUnit,
    period: ReportingPeriod,
    changes: Mapping[int, Mapping[str, Any] | object],
    indicators: Iterable[Indicator],
    base_version: int | None,
    source: str,
    reason: str = "",
    original: Mapping[int, Mapping[str, Any]] | None = None,
) -> SaveResult:
    """Save figures of (unit, period): the only code that writes ReportValue (with
    report_values_write_many, its bulk form for imports).

    `changes` maps indicator id → {"numerator", "denominator", "value", "comment"} as typed or
    read (text or numbers), or DELETE. Every row is checked (indicators.validation.check_figure);
    rows that fail come back in `errors` and the others are saved, so a draft never loses what
    was valid. Under the report's row lock it checks scope, locks (approved, submitted) and the
    period's closure (edit_refusal), then the version: `base_version` is the report version the
    caller started from — 0 when the report did not exist yet, None when unknown. If someone
    saved since, each figure is compared with what the caller saw (`original`, indicator id →
    figures first shown): a figure both changed differently is a conflict and nothing is saved;
    figures only one side changed are merged. A report that does not exist yet is created under
    its unique constraint, so two first saves at once meet here as any two saves do.
    A returned report goes back to draft; the version goes up by one; history rows carry the
    user and `reason` (or the source); cached dashboards are invalidated once on commit.
    """
    result = SaveResult()
    by_id = {i.pk: i for i in indicators}
    checked: dict[int, CheckedFigure | object] = {}
    for indicator_id, raw in changes.items():
        if raw is DELETE:
            checked[indicator_id] = DELETE
            continue
        indicator = by_id[indicator_id]
        if not indicator.active or not indicator.applies_to(unit.level):
            result.errors[indicator_id] = [
                ("indicator", _("Units of this level do not report %(code)s.") % {"code": indicator.code})
            ]
            continue
        figure = check_figure(by_id[indicator_id], **{k: raw.get(k) for k in STORED_FIELDS})
        if figure.errors:
            result.errors[indicator_id] = figure.errors
        else:
            checked[indicator_id] = figure
    history_reason = (reason or (Source(source).label if source != Source.FORM else ""))[:100] or None

    for _attempt in range(2):  # a second pass only when a concurrent first save created the report
        with transaction.atomic():
            report = Report.objects.select_for_update().filter(unit=unit, period=period).first()
            refusal = edit_refusal(user=user, unit=unit, period=period, report=report)
            if refusal:
                result.refused = refusal
                return result
            existing = {v.indicator_id: v for v in report.values.all()} if report else {}
            todo = dict(checked)
            current_version = report.version if report else 0
            result.base_matched = base_version == current_version
            if not result.base_matched:
                # Someone saved since this user loaded the page (or we cannot tell): keep their
                # figures unless this user changed the same ones, in which case nothing is saved
                # and both are shown.
                result.conflict, untouched = _merge(todo, existing, original or {}, by_id)
                if result.conflict:
                    result.report = report
                    return result
                for indicator_id in untouched:
                    del todo[indicator_id]
            writes = _value_writes(todo, existing)
            if not writes:
                result.report = report
                return result
            if report is None:
                try:
                    with transaction.atomic():  # a savepoint: the unique constraint decides
                        report = Report.objects.create(unit=unit, period=period, version=0, updated_by=user)
                except IntegrityError:
                    continue  # someone's first save committed first: start again against theirs
            for indicator_id, current, new in writes:
                if new is DELETE:
                    current._change_reason = history_reason
                    current._history_user = user
                    current.delete()
                    continue
                value = current or ReportValue(report=report, indicator=by_id[indicator_id])
                value.numerator, value.denominator, value.value, value.comment, value.not_occurred = new
                value._change_reason = history_reason
                value._history_user = user  # also outside a request (imports, commands)
                value.save()
            if report.status == ReportStatus.RETURNED:
                report.status = ReportStatus.DRAFT  # returned → draft once the officer edits it
            _bump(report, user, history_reason or "")
            bump_data_version()
            result.report = report
            result.saved = len(writes)
            return result
    raise RuntimeError("the report was created and then vanished between two passes")  # pragma: no cover


def _value_writes(checked, existing):
    """[(indicator id, current ReportValue or None, new figures or DELETE)] that change something."""
    writes = []
    for indicator_id, figure in checked.items():
        current = existing.get(indicator_id)
        if figure is DELETE:
            if current is not None:
                writes.append((indicator_id, current, DELETE))
            continue
        new = figure.figures
        if current is None and figure.is_empty and not figure.comment:
            continue
        if current is not None and figures_equal(_figures(current), new):
            continue
        writes.append((indicator_id, current, new))
    return writes


def _figures(obj):
    """(numerator, denominator, value, comment, not_occurred) of a ReportValue, a checked row or
    a dict."""
    if obj is None:
        return NOTHING
    if isinstance(obj, dict):
        return (*(obj.get(f) for f in FIGURE_FIELDS), obj.get("comment") or "", bool(obj.get("not_occurred")))
    return tuple(getattr(obj, f) for f in STORED_FIELDS)


def figures_equal(old: tuple, new: tuple) -> bool:
    """Two (numerator, denominator, value, comment, not_occurred) tuples say the same (9.0 == 9)."""

    def norm(v):
        return v.normalize() if isinstance(v, Decimal) else v

    return tuple(map(norm, old)) == tuple(map(norm, new))


def _merge(checked, existing, original, by_id):
    """Compare this save with what the user first saw and what is saved now.

    Returns (conflicts, untouched): conflicts are [(indicator, seen, yours, theirs)] for figures
    both people changed differently; untouched are the rows this user did not change.
    """
    conflicts, untouched = [], []
    for indicator_id, figure in checked.items():
        seen = _figures(original.get(indicator_id))
        yours = NOTHING if figure is DELETE else figure.figures
        theirs = _figures(existing.get(indicator_id))
        if figures_equal(yours, seen):
            untouched.append(indicator_id)
        elif not figures_equal(theirs, seen) and not figures_equal(theirs, yours):
            conflicts.append((by_id[indicator_id], seen, yours, theirs))
    return conflicts, untouched


# ---------------------------------------------------------------------------------------------
# The bulk form, for spreadsheet imports


@dataclass
class Change:
    """One row of an import: what it would write to (unit, period, indicator)."""

    row: int
    unit: AdministrativeUnit
    period: ReportingPeriod
    indicator: Indicator
    kind: str  # "new", "changed", "unchanged"
    old: tuple | None  # (numerator, denominator, value, comment) or None
    new: tuple
    value: ReportValue | None = None
    checked: CheckedFigure | None = None  # what check_figure made of the row, when the caller ran it


@dataclass
class StaleReport:
    unit: AdministrativeUnit
    period: ReportingPeriod
    seen: int
    now: int
    by: str


class ReportsChanged(Exception):
    """Reports changed since the preview the user confirmed: nothing was written."""

    def __init__(self, stale: list[StaleReport]):
        super().__init__(", ".join(f"{s.unit.code} {s.period.code}" for s in stale))
        self.stale = stale


class WriteRefused(Refused):
    def __init__(self, row: int, message: str):
        super().__init__(message)
        self.row = row
        self.message = message


def report_values_write_many(
    *,
    user: AbstractBaseUser,
    changes: Sequence[Change],
    base_versions: Mapping[tuple[int, int], int],
    source: str,
    reason: str,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write checked import rows, all in one transaction; returns the number of values written.

    The same rules as report_values_write, for many reports at once: every report is locked
    (in id order, so two writers cannot deadlock), the locks and scope are checked again under
    the lock, and each report must still be at the version the preview saw (`base_versions`,
    (unit id, period id) → version, 0 for "did not exist"): otherwise ReportsChanged names
    them and nothing is written. Figures are checked again. New reports are created under the
    unique constraint. Returned reports go back to draft, versions go up, history rows say
    who and why (`reason`), and cached dashboards are invalidated once.
    """
    todo = [c for c in changes if c.kind != "unchanged"]
    if not todo:
        return 0
    history_reason = (reason or Source(source).label)[:100]
    with transaction.atomic():
        pairs = {(c.unit.pk, c.period.pk) for c in todo}
        reports = {
            (r.unit_id, r.period_id): r
            # of=("self",): PostgreSQL cannot lock the nullable side of the outer join to updated_by
            for r in Report.objects.select_for_update(of=("self",))
            .filter(unit_id__in={u for u, _p in pairs}, period_id__in={p for _u, p in pairs})
            .select_related("updated_by")
            .order_by("pk")
        }
        first_row = {}
        for change in todo:
            first_row.setdefault((change.unit.pk, change.period.pk), change)
        stale = []
        for pair, change in first_row.items():
            report = reports.get(pair)
            refusal = edit_refusal(user=user, unit=change.unit, period=change.period, report=report)
            if refusal:
                raise WriteRefused(change.row, refusal)
            now = report.version if report else 0
            if now != base_versions.get(pair, 0):
                stale.append(StaleReport(change.unit, change.period, base_versions.get(pair, 0), now, _who(report)))
        if stale:
            raise ReportsChanged(stale)
        for change in todo:
            # Figures that check_figure passed as they are written (an import's plan) are not
            # checked twice (half a second for a national quarter); any others are checked here.
            figure = change.checked
            if figure is None or figure.errors or figure.figures != change.new:
                figure = check_figure(change.indicator, **dict(zip(STORED_FIELDS, change.new, strict=True)))
            if figure.errors:
                raise WriteRefused(change.row, figure.errors[0][1])
        # Sorted: two imports creating the same new reports insert them in the same order, so
        # the second waits for the first instead of deadlocking.
        missing = sorted((u, p) for u, p in pairs if (u, p) not in reports)
        if missing:
            try:
                with transaction.atomic():
                    _create_reports(missing, user, history_reason)
            except IntegrityError:
                # A first save created one of them after the preview.
                raise ReportsChanged([
                    StaleReport(first_row[pair].unit, first_row[pair].period, 0, 1, "") for pair in missing
                ]) from None  # fmt: skip
            for report in Report.objects.filter(
                unit_id__in={u for u, _p in missing}, period_id__in={p for _u, p in missing}
            ):
                reports[(report.unit_id, report.period_id)] = report
        # Plain tuples: a model instance per value would cost more than writing it.
        created = [
            (reports[(c.unit.pk, c.period.pk)].pk, c.indicator.pk, *c.new) for c in todo if c.kind == "new"
        ]  # (report id, indicator id, numerator, denominator, value, comment, not occurred)
        updated = [(c.value.pk, *c.new) for c in todo if c.kind == "changed"]  # (value id, n, d, v, comment, no)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # The job's own status is saved afterwards with a normal commit, which flushes this
                # transaction's log too: not waiting for the disk here saves seconds and risks nothing.
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            written = _bulk_values_postgresql(created, updated, user, history_reason, progress)
        else:
            written = _bulk_values_orm(created, updated, user, history_reason, progress)
        touched = [reports[pair] for pair in pairs]
        _bulk_reports_touched(touched, user, history_reason)
        bump_data_version()
    return written


def _create_reports(pairs, user, reason):
    _bulk_reports_create(pairs, user, reason)


def _who(report):
    if report is None or report.updated_by is None:
        return ""
    return person_name(report.updated_by)


def report_touch(*, report: Report, user: AbstractBaseUser, reason: str = "") -> None:
    """Record that `report` changed (evidence added or removed): new version, who, and the
    dashboards' data version."""
    _bump(report, user, reason)
    bump_data_version()


def _bump(report, user, reason=""):
    report.version += 1
    report.updated_by = user
    report._change_reason = (reason or "")[:100] or None  # the history column holds 100
    report._history_user = user
    report.save()


# ---------------------------------------------------------------------------------------------
# Workflow: draft → submitted → approved; submitted → returned → draft; approved → draft (reopen)


def _locked(report):
    """The report under its row lock, as it is now."""
    # of=("self",): lock the report only (updated_by is an outer join, which PostgreSQL cannot lock)
    return (
        Report.objects.select_for_update(of=("self",)).select_related("unit", "period", "updated_by").get(pk=report.pk)
    )


def _require_seen(locked, seen_version):
    if seen_version is None or isinstance(seen_version, bool) or not isinstance(seen_version, int):
        raise Refused(_("The page did not say which version of the report you saw: reload it and repeat."))
    if locked.version != seen_version:
        raise Refused(
            _(
                "This report changed after you opened it (%(who)s saved it at %(when)s): "
                "nothing was done. Look at it again, then repeat."
            )
            % {
                "who": person_name(locked.updated_by),
                "when": date_format(timezone.localtime(locked.updated_at), "SHORT_DATETIME_FORMAT"),
            }
        )


@transaction.atomic
def report_submit(
    *, report: Report, user: AbstractBaseUser, indicators: Iterable[Indicator], seen_version: int
) -> Report:
    """Send the figures the officer saw to review."""
    report = _locked(report)
    refusal = edit_refusal(user=user, unit=report.unit, period=report.period, report=report)
    if refusal:
        raise Refused(refusal)
    _require_seen(report, seen_version)
    filled = {
        v.indicator_id for v in report.values.all() if v.value is not None or v.denominator is not None or v.not_occurred
    }
    missing = [i for i in indicators if i.pk not in filled]
    if missing:
        raise Refused(
            _("Fill every indicator before submitting. Missing: %(codes)s.")
            % {"codes": "; ".join(f"{i.name} ({i.code})" for i in missing)}
        )
    unconfirmed = _unconfirmed_outliers(report)
    if unconfirmed:
        raise Refused(
            _("Some figures are far from this unit's earlier quarters: confirm each with a comment first (%(codes)s).")
            % {"codes": ", ".join(unconfirmed)}
        )
    report.status = ReportStatus.SUBMITTED
    report.submitted_by = user
    report.submitted_at = timezone.now()
    report.return_reason = ""
    _bump(report, user)
    bump_data_version()
    return report


def _unconfirmed_outliers(report):
    from indicators.selectors import report_entry_rows  # reads of this app; imported late to avoid a cycle

    groups = report_entry_rows(unit=report.unit, period=report.period, report=report, targets={})
    return [
        row.indicator.code
        for _label, rows in groups
        for row in rows
        if row.value and not row.value.comment and outlier_warning(row.figure, row.history)
    ]


def _review_refusal(report, user, expected):
    if not scoping.can(user, scoping.REVIEW, report.unit):
        return _("Only reviewers of this unit or a unit above it can review this report.")
    if report.status != expected:
        return _("This report is %(status)s; this step needs a report that is %(expected)s.") % {
            "status": report.get_status_display().lower(),
            "expected": ReportStatus(expected).label.lower(),
        }
    return None


@transaction.atomic
def report_approve(*, report: Report, user: AbstractBaseUser, seen_version: int) -> Report:
    """Approve what the reviewer looked at (`seen_version`); refuse, saying why, anything else."""
    report = _locked(report)
    refusal = _review_refusal(report, user, ReportStatus.SUBMITTED)
    if not refusal and report.submitted_by_id == user.pk:
        refusal = _("You submitted this report yourself: another reviewer must approve it.")
    if refusal:
        raise Refused(refusal)
    _require_seen(report, seen_version)
    report.status = ReportStatus.APPROVED
    report.reviewed_by = user
    report.reviewed_at = timezone.now()
    _bump(report, user)
    bump_data_version()
    return report


@dataclass
class ApprovedMany:
    """What report_approve_many did: the reports approved, and the ones skipped with why."""

    approved: list = field(default_factory=list)  # [Report]
    skipped: list = field(default_factory=list)  # [(Report | None, reason)]


def report_approve_many(*, user: AbstractBaseUser, seen: Mapping[int, int]) -> ApprovedMany:
    """Approve several reports at once: `seen` maps a report id to the version the reviewer saw
    in the list. Each one goes through report_approve (its own transaction, lock, scope and
    version check); one that may not be approved is skipped and listed with the reason, and
    does not stop the others. A report the user may not see is skipped as "not found"."""
    done = ApprovedMany()
    reports = Report.objects.filter(pk__in=list(seen)).select_related("unit", "period")
    by_pk = {r.pk: r for r in reports}
    for pk, version in seen.items():
        report = by_pk.get(pk)
        if report is None or not scoping.can(user, scoping.VIEW, report.unit):
            done.skipped.append((None, _("Report %(number)s was not found.") % {"number": pk}))
            continue
        try:
            done.approved.append(report_approve(report=report, user=user, seen_version=version))
        except Refused as exc:
            done.skipped.append((report, str(exc)))
    return done


@transaction.atomic
def report_return(*, report: Report, user: AbstractBaseUser, reason: str, seen_version: int) -> Report:
    """Send a submitted report back to its officer, saying why."""
    report = _locked(report)
    refusal = _review_refusal(report, user, ReportStatus.SUBMITTED)
    if not refusal and not (reason or "").strip():
        refusal = _("Say why the report is returned, so the officer knows what to fix.")
    if not refusal:
        refusal = text_problem((reason or "").strip())
    if refusal:
        raise Refused(refusal)
    _require_seen(report, seen_version)
    report.status = ReportStatus.RETURNED
    report.return_reason = reason.strip()
    report.reviewed_by = user
    report.reviewed_at = timezone.now()
    _bump(report, user, reason.strip())
    bump_data_version()
    return report


@transaction.atomic
def report_reopen(*, report: Report, user: AbstractBaseUser, reason: str, seen_version: int) -> Report:
    """Open an approved report for changes again; the reason is kept."""
    report = _locked(report)
    refusal = _review_refusal(report, user, ReportStatus.APPROVED)
    if not refusal and not (reason or "").strip():
        refusal = _("Say why the approved report is reopened: the reason is kept in its history.")
    if not refusal:
        refusal = text_problem((reason or "").strip())
    if refusal:
        raise Refused(refusal)
    _require_seen(report, seen_version)
    report.status = ReportStatus.DRAFT
    report.reopen_reason = reason.strip()
    _bump(report, user, reason.strip())
    bump_data_version()
    return report


@transaction.atomic
def evidence_add(*, report: Report, indicator: Indicator, user: AbstractBaseUser, upload: UploadedFile) -> Evidence:
    """Attach a document to a figure of an editable report."""
    report = _locked(report)
    refusal = edit_refusal(user=user, unit=report.unit, period=report.period, report=report)
    if not refusal:
        refusal = evidence_problem(upload)
    if refusal:
        raise Refused(refusal)
    value = report.values.filter(indicator=indicator).first()
    if value is None:
        raise Refused(_("Enter the figure before attaching its evidence."))
    evidence = Evidence(value=value, name=upload_name(upload.name), uploaded_by=user)
    evidence._history_user = user
    evidence.file.save(upload_name(upload.name), upload, save=False)
    evidence.save()
    report_touch(report=report, user=user, reason=_("evidence added: %(name)s") % {"name": evidence.name})
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: Evidence, user: AbstractBaseUser) -> None:
    """Take a document off a figure of an editable report (the file stays in the history)."""
    report = _locked(evidence.value.report)
    refusal = edit_refusal(user=user, unit=report.unit, period=report.period, report=report)
    if refusal:
        raise Refused(refusal)
    evidence._history_user = user
    evidence.delete()
    report_touch(report=report, user=user, reason=_("evidence removed: %(name)s") % {"name": evidence.name})


def upload_name(name: str, limit: int = 200) -> str:
    """A file name cut to `limit` characters, keeping its extension ("…long name.pdf")."""
    name = (name or "file").replace("\\", "/").rsplit("/", 1)[-1]
    if len(name) <= limit:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 10:
        return name[:limit]
    return f"{stem[: limit - len(extension) - 1]}.{extension}"


def report_entry_save(
    *,
    unit: AdministrativeUnit,
    period: ReportingPeriod,
    user: AbstractBaseUser,
    data: "EntryData",
    indicators: Sequence[Indicator],
) -> SaveResult:
    """What the entry page's Save and Submit buttons do: save the figures, attach the uploaded
    evidence, and submit when asked and everything went through."""
    result = report_values_write(
        user=user, unit=unit, period=period, changes=data.rows, indicators=indicators,
        base_version=data.version, source=Source.FORM, original=data.original,
    )  # fmt: skip
    if not result.ok:
        return result
    # The version the officer has seen: the one their own save made (if nobody saved in between),
    # plus one per document they attached — taken from the writes themselves, not read again,
    # so a save by someone else a moment later is not submitted under this officer's name.
    seen = result.report.version if result.report is not None and result.base_matched else data.version
    for indicator in indicators:
        upload = data.files.get(indicator.pk)
        if upload is None:
            continue
        if result.report is None:
            result.errors.setdefault(indicator.pk, []).append(
                ("evidence", _("Enter the figure before attaching its evidence."))
            )
            continue
        try:
            evidence_add(report=result.report, indicator=indicator, user=user, upload=upload)
            if seen is not None:
                seen += 1
        except Refused as exc:
            result.errors.setdefault(indicator.pk, []).append(("evidence", str(exc)))
    if result.ok and data.action == "submit":
        if result.report is None:
            result.refused = _("Enter the figures before submitting.")
        else:
            try:
                report_submit(report=result.report, user=user, indicators=indicators, seen_version=seen)
            except Refused as exc:
                result.refused = str(exc)
    return result


EVIDENCE_EXTENSIONS = {"pdf", "doc", "docx", "xls", "xlsx", "odt", "ods", "jpg", "jpeg", "png", "zip"}
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


def evidence_problem(upload: UploadedFile) -> str | None:
    """Why an uploaded evidence file is refused, or None."""
    if upload.size > EVIDENCE_MAX_BYTES:
        return _("The file is larger than 10 MB.")
    if upload.name.rpartition(".")[2].lower() not in EVIDENCE_EXTENSIONS:
        return _("Evidence can be PDF, Word, Excel, OpenDocument, JPEG, PNG or ZIP files.")
    return None


# ---------------------------------------------------------------------------------------------
# The bulk writes behind report_values_write_many (nothing else calls these).
#
# Two paths write the same rows and the same history (who, when, why; "+" created, "~" changed):
# - PostgreSQL: new values are COPYed into a temporary table, then one statement inserts them
#   and writes their history from what it inserted; changed values are one UPDATE … FROM
#   unnest(arrays) per chunk with their history copied from the rows. Building a model instance
#   per value and per history row costs ~30 s for a national quarter of 100,000 values; this
#   costs a few seconds (`make bench`).
# - anything else (SQLite): Django's bulk operations with django-simple-history's helpers.
# The caller holds the reports' row locks and has checked scope, locks, versions and figures.

BULK_BATCH = 2000
BULK_PG_CHUNK = 20_000


def _copy_history_sql(model):
    """INSERT INTO <history table> SELECT <the rows' own columns>, <history columns> FROM <table>
    WHERE id = ANY(%s): history rows made by the database from the rows just written."""
    columns = ", ".join(f.column for f in model._meta.concrete_fields)
    history = model.history.model._meta.db_table
    return (
        f"INSERT INTO {history} ({columns}, history_date, history_change_reason, history_type, history_user_id)"
        f" SELECT {columns}, %s, %s, %s, %s FROM {model._meta.db_table} WHERE id = ANY(%s)"
    )


def _bulk_reports_create(pairs, user, reason):
    """Draft reports (version 0: the write that follows makes it 1) for (unit id, period id)
    pairs, with their history. Raises IntegrityError when one exists already."""
    if connection.vendor != "postgresql":
        reports = [Report(unit_id=u, period_id=p, updated_by=user, version=0) for u, p in pairs]
        bulk_create_with_history(
            reports, Report, batch_size=BULK_BATCH, default_user=user, default_change_reason=reason
        )
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


def _bulk_reports_touched(reports, user, reason):
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
        fresh, Report, ["version", "updated_by", "updated_at", "status"], batch_size=BULK_BATCH,
        default_user=user, default_change_reason=reason,
    )  # fmt: skip


def _bulk_values_orm(created, updated, user, reason, progress):
    """Portable path (SQLite): Django's bulk operations, in batches, with history rows."""
    created = [
        ReportValue(report_id=r, indicator_id=i, numerator=n, denominator=d, value=v, comment=c, not_occurred=no)
        for r, i, n, d, v, c, no in created
    ]
    existing = ReportValue.objects.in_bulk([row[0] for row in updated])
    for pk, *new in updated:
        value = existing[pk]
        value.numerator, value.denominator, value.value, value.comment, value.not_occurred = new
    updated = list(existing.values())
    written = 0
    for start in range(0, len(created), BULK_BATCH):
        chunk = created[start : start + BULK_BATCH]
        bulk_create_with_history(
            chunk, ReportValue, batch_size=BULK_BATCH, default_user=user, default_change_reason=reason
        )
        written += len(chunk)
        if progress:
            progress(written)
    for start in range(0, len(updated), BULK_BATCH):
        chunk = updated[start : start + BULK_BATCH]
        bulk_update_with_history(
            chunk, ReportValue, list(STORED_FIELDS), batch_size=BULK_BATCH,
            default_user=user, default_change_reason=reason,
        )  # fmt: skip
        written += len(chunk)
        if progress:
            progress(written)
    return written


def _bulk_values_postgresql(created, updated, user, reason, progress):
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
                " numerator numeric, denominator numeric, value numeric, comment text, not_occurred boolean)"
                " ON COMMIT DROP"
            )
        for start in range(0, len(created), BULK_PG_CHUNK):
            chunk = created[start : start + BULK_PG_CHUNK]
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
                f"WITH ins AS (INSERT INTO {values}"
                " (report_id, indicator_id, numerator, denominator, value, comment, not_occurred)"
                " SELECT report_id, indicator_id, numerator, denominator, value, comment, not_occurred"
                " FROM parc_import_values RETURNING *)"
                f" INSERT INTO {history} ({columns}, history_date, history_change_reason, history_type, history_user_id)"
                f" SELECT {columns}, %s, %s, '+', %s FROM ins",
                [now, reason, user.pk],
            )
            written += len(chunk)
            if progress:
                progress(written)
        for start in range(0, len(updated), BULK_PG_CHUNK):
            chunk = updated[start : start + BULK_PG_CHUNK]
            cursor.execute(
                f"UPDATE {values} AS v SET numerator = u.n, denominator = u.d, value = u.v, comment = u.c,"
                " not_occurred = u.no FROM unnest(%s::bigint[], %s::numeric[], %s::numeric[], %s::numeric[],"
                " %s::text[], %s::boolean[]) AS u(id, n, d, v, c, no)"
                " WHERE v.id = u.id",
                [list(column) for column in zip(*chunk, strict=True)],
            )  # fmt: skip
            cursor.execute(copy_history, [now, reason, "~", user.pk, [row[0] for row in chunk]])
            written += len(chunk)
            if progress:
                progress(written)
    return written
