"""The PAR index (Chỉ số CCHC): criteria sets, scorecards, appraisal and survey points.

A criteria set is issued by a unit for a year and the units of one level below it ("communes of
the province, 2026"). Its criteria form a tree — fields (lĩnh vực) → criteria → sub-criteria —
and each node carries a maximum; a part of a node's maximum may come from the social survey
(`survey_maximum`). Units score the leaves (self-assessment), the issuer's reviewers appraise,
survey points are added per unit and leaf, and the results are published for the whole set at
once. The percentages, bands and ranks are computed (scoring/selectors.py), never stored.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from indicators.models import Report
from plans.models import PlanTask
from units.models import AdministrativeUnit, Level

SCORE_DIGITS = {"max_digits": 7, "decimal_places": 2}


class CriteriaSet(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Open for self-assessment")
        PUBLISHED = "published", _("Results published")
        REOPENED = "reopened", _("Reopened for correction")

    issuer = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="criteria_sets"
    )
    year = models.PositiveIntegerField(_("year"))
    level = models.CharField(
        _("units scored"),
        max_length=10,
        choices=[(Level.PROVINCE, _("Provinces")), (Level.DISTRICT, _("Districts")), (Level.COMMUNE, _("Communes"))],
    )
    title = models.CharField(_("title"), max_length=300)
    decision = models.CharField(
        _("decision"), max_length=120, blank=True, help_text=_("e.g. Quyết định số 1234/QĐ-UBND ngày 15/01/2026")
    )
    total_maximum = models.DecimalField(
        _("total maximum"), help_text=_("The total the fields must add up to, e.g. 100."), **SCORE_DIGITS
    )
    survey = models.BooleanField(
        _("a social survey adds points"),
        default=True,
        help_text=_("Untick when no survey is held this year: the index is then rescaled to the appraised maximum."),
    )
    self_assessment_due = models.DateField(_("self-assessment due"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("criteria set")
        verbose_name_plural = _("criteria sets")
        ordering = ["-year", "issuer__path", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "year", "level"],
                name="criteria_set_issuer_year_level_unique",
                violation_error_message=_("This unit already has a criteria set for this year and level."),
            ),
            models.CheckConstraint(
                condition=Q(total_maximum__gt=0),
                name="criteria_set_total_positive",
                violation_error_message=_("The total maximum must be above zero."),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def accepts_scores(self):
        """Units may self-assess and reviewers appraise (not in draft, not once published)."""
        return self.status in (self.Status.ISSUED, self.Status.REOPENED)


class Band(models.Model):
    """A classification band: "Tốt" from 80 %, "A" from 90 % …; the highest band reached wins."""

    criteria_set = models.ForeignKey(
        CriteriaSet, verbose_name=_("criteria set"), on_delete=models.CASCADE, related_name="bands"
    )
    label = models.CharField(_("band"), max_length=40)
    minimum_percent = models.DecimalField(_("from (%)"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("band")
        verbose_name_plural = _("bands")
        ordering = ["-minimum_percent"]
        constraints = [
            models.UniqueConstraint(fields=["criteria_set", "label"], name="band_label_unique"),
            models.CheckConstraint(
                condition=Q(minimum_percent__gte=0) & Q(minimum_percent__lte=100), name="band_minimum_percent"
            ),
        ]

    def __str__(self):
        return f"{self.label} ≥ {self.minimum_percent} %"


class Criterion(models.Model):
    """A node of the criteria tree. Top-level nodes are the fields (lĩnh vực); leaves are scored."""

    criteria_set = models.ForeignKey(
        CriteriaSet, verbose_name=_("criteria set"), on_delete=models.CASCADE, related_name="criteria"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent criterion"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    code = models.CharField(_("code"), max_length=20, help_text=_("e.g. 1, 1.2, 1.2.3"))
    title = models.CharField(_("criterion"), max_length=500)
    maximum = models.DecimalField(_("maximum"), **SCORE_DIGITS)
    survey_maximum = models.DecimalField(
        _("of which by survey"),
        default=Decimal(0),
        help_text=_("The part of the maximum scored by the social survey."),
        **SCORE_DIGITS,
    )
    guidance = models.TextField(_("how to score"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    history = HistoricalRecords()  # an import replaces them: who did it, from which file

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["criteria_set", "code"], name="criterion_code_unique"),
            models.CheckConstraint(
                condition=Q(maximum__gt=0) & Q(survey_maximum__gte=0) & Q(survey_maximum__lte=models.F("maximum")),
                name="criterion_maxima",
            ),
        ]

    def __str__(self):
        return f"{self.code}. {self.title}"

    @property
    def appraised_maximum(self):
        """What self-assessment and appraisal can give (the rest comes from the survey)."""
        return self.maximum - self.survey_maximum


class Scorecard(models.Model):
    """One unit's self-assessment in a set, and its appraisal."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being filled in")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for more evidence")
        APPRAISED = "appraised", _("Appraised")

    criteria_set = models.ForeignKey(
        CriteriaSet, verbose_name=_("criteria set"), on_delete=models.CASCADE, related_name="scorecards"
    )
    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="scorecards"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    # Counts saves: a form posts the version it was drawn from, so a save made in between is
    # reported instead of silently overwritten (DESIGN rule 5).
    version = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["unit__path"]
        constraints = [models.UniqueConstraint(fields=["criteria_set", "unit"], name="scorecard_set_unit_unique")]

    def __str__(self):
        return f"{self.unit.name} — {self.criteria_set.year}"


