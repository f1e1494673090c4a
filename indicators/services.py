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

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from indicators.models import Evidence, Report, ReportingPeriod, ReportStatus, ReportValue
from indicators.validation import check_figure, outlier_warning
from parc.lib.cache import bump_data_version
from parc.lib.periods import QUARTERS, default_quarter_dates
from units import scoping


class Refused(Exception):
    """A change or a transition that is not allowed; str() says why, in the user's language."""


@transaction.atomic
def periods_open_year(*, year):
    """Create the four quarters of `year` on the Home Affairs calendar; leave existing ones
    (whose dates an administrator may have moved) alone. Returns the number created."""
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
    ReportingPeriod.objects.bulk_create(created)
    if created:
        bump_data_version()  # bulk_create sends no signals; cached dashboards list the years
    return len(created)


# ---------------------------------------------------------------------------------------------
# Who may change a report, and why not


def edit_refusal(*, user, unit, period, report=None, today=None):
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
# Saving figures


@dataclass
class SaveResult:
    report: Report | None = None
    saved: int = 0  # values created or changed
    errors: dict = field(default_factory=dict)  # indicator id → [(field, message)]
    conflict: list = field(default_factory=list)  # [(indicator, seen, yours, theirs)]
    refused: str = ""

    @property
    def ok(self):
        return not (self.errors or self.conflict or self.refused)


FIGURE_FIELDS = ("numerator", "denominator", "value")


def report_save_values(*, unit, period, user, rows, indicators, version=None, reason="", original=None):
    """Save the figures of (unit, period).

    `rows` maps indicator id → {"numerator", "denominator", "value", "comment"} as typed or read.
    Rows that fail their checks are not saved and come back in `errors`; the others are saved
    (a draft never loses what was valid). `version` is the report version the user started from:
    if someone saved since, and changed a figure this save would change too, nothing is saved and
    `conflict` lists the figures. `original` (indicator id → figures as the user first saw them)
    lets a save that only touches figures nobody else changed go through.
    `reason` is written in the history (e.g. "imported from quy2.xlsx").
    """
    result = SaveResult()
    by_id = {i.pk: i for i in indicators}
    checked = {}
    for indicator_id, raw in rows.items():
        figure = check_figure(by_id[indicator_id], **{k: raw.get(k) for k in FIGURE_FIELDS})
        if figure.errors:
            result.errors[indicator_id] = figure.errors
        else:
            checked[indicator_id] = (figure, (raw.get("comment") or "").strip())

    with transaction.atomic():
        report = Report.objects.select_for_update().filter(unit=unit, period=period).first()
        refusal = edit_refusal(user=user, unit=unit, period=period, report=report)
        if refusal:
            result.refused = refusal
            return result
        existing = {v.indicator_id: v for v in report.values.all()} if report else {}
        if report is not None and version is not None and report.version != version:
            # Someone saved since this user loaded the page: keep their figures unless this
            # user changed the same ones, in which case nothing is saved and both are shown.
            result.conflict, untouched = _merge(checked, existing, original or {}, by_id)
            if result.conflict:
                result.report = report
                return result
            for indicator_id in untouched:
                del checked[indicator_id]
        changes = []
        for indicator_id, (figure, comment) in checked.items():
            current = existing.get(indicator_id)
            new = (figure.numerator, figure.denominator, figure.value, comment)
            if current is None and figure.is_empty and not comment:
                continue
            if current is not None and (current.numerator, current.denominator, current.value, current.comment) == new:
                continue
            changes.append((indicator_id, current, new))
        if report is None:
            if not changes:
                return result
            report = Report.objects.create(unit=unit, period=period, updated_by=user)
        if changes:
            for indicator_id, current, (n, d, v, comment) in changes:
                value = current or ReportValue(report=report, indicator=by_id[indicator_id])
                value.numerator, value.denominator, value.value, value.comment = n, d, v, comment
                value._change_reason = reason or None
                value._history_user = user  # also outside a request (imports, commands)
                value.save()
            if report.status == ReportStatus.RETURNED:
                report.status = ReportStatus.DRAFT  # returned → draft once the officer edits it
            _bump(report, user, reason)
        result.report = report
        result.saved = len(changes)
    return result


def _figures(obj):
    """(numerator, denominator, value, comment) of a ReportValue, a checked row or a dict."""
    if obj is None:
        return (None, None, None, "")
    if isinstance(obj, dict):
        return tuple(obj.get(f) for f in FIGURE_FIELDS) + ((obj.get("comment") or ""),)
    return tuple(getattr(obj, f) for f in FIGURE_FIELDS) + (obj.comment,)


def _merge(checked, existing, original, by_id):
    """Compare this save with what the user first saw and what is saved now.

    Returns (conflicts, untouched): conflicts are [(indicator, seen, yours, theirs)] for figures
    both people changed differently; untouched are the rows this user did not change.
    """
    conflicts, untouched = [], []
    for indicator_id, (figure, comment) in checked.items():
        seen = _figures(original.get(indicator_id))
        yours = (figure.numerator, figure.denominator, figure.value, comment)
        theirs = _figures(existing.get(indicator_id))
        if yours == seen:
            untouched.append(indicator_id)
        elif theirs != seen and theirs != yours:
            conflicts.append((by_id[indicator_id], seen, yours, theirs))
    return conflicts, untouched


