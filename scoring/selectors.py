"""Reads of the PAR index: which sets and scorecards a user sees, the criteria tree, results.

Results are computed from the appraised scores and survey points in a fixed number of queries
(the set's criteria, bands, the scored units, their scores, their survey points; the same again
for last year's set), whatever the number of units.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.base_user import AbstractBaseUser as User
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from indicators.models import Report
from parc.lib.numbers import format_number
from parc.lib.text import person_name
from plans.models import PlanTask
from scoring.models import Band, CriteriaSet, Criterion, Score, Scorecard, ScoreEvidence, SurveyScore
from units import scoping
from units.models import AdministrativeUnit, Kind

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


# ---------------------------------------------------------------------------------------------
# Who sees what


# Thin wrappers: every answer is units/scoping.py's, asked about the set's issuer and units.


def can_see_set(user: User, cset: CriteriaSet) -> bool:
    """The criteria (not the scores): everyone concerned once issued; a draft only the issuer's
    reviewers."""
    return scoping.can_see_issued(user, cset.issuer, draft=cset.status == CriteriaSet.Status.DRAFT)


def can_manage_set(user: User, cset: CriteriaSet) -> bool:
    """Reviewers of the issuer edit the set, appraise, publish and reopen."""
    return scoping.can_manage_issued(user, cset.issuer)


def can_see_results(user: User, cset: CriteriaSet) -> bool:
    return scoping.can_see_issued_results(
        user, cset.issuer, draft=cset.status == CriteriaSet.Status.DRAFT, published=cset.is_published
    )


def can_see_scorecard(user: User, scorecard: Scorecard) -> bool:
    return scoping.can_see_scored(user, scorecard.criteria_set.issuer, scorecard.unit)


def can_self_assess(user: User, scorecard: Scorecard) -> bool:
    return scoping.can_self_assess(user, scorecard.criteria_set.issuer, scorecard.unit)


def sets_visible_to(*, user: User) -> QuerySet[CriteriaSet]:
    """The criteria sets of the issuers above, at or below the user's units, newest first; a
    draft only to its issuer's reviewers."""
    sets = CriteriaSet.objects.select_related("issuer").annotate(criteria_count=Count("criteria"))
    return sets.filter(scoping.issued_visible_q(user, field="issuer", draft=Q(status=CriteriaSet.Status.DRAFT)))


def scorecards_waiting(
    *, user: User, year: int | None = None, level: str = "", district: AdministrativeUnit | None = None
) -> QuerySet[Scorecard]:
    """Scorecards submitted for appraisal to an issuer the user reviews, oldest first."""
    cards = Scorecard.objects.filter(
        scoping.scope_q(user, scoping.REVIEW, field="criteria_set__issuer__path"),
        status=Scorecard.Status.SUBMITTED,
        criteria_set__status__in=(CriteriaSet.Status.ISSUED, CriteriaSet.Status.REOPENED),
    )
    if year is not None:
        cards = cards.filter(criteria_set__year=year)
    if level:
        cards = cards.filter(unit__level=level)
    if district is not None:
        cards = cards.filter(unit__path__startswith=district.path)
    cards = cards.select_related("unit__parent", "criteria_set__issuer")
    return cards.order_by("submitted_at", "unit__path", "pk")


# ---------------------------------------------------------------------------------------------
# The set and its tree


def scored_units(*, cset: CriteriaSet) -> QuerySet[AdministrativeUnit]:
    """The people's committees of the set's level under its issuer in force on the last day of
    its year: a unit merged away mid-year is scored as part of the unit that took it over, as
    the 2025 reorganisation's provinces did (not doing so would also keep the set from ever
    being published, waiting for a scorecard nobody will fill)."""
    end = datetime.date(cset.year, 12, 31)
    return (
        AdministrativeUnit.objects.subtree_of(cset.issuer, include_self=False)
        .filter(level=cset.level, kind=Kind.COMMITTEE)
        .valid_on(end)
        .order_by("path")
    )


@dataclass
class TreeRow:
    criterion: Criterion
    depth: int
    is_leaf: bool
    field_id: int
    score: Score | None = None
    evidence: list = field(default_factory=list)
    survey_points: Decimal | None = None

    @property
    def scorable(self):
        """A leaf with points to self-assess (a leaf scored wholly by the survey has none)."""
        return self.is_leaf and self.criterion.appraised_maximum > 0


def criteria_tree(*, cset: CriteriaSet, criteria: Iterable[Criterion] | None = None) -> list[TreeRow]:
    """The criteria in reading order (each field, then its criteria depth first), one query."""
    criteria = list(criteria if criteria is not None else cset.criteria.all())
    children = {}
    for c in criteria:
        children.setdefault(c.parent_id, []).append(c)
    rows = []

    def walk(node, depth, field_id):
        kids = children.get(node.pk, [])
        rows.append(TreeRow(node, depth, not kids, field_id))
        for kid in kids:
            walk(kid, depth + 1, field_id)

    for top in children.get(None, []):
        walk(top, 0, top.pk)
    return rows