class Score(models.Model):
    """A leaf criterion's self-assessed and appraised scores on one scorecard."""

    scorecard = models.ForeignKey(
        Scorecard, verbose_name=_("scorecard"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="scores"
    )
    self_score = models.DecimalField(_("self-assessed score"), null=True, blank=True, **SCORE_DIGITS)
    explanation = models.TextField(_("explanation"), blank=True)
    appraised_score = models.DecimalField(_("appraised score"), null=True, blank=True, **SCORE_DIGITS)
    appraisal_reason = models.TextField(_("reason for the appraised score"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "criterion"], name="score_scorecard_criterion_unique"),
            models.CheckConstraint(
                condition=(Q(self_score__isnull=True) | Q(self_score__gte=0))
                & (Q(appraised_score__isnull=True) | Q(appraised_score__gte=0)),
                name="score_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.criterion.code}: {self.self_score} / {self.appraised_score}"


def score_evidence_path(instance, filename):
    return f"scoring/{instance.score.scorecard.criteria_set.year}/{instance.score.scorecard_id}/{filename}"


class ScoreEvidence(models.Model):
    """Evidence (tài liệu kiểm chứng) for a score: an uploaded file, or a report or plan task
    already in PARC."""

    score = models.ForeignKey(Score, verbose_name=_("score"), on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=score_evidence_path, blank=True)
    name = models.CharField(_("name"), max_length=200)
    report = models.ForeignKey(
        Report, verbose_name=_("report"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    task = models.ForeignKey(
        PlanTask, verbose_name=_("plan task"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    history = HistoricalRecords()  # added and removed, by whom

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["added_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(~Q(file="") & Q(report__isnull=True) & Q(task__isnull=True))
                | (Q(file="") & Q(report__isnull=False) & Q(task__isnull=True))
                | (Q(file="") & Q(report__isnull=True) & Q(task__isnull=False)),
                name="score_evidence_one_source",
            )
        ]

    def __str__(self):
        return self.name


class SurveyScore(models.Model):
    """Points from the social survey for one unit on one criterion with a survey share."""

    criteria_set = models.ForeignKey(
        CriteriaSet, verbose_name=_("criteria set"), on_delete=models.CASCADE, related_name="survey_scores"
    )
    unit = models.ForeignKey(AdministrativeUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="survey_scores"
    )
    points = models.DecimalField(_("survey points"), **SCORE_DIGITS)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("survey points")
        verbose_name_plural = _("survey points")
        constraints = [
            models.UniqueConstraint(fields=["criterion", "unit"], name="survey_score_criterion_unit_unique"),
            models.CheckConstraint(condition=Q(points__gte=0), name="survey_points_not_negative"),
        ]

    def __str__(self):
        return f"{self.unit_id} {self.criterion.code}: {self.points}"