def report_touch(*, report, user, reason=""):
    """Record that `report` changed through another path (admin, import): new version, who."""
    _bump(report, user, reason)


def _bump(report, user, reason=""):
    report.version += 1
    report.updated_by = user
    report._change_reason = reason or None
    report._history_user = user
    report.save()


# ---------------------------------------------------------------------------------------------
# Workflow: draft → submitted → approved; submitted → returned → draft; approved → draft (reopen)


def _locked(report):
    return Report.objects.select_for_update().select_related("unit", "period").get(pk=report.pk)


@transaction.atomic
def report_submit(*, report, user, indicators):
    report = _locked(report)
    refusal = edit_refusal(user=user, unit=report.unit, period=report.period, report=report)
    if refusal:
        raise Refused(refusal)
    filled = {v.indicator_id for v in report.values.all() if v.value is not None or v.denominator is not None}
    missing = [i for i in indicators if i.pk not in filled]
    if missing:
        raise Refused(
            _("Fill every indicator before submitting. Missing: %(codes)s.")
            % {"codes": ", ".join(i.code for i in missing)}
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
def report_approve(*, report, user):
    report = _locked(report)
    refusal = _review_refusal(report, user, ReportStatus.SUBMITTED)
    if not refusal and report.submitted_by_id == user.pk:
        refusal = _("You submitted this report yourself: another reviewer must approve it.")
    if refusal:
        raise Refused(refusal)
    report.status = ReportStatus.APPROVED
    report.reviewed_by = user
    report.reviewed_at = timezone.now()
    _bump(report, user)
    return report


@transaction.atomic
def report_return(*, report, user, reason):
    report = _locked(report)
    refusal = _review_refusal(report, user, ReportStatus.SUBMITTED)
    if not refusal and not (reason or "").strip():
        refusal = _("Say why the report is returned, so the officer knows what to fix.")
    if refusal:
        raise Refused(refusal)
    report.status = ReportStatus.RETURNED
    report.return_reason = reason.strip()
    report.reviewed_by = user
    report.reviewed_at = timezone.now()
    _bump(report, user, reason.strip())
    return report


@transaction.atomic
def report_reopen(*, report, user, reason):
    report = _locked(report)
    refusal = _review_refusal(report, user, ReportStatus.APPROVED)
    if not refusal and not (reason or "").strip():
        refusal = _("Say why the approved report is reopened: the reason is kept in its history.")
    if refusal:
        raise Refused(refusal)
    report.status = ReportStatus.DRAFT
    report.reopen_reason = reason.strip()
    _bump(report, user, reason.strip())
    return report


@transaction.atomic
def evidence_add(*, report, indicator, user, upload):
    """Attach a document to a figure of an editable report."""
    report = _locked(report)
    refusal = edit_refusal(user=user, unit=report.unit, period=report.period, report=report)
    if refusal:
        raise Refused(refusal)
    value = report.values.filter(indicator=indicator).first()
    if value is None:
        raise Refused(_("Enter the figure before attaching its evidence."))
    evidence = Evidence(value=value, name=upload.name[:200], uploaded_by=user)
    evidence.file.save(upload.name, upload, save=False)
    evidence.save()
    _bump(report, user, _("evidence added: %(name)s") % {"name": evidence.name})
    return evidence


def report_entry_save(*, unit, period, user, data, indicators):
    """What the entry page's Save and Submit buttons do: save the figures, attach the uploaded
    evidence, and submit when asked and everything went through."""
    result = report_save_values(
        unit=unit, period=period, user=user, rows=data.rows, indicators=indicators,
        version=data.version, original=data.original,
    )  # fmt: skip
    if not result.ok:
        return result
    for indicator in indicators:
        upload = data.files.get(indicator.pk)
        if upload is None:
            continue
        try:
            problem = evidence_problem(upload)
            if problem:
                raise Refused(problem)
            evidence_add(report=result.report, indicator=indicator, user=user, upload=upload)
        except Refused as exc:
            result.errors.setdefault(indicator.pk, []).append(("evidence", str(exc)))
    if result.ok and data.action == "submit":
        if result.report is None:
            result.refused = _("Enter the figures before submitting.")
        else:
            try:
                report_submit(report=result.report, user=user, indicators=indicators)
            except Refused as exc:
                result.refused = str(exc)
    return result


EVIDENCE_EXTENSIONS = {"pdf", "doc", "docx", "xls", "xlsx", "odt", "ods", "jpg", "jpeg", "png", "zip"}
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


def evidence_problem(upload):
    """Why an uploaded evidence file is refused, or None."""
    if upload.size > EVIDENCE_MAX_BYTES:
        return _("The file is larger than 10 MB.")
    if upload.name.rpartition(".")[2].lower() not in EVIDENCE_EXTENSIONS:
        return _("Evidence can be PDF, Word, Excel, OpenDocument, JPEG, PNG or ZIP files.")
    return None
