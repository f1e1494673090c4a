from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from parc.lib.periods import QUARTERS, SPAN_LABELS, period_code
from units.models import AdministrativeUnit, Level


class ParField(models.TextChoices):
    """The fields (lĩnh vực) of the 2021–2030 administrative reform programme (76/NQ-CP),
    with the direction work and the impact surveys that provinces score as fields too."""

    DIRECTION = "direction", _("Direction and management")
    INSTITUTIONS = "institutions", _("Institutional reform")
    PROCEDURES = "procedures", _("Administrative procedures")
    ORGANISATION = "organisation", _("Organisation of the apparatus")
    CIVIL_SERVICE = "civil_service", _("Civil service")
    FINANCE = "finance", _("Public finance")
    DIGITAL = "digital", _("E-government and digital government")
    SATISFACTION = "satisfaction", _("Satisfaction and impact")


class IndicatorKind(models.TextChoices):
    RATIO = "ratio", _("Ratio (numerator / denominator)")
    PERCENT = "percent", _("Percentage")
    COUNT = "count", _("Count")
    SCORE = "score", _("Score or average")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class TimeAggregation(models.TextChoices):
    SUM = "sum", _("Sum over quarters (a flow)")
    LAST = "last", _("Latest quarter (a stock)")


class IndicatorQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def for_level(self, level):
        """Indicators reported by units of `level`."""
        column = {Level.PROVINCE: "for_province", Level.DISTRICT: "for_district", Level.COMMUNE: "for_commune"}
        if level not in column:
            return self.filter(Q(for_province=True) | Q(for_district=True) | Q(for_commune=True))
        return self.filter(**{column[level]: True})


class Indicator(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    field = models.CharField(_("PAR field"), max_length=20, choices=ParField.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=IndicatorKind.choices)
    numerator_label = models.CharField(_("numerator"), max_length=255, blank=True)
    denominator_label = models.CharField(_("denominator"), max_length=255, blank=True)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    time_aggregation = models.CharField(
        _("over time"), max_length=10, choices=TimeAggregation.choices, default=TimeAggregation.SUM
    )
    for_province = models.BooleanField(_("province reports it"), default=True)
    for_district = models.BooleanField(_("district reports it"), default=True)
    for_commune = models.BooleanField(_("commune reports it"), default=True)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=40, blank=True)
    definition = models.TextField(_("definition"), blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    active = models.BooleanField(_("active"), default=True)
    display_order = models.PositiveIntegerField(_("display order"), default=100)
    maximum = models.DecimalField(
        _("largest plausible value"),
        max_digits=18,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_(
            "For scores and averages (e.g. days to resolve a dossier): a figure above this is refused as a typing "
            "mistake. Counts are limited to 10^12 and percentages to 0–100 whatever is set here."
        ),
    )

    objects = IndicatorQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["display_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="ratio") | (~Q(numerator_label="") & ~Q(denominator_label="")),
                name="indicator_ratio_has_labels",
                violation_error_message=_("A ratio indicator needs numerator and denominator labels."),
            )
        ]

    def __str__(self):
        return f"{self.code} — {self.name}"

    @property
    def name(self):
        """The name in the interface's language (English falls back to Vietnamese)."""
        if (get_language() or "vi").startswith("en") and self.name_en:
            return self.name_en
        return self.name_vi

    @property
    def is_ratio(self):
        return self.kind == IndicatorKind.RATIO

    @property
    def is_percentage(self):
        """Shown as a percentage: ratios (computed) and percentages (entered)."""
        return self.kind in (IndicatorKind.RATIO, IndicatorKind.PERCENT)

    @property
    def levels(self):
        return [
            level
            for level, flag in (
                (Level.PROVINCE, self.for_province),
                (Level.DISTRICT, self.for_district),
                (Level.COMMUNE, self.for_commune),
            )
            if flag
        ]

    def applies_to(self, level):
        return level in self.levels


class ReportingPeriod(models.Model):
    """A quarter that is entered. 6 months, 9 months and the year are computed from quarters."""

    class Kind(models.TextChoices):
        Q1 = "Q1", SPAN_LABELS["Q1"]
        Q2 = "Q2", SPAN_LABELS["Q2"]
        Q3 = "Q3", SPAN_LABELS["Q3"]
        Q4 = "Q4", SPAN_LABELS["Q4"]

    year = models.PositiveIntegerField(_("year"))
    kind = models.CharField(_("quarter"), max_length=2, choices=Kind.choices)
    start = models.DateField(_("data from"))
    end = models.DateField(_("data to"))
    due = models.DateField(_("due"))
    closes = models.DateField(_("closes for editors"), help_text=_("After this day only reviewers can change reports."))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "kind"],
                name="period_year_kind_unique",
                violation_error_message=_("This quarter exists already."),
            ),
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")),
                name="period_end_after_start",
                violation_error_message=_("The period ends before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(closes__gte=models.F("due")),
                name="period_closes_after_due",
                violation_error_message=_("The period closes before it is due."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}/{self.year}"

    @property
    def code(self):
        return period_code(self.year, self.kind)

    @property
    def index(self):
        """A running quarter number, for "the previous quarter" and trends."""
        return self.year * 4 + QUARTERS.index(self.kind)


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


class Report(models.Model):
    """The quarterly report of one unit: its values, and where it stands in review.

    `version` goes up by one with every change, so two people saving the same report cannot
    overwrite each other unknowingly (the later save names the version it started from).
    """

    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="reports"
    )
    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="reports"
    )
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)
    return_reason = models.TextField(_("reason for return"), blank=True)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)
    updated_at = models.DateTimeField(_("last change"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-period__year", "-period__kind", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period"],
                name="report_unit_period_unique",
                violation_error_message=_("This unit already has a report for this quarter."),
            )
        ]
        indexes = [models.Index(fields=["period", "status"], name="report_period_status_idx")]

    def __str__(self):
        return f"{self.unit.name} — {self.period}"

    @property
    def is_late(self):
        """Submitted after the due date, or still not submitted once it has passed."""
        if self.submitted_at:
            return timezone.localtime(self.submitted_at).date() > self.period.due
        return timezone.localdate() > self.period.due


