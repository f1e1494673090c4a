from decimal import Decimal

from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from indicators.display import figure_text
from indicators.models import Indicator
from parc.lib.forms import validate_upload_size
from units.models import AdministrativeUnit, Level

DOCUMENT_EXTENSIONS = ["pdf", "doc", "docx", "odt", "xlsx", "xls", "ods", "jpg", "jpeg", "png", "zip"]


class Plan(models.Model):
    """The annual administrative-reform plan of a unit (Kế hoạch CCHC năm N), issued by a
    decision ("435/QĐ-UBND ngày 31/01/2023")."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")

    unit = models.ForeignKey(AdministrativeUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="plans")
    year = models.PositiveIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=300)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True, help_text=_("e.g. 435/QĐ-UBND"))
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    document = models.FileField(
        _("plan document"),
        upload_to="plans/%Y/",
        blank=True,
        validators=[FileExtensionValidator(DOCUMENT_EXTENSIONS), validate_upload_size],
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-year", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year"],
                name="plan_unit_year_unique",
                violation_error_message=_("This unit already has a plan for this year."),
            )
        ]

    def __str__(self):
        return self.title

    @property
    def decision(self):
        """ "435/QĐ-UBND, 31/01/2023" as offices cite it (empty when not issued yet)."""
        if not self.decision_number:
            return ""
        if self.decision_date:
            return f"{self.decision_number}, {self.decision_date:%d/%m/%Y}"
        return self.decision_number


class PlanTask(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=400)
    lead_unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("lead unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_tasks",
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    progress_note = models.TextField(_("progress"), blank=True)
    result_reference = models.CharField(
        _("result document"), max_length=200, blank=True, help_text=_("e.g. Báo cáo số 12/BC-UBND ngày 15/6/2026")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plan task")
        verbose_name_plural = _("plan tasks")
        ordering = ["deadline", "pk"]

    def __str__(self):
        return self.title

    def is_overdue(self, today=None):
        """Past its deadline and neither done nor cancelled."""
        today = today or timezone.localdate()
        return bool(
            self.deadline and self.deadline < today and self.status not in (self.Status.DONE, self.Status.CANCELLED)
        )


class Comparator(models.TextChoices):
    GTE = "gte", "≥"
    GT = "gt", ">"
    LTE = "lte", "≤"
    LT = "lt", "<"
    EQ = "eq", "="


class Target(models.Model):
    """A target of a plan for one indicator, applying either to one unit or to every unit of a
    level under the plan's unit ("communes: digitisation ≥ 55 %")."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="targets")
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="targets"
    )
    comparator = models.CharField(_("comparator"), max_length=3, choices=Comparator.choices, default=Comparator.GTE)
    value = models.DecimalField(_("target value"), max_digits=14, decimal_places=4)
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("for the unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="targets",
    )
    level = models.CharField(_("for every unit of the level"), max_length=10, choices=Level.choices, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["indicator__display_order", "level", "unit__path"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit__isnull=False) & Q(level="")) | (Q(unit__isnull=True) & ~Q(level="")),
                name="target_one_unit_or_one_level",
                violation_error_message=_("Choose whom the target applies to: one unit or every unit of a level."),
            ),
            models.UniqueConstraint(
                fields=["plan", "indicator", "unit"],
                condition=Q(unit__isnull=False),
                name="target_unit_unique",
                violation_error_message=_("This plan already has a target for this indicator and this unit."),
            ),
            models.UniqueConstraint(
                fields=["plan", "indicator", "level"],
                condition=~Q(level=""),
                name="target_level_unique",
                violation_error_message=_("This plan already has a target for this indicator and this level."),
            ),
            models.CheckConstraint(
                condition=Q(value__gte=Decimal(0)),
                name="target_value_not_negative",
                violation_error_message=_("A target cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.text}"

    @property
    def text(self):
        """ "≥ 55 %", "≤ 7 ngày", "≥ 1 sáng kiến": the comparator, then the value with its unit as
        indicators.display writes it, with the decimals it has."""
        return f"{self.get_comparator_display()} {figure_text(self.indicator, self.value, exact=True)}"