def previous_set(*, cset: CriteriaSet) -> CriteriaSet | None:
    """Last year's published set of the same issuer and level, for the year-over-year change."""
    return (
        CriteriaSet.objects.filter(
            issuer_id=cset.issuer_id, level=cset.level, year=cset.year - 1, status=CriteriaSet.Status.PUBLISHED
        )
        .select_related("issuer")
        .first()
    )


def scorecard_rows(*, scorecard: Scorecard) -> list[TreeRow]:
    """The tree with this scorecard's scores, evidence and survey points on the leaves."""
    cset = scorecard.criteria_set
    rows = criteria_tree(cset=cset)
    saved = scorecard.pk is not None  # a scorecard is only created by its first save
    scores = {s.criterion_id: s for s in scorecard.scores.all()} if saved else {}
    evidence = {}
    items = ScoreEvidence.objects.filter(score__scorecard=scorecard) if saved else ScoreEvidence.objects.none()
    for item in items.select_related("report__period", "task"):
        evidence.setdefault(item.score_id, []).append(item)
    survey = dict(
        SurveyScore.objects.filter(criteria_set=cset, unit=scorecard.unit).values_list("criterion_id", "points")
    )
    for row in rows:
        row.score = scores.get(row.criterion.pk)
        row.evidence = evidence.get(row.score.pk, []) if row.score else []
        row.survey_points = survey.get(row.criterion.pk)
    return rows


@dataclass
class HistoryLine:
    when: datetime.datetime
    who: str
    what: str


def scorecard_history(*, scorecard: Scorecard, limit: int = 40) -> list[HistoryLine]:
    """What happened to a scorecard, newest first: its status changes and every score saved
    (self-assessed and appraised, with the reason), including corrections after a reopening."""
    if scorecard.pk is None:
        return []

    lines, last_status = [], None
    for entry in scorecard.history.select_related("history_user").order_by("history_date", "history_id"):
        if entry.status != last_status:
            text = entry.get_status_display()
            if entry.status == Scorecard.Status.RETURNED and entry.return_reason:
                text = f"{text}: {entry.return_reason}"
            lines.append(HistoryLine(entry.history_date, person_name(entry.history_user), text))
        last_status = entry.status
    scores = Score.history.filter(scorecard_id=scorecard.pk).select_related("history_user")
    codes = dict(scorecard.criteria_set.criteria.values_list("pk", "code"))
    for entry in scores.order_by("history_date", "history_id"):
        parts = []
        if entry.self_score is not None:
            parts.append(_("self-assessed %(v)s") % {"v": format_number(entry.self_score, 2)})
        if entry.appraised_score is not None:
            parts.append(_("appraised %(v)s") % {"v": format_number(entry.appraised_score, 2)})
        if entry.appraisal_reason:
            parts.append(f"“{entry.appraisal_reason}”")
        if parts:
            lines.append(
                HistoryLine(
                    entry.history_date,
                    person_name(entry.history_user),
                    f"{codes.get(entry.criterion_id, '?')}: {', '.join(parts)}",
                )
            )
    lines.sort(key=lambda line: line.when, reverse=True)
    return lines[:limit]


def reopenings(*, cset: CriteriaSet) -> list[HistoryLine]:
    """Each time the results were reopened for correction: when, by whom, why (oldest first)."""
    lines = []
    for entry in cset.history.filter(status=CriteriaSet.Status.REOPENED).select_related("history_user"):
        lines.append(HistoryLine(entry.history_date, person_name(entry.history_user), entry.reopen_reason))
    return sorted(lines, key=lambda line: line.when)


def scorecard_totals(*, rows: list[TreeRow], survey: bool = True) -> tuple[Decimal, Decimal, Decimal]:
    """(self-assessed, appraised, maximum) over the leaves of a scorecard's rows."""
    own = appraised = maximum = Decimal(0)
    for row in rows:
        if not row.is_leaf:
            continue
        c = row.criterion
        maximum += c.maximum if survey else c.appraised_maximum
        if row.score:
            own += row.score.self_score or 0
            appraised += row.score.appraised_score or 0
        if survey and row.survey_points is not None:
            own += row.survey_points
            appraised += row.survey_points
    return own, appraised, maximum


def scorecard_for(*, cset: CriteriaSet, unit: AdministrativeUnit) -> Scorecard:
    """The unit's scorecard, or an unsaved one: a page view creates nothing."""
    return Scorecard.objects.filter(criteria_set=cset, unit=unit).first() or Scorecard(criteria_set=cset, unit=unit)