def evidence_path(instance, filename):
    return f"evidence/{instance.value.report.period.year}/{instance.value.report_id}/{filename}"


class ReportValue(models.Model):
    """One indicator's figure in a report: two counts for a ratio, one value otherwise."""

    # No index of its own: the unique (report, indicator) index serves lookups by report, and one
    # index fewer to maintain is ~10 % of a national import's write time.
    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="values", db_index=False
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="values"
    )
    numerator = models.DecimalField(_("numerator"), max_digits=18, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(_("denominator"), max_digits=18, decimal_places=4, null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    # "Không phát sinh": nothing of this kind happened in the quarter (no dossier received, no
    # inspection). Counted as reported — the report is complete — and left out of roll-ups: it is
    # not a zero, and a ratio without a denominator has no percentage.
    not_occurred = models.BooleanField(_("did not occur this quarter"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reported value")
        verbose_name_plural = _("reported values")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "indicator"],
                name="value_report_indicator_unique",
                violation_error_message=_("This report already has a value for this indicator."),
            ),
            models.CheckConstraint(
                condition=Q(not_occurred=False)
                | Q(numerator__isnull=True, denominator__isnull=True, value__isnull=True),
                name="value_not_occurred_has_no_figures",
            ),
        ]

    def __str__(self):
        from indicators.display import figure_text  # it imports this module (IndicatorKind)

        return f"{self.indicator.code}: {figure_text(self.indicator, self.figure)}"

    @property
    def figure(self):
        """The number judged against targets: the computed percentage for a ratio (None for
        0/0), the value otherwise."""
        if self.indicator.kind == IndicatorKind.RATIO:
            return ratio_percent(self.numerator, self.denominator)
        return self.value


def ratio_percent(numerator, denominator):
    """numerator / denominator × 100, or None when there is nothing to divide."""
    if numerator is None or not denominator:
        return None
    return Decimal(numerator) * 100 / Decimal(denominator)


class Evidence(models.Model):
    """A document that backs a reported figure (tài liệu kiểm chứng)."""

    value = models.ForeignKey(ReportValue, verbose_name=_("value"), on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path)
    name = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.name


class ImportJob(models.Model):
    """A spreadsheet import, run off the request by `manage.py import_worker`.

    queued → checking → ready (preview and errors) → confirmed → writing → done; or failed.
    The user can leave the page and come back to the result.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be checked")
        CHECKING = "checking", _("Checking")
        READY = "ready", _("Checked: waiting for your confirmation")
        CONFIRMED = "confirmed", _("Waiting to be written")
        WRITING = "writing", _("Writing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Not imported")
        CANCELLED = "cancelled", _("Cancelled: nothing was saved")

    ACTIVE = (Status.QUEUED, Status.CHECKING, Status.CONFIRMED, Status.WRITING)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs")
    # Empty for the portal's import of figures; for an admin import, the django-import-export
    # resource (dotted path) and the admin list it came from (app_label.model).
    resource = models.CharField(max_length=200, blank=True)
    admin_model = models.CharField(max_length=100, blank=True)
    file = models.FileField(upload_to="imports/%Y/%m/")
    filename = models.CharField(_("file"), max_length=200)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    partial = models.BooleanField(_("save the valid rows even if some are wrong"), default=False)
    language = models.CharField(max_length=10, default="vi")  # messages are written in the uploader's language
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_read = models.PositiveIntegerField(default=0)
    rows_checked = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)  # new, changed, unchanged, errors
    preview = models.JSONField(default=list, blank=True)  # the first changes, for the page
    errors = models.JSONField(default=list, blank=True)  # [{row, column, message}]
    # [[unit id, period id, report version]] as the preview saw them (0: no report yet): the
    # confirmed write refuses reports that changed since (DESIGN.md rule 5).
    versions = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    rejected = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    # Who runs it and whether it still lives: a worker killed mid-job leaves a silent heartbeat
    # (indicators.jobs.recover_stale runs it again, or fails it after IMPORT_MAX_ATTEMPTS).
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("spreadsheet import")
        verbose_name_plural = _("spreadsheet imports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="importjob_status_idx")]

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def is_active(self):
        return self.status in self.ACTIVE

    @property
    def is_admin_import(self):
        return bool(self.resource)

    @property
    def can_cancel(self):
        """Before anything is written: while it waits to be checked, or after the preview."""
        return self.status in (self.Status.QUEUED, self.Status.READY)

    @property
    def can_confirm(self):
        return (
            self.status == self.Status.READY
            and (self.partial or not self.errors)
            and (self.counts.get("new", 0) + self.counts.get("changed", 0) > 0)
        )