def evidence_choices(*, unit: AdministrativeUnit, year: int) -> tuple[QuerySet[Report], QuerySet[PlanTask]]:
    """What PARC already holds that may stand as evidence: the unit's reports of the year, and
    the tasks of that year's plans of the unit and the units above it (evidence_add checks the
    same)."""
    reports = Report.objects.filter(unit=unit, period__year=year).select_related("unit", "period")
    tasks = PlanTask.objects.filter(plan__year=year, plan__unit__in=[*unit.ancestor_ids, unit.pk])
    return reports.order_by("period__kind"), tasks.order_by("deadline", "pk")


def survey_grid(
    *, cset: CriteriaSet
) -> tuple[list[AdministrativeUnit], list[Criterion], dict[tuple[int, int], Decimal]]:
    """(units, survey leaves, {(unit id, criterion id): points}) for the survey grid and its file."""
    units = list(scored_units(cset=cset))
    criteria = list(cset.criteria.filter(children__isnull=True, survey_maximum__gt=0).order_by("position"))
    points = {(s.unit_id, s.criterion_id): s.points for s in cset.survey_scores.all()}
    return units, criteria, points


def scorecards_of(*, cset: CriteriaSet, user: User) -> list[tuple[AdministrativeUnit, Scorecard | None]]:
    """(unit, scorecard or None) for the scored units the user may see, in register order."""
    units = scored_units(cset=cset).filter(scoping.scored_q(user, cset.issuer))
    cards = {c.unit_id: c for c in cset.scorecards.all()}
    return [(unit, cards.get(unit.pk)) for unit in units]


# ---------------------------------------------------------------------------------------------
# Results


def percent(points: Decimal, maximum: Decimal) -> Decimal | None:
    """64.24 of 75 → 85.65 (two decimals, half up, as the results are published)."""
    if not maximum:
        return None
    return (points * HUNDRED / maximum).quantize(CENT, rounding=ROUND_HALF_UP)


def band_for(bands: list[Band], value: Decimal | None) -> Band | None:
    """The highest band whose minimum `value` reaches; None below the lowest band."""
    for band in bands:  # highest minimum first
        if value is not None and value >= band.minimum_percent:
            return band
    return None


def competition_ranks(values: dict) -> dict:
    """{key: rank} for {key: value}, highest first; ties share a rank and the next rank skips
    (90, 85, 85, 80 → 1, 2, 2, 4)."""
    ordered = sorted(values.items(), key=lambda kv: kv[1], reverse=True)
    ranks = {}
    for position, (key, value) in enumerate(ordered, start=1):
        if position > 1 and value == ordered[position - 2][1]:
            ranks[key] = ranks[ordered[position - 2][0]]
        else:
            ranks[key] = position
    return ranks


@dataclass
class FieldResult:
    criterion: Criterion
    points: Decimal
    maximum: Decimal

    @property
    def percent(self):
        return percent(self.points, self.maximum)


@dataclass
class UnitResult:
    unit: AdministrativeUnit
    points: Decimal
    maximum: Decimal
    fields: list
    survey_points: Decimal
    band: object = None
    rank: int | None = None
    previous: "UnitResult | None" = None

    @property
    def percent(self):
        return percent(self.points, self.maximum)

    @property
    def points_change(self):
        return None if self.previous is None else self.points - self.previous.points

    @property
    def rank_change(self):
        """Places climbed since last year (positive: up, "tăng 2 bậc"; negative: down)."""
        return None if self.previous is None else self.previous.rank - self.rank


@dataclass
class FieldSummary:
    criterion: Criterion
    maximum: Decimal
    mean_percent: Decimal | None
    lowest: UnitResult | None
    highest: UnitResult | None


@dataclass
class SetResults:
    cset: CriteriaSet
    fields: list
    units: list  # UnitResult, by rank then name
    unscored: list  # units of the set without an appraised scorecard
    previous: "SetResults | None"
    rescaled: bool  # no survey this year: the index is the appraised points over their maximum

    @property
    def highest(self):
        return self.units[0] if self.units else None

    @property
    def lowest(self):
        return self.units[-1] if self.units else None

    @property
    def strongest_field(self):
        ranked = [f for f in self.fields if f.mean_percent is not None]
        return max(ranked, key=lambda f: f.mean_percent) if ranked else None

    @property
    def weakest_field(self):
        ranked = [f for f in self.fields if f.mean_percent is not None]
        return min(ranked, key=lambda f: f.mean_percent) if ranked else None

    @property
    def expected(self):
        """How many units the set scores: appraised or not yet."""
        return len(self.units) + len(self.unscored)

    @property
    def shown(self):
        """The units as the results page lists them: by rank once published; before that by
        name, so a preview with some units still to appraise announces no ranking."""
        if self.cset.is_published:
            return self.units
        return sorted(self.units, key=lambda r: (r.unit.name, r.unit.pk))

    def for_unit(self, unit_id):
        return next((r for r in self.units if r.unit.pk == unit_id), None)


def set_results(*, cset: CriteriaSet, with_previous: bool = True) -> SetResults:
    """Per unit and per field: points, maximum, percentage, band, rank, and change since last
    year. Only appraised scorecards count; survey points count when the set has a survey."""
    rows = criteria_tree(cset=cset)
    fields = [r.criterion for r in rows if r.depth == 0]
    leaves = {r.criterion.pk: r for r in rows if r.is_leaf}
    bands = list(cset.bands.all())
    rescaled = not cset.survey
    field_max = {f.pk: (f.appraised_maximum if rescaled else f.maximum) for f in fields}
    # Without a survey, a field scored wholly by the survey has nothing left to count.
    fields = [f for f in fields if field_max[f.pk] > 0]
    total_max = sum((field_max[f.pk] for f in fields), Decimal(0))

    cards = Scorecard.objects.filter(criteria_set=cset, status=Scorecard.Status.APPRAISED).select_related("unit")
    units = {c.unit_id: c.unit for c in cards}
    points = {uid: dict.fromkeys(field_max, Decimal(0)) for uid in units}
    survey_points = dict.fromkeys(units, Decimal(0))
    appraised = Score.objects.filter(scorecard__in=cards, appraised_score__isnull=False)
    for unit_id, criterion_id, value in appraised.values_list("scorecard__unit_id", "criterion_id", "appraised_score"):
        if criterion_id in leaves:
            points[unit_id][leaves[criterion_id].field_id] += value
    if not rescaled:
        survey = SurveyScore.objects.filter(criteria_set=cset, unit_id__in=units)
        for unit_id, criterion_id, value in survey.values_list("unit_id", "criterion_id", "points"):
            if criterion_id in leaves:
                points[unit_id][leaves[criterion_id].field_id] += value
                survey_points[unit_id] += value

    results = []
    for unit_id, unit in units.items():
        by_field = [FieldResult(f, points[unit_id][f.pk], field_max[f.pk]) for f in fields]
        total = sum((fr.points for fr in by_field), Decimal(0))
        results.append(UnitResult(unit, total, total_max, by_field, survey_points[unit_id]))
    ranks = competition_ranks({r.unit.pk: r.percent for r in results})
    for r in results:
        r.rank = ranks[r.unit.pk]
        r.band = band_for(bands, r.percent)
    results.sort(key=lambda r: (r.rank, r.unit.name))

    previous = None
    if with_previous:
        last = previous_set(cset=cset)
        if last is not None:
            previous = set_results(cset=last, with_previous=False)
            for r in results:
                r.previous = previous.for_unit(r.unit.pk)

    summaries = []
    for i, f in enumerate(fields):
        if not results:
            summaries.append(FieldSummary(f, field_max[f.pk], None, None, None))
            continue
        mean = sum((r.fields[i].percent for r in results), Decimal(0)) / len(results)
        by_field = sorted(results, key=lambda r: (r.fields[i].percent, r.unit.name))
        summaries.append(
            FieldSummary(f, field_max[f.pk], mean.quantize(CENT, rounding=ROUND_HALF_UP), by_field[0], by_field[-1])
        )
    unscored = [u for u in scored_units(cset=cset) if u.pk not in units]
    return SetResults(cset, summaries, results, unscored, previous, rescaled)


@dataclass
class IndexCard:
    """The dashboard's yearly card: the unit's own latest published index (`results`, `mine`)
    and the latest published set it issued for the units below it (`issued`)."""

    results: SetResults | None = None
    mine: UnitResult | None = None
    issued: SetResults | None = None

    def __bool__(self):
        return bool(self.mine or (self.issued and self.issued.units))


def index_card(*, unit: AdministrativeUnit) -> IndexCard:
    """The unit's PAR index for its dashboard: published results only."""
    card = IndexCard()
    published = Scorecard.objects.filter(unit=unit, criteria_set__status=CriteriaSet.Status.PUBLISHED)
    own = published.select_related("criteria_set__issuer").order_by("-criteria_set__year").first()
    if own is not None:
        card.results = set_results(cset=own.criteria_set)
        card.mine = card.results.for_unit(unit.pk)
    issued = CriteriaSet.objects.filter(issuer=unit, status=CriteriaSet.Status.PUBLISHED).order_by("-year", "level")
    issued = issued.select_related("issuer").first()
    if issued is not None:
        card.issued = set_results(cset=issued, with_previous=False)
    return card
