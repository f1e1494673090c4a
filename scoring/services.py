"""Writes to the PAR index. Each service is the one writer of what it guards: it asks
units/scoping.py whether `user` may do this (PermissionDenied, saying why, when not, whoever
calls it: a page, a command, a test), checks that what is written is allowed now and makes
sense (ValidationError, saying why), records history with the user, and bumps the dashboards'
data version when it changes what a dashboard shows (published results)."""

import datetime
import re
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser as User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from indicators.models import Report
from indicators.services import evidence_problem
from parc.lib.cache import bump_data_version
from parc.lib.numbers import decimal_places, format_number, parse_number
from parc.lib.text import person_name
from plans.models import PlanTask
from scoring import selectors, tree
from scoring.models import Band, CriteriaSet, Criterion, Score, Scorecard, ScoreEvidence, SurveyScore
from units import scoping
from units.models import LEVEL_RANK, AdministrativeUnit

REASON_MAX = 100  # django-simple-history's history_change_reason column

# {leaf criterion id: (points or None, text)} as a scorecard's form sends them.
Entries = dict[int, tuple[Decimal | None, str]]

# ---------------------------------------------------------------------------------------------
# Criteria sets


def _n(value):
    return format_number(value, 2)


def _as(obj, user, reason=None):
    """`obj`, its next history row to be recorded with `user` (also outside a request)."""
    obj._history_user = user
    if reason:
        obj._change_reason = reason if len(reason) <= REASON_MAX else reason[: REASON_MAX - 1] + "…"
    return obj


@transaction.atomic
def criteria_set_save(*, user: User, cset: CriteriaSet, bands: list[tuple[str, Decimal]] | None = None) -> CriteriaSet:
    """Create or change a set (and its bands, when given): by reviewers of its issuer, who must be
    a province or district people's committee."""
    if cset.pk:
        stored = CriteriaSet.objects.select_for_update().select_related("issuer").get(pk=cset.pk)
        scoping.require_issuer_reviewer(user, stored.issuer)
    if cset.issuer_id:
        scoping.require_issuer(user, cset.issuer)
    cset.full_clean()
    if LEVEL_RANK[cset.level] <= LEVEL_RANK[cset.issuer.level]:
        raise ValidationError({"level": _("A set scores units below its issuer.")})
    if cset.pk:
        stored = CriteriaSet.objects.get(pk=cset.pk)
        frozen = ("issuer_id", "year", "level", "total_maximum", "survey")
        if stored.status != CriteriaSet.Status.DRAFT and any(getattr(stored, f) != getattr(cset, f) for f in frozen):
            raise ValidationError(
                _(
                    "Once issued, a set's unit, year, level, total and survey cannot change; only its title, decision and due date."
                )
            )
    _as(cset, user).save()
    if bands is not None:
        bands_replace(user=user, cset=cset, bands=bands)
    bump_data_version()  # a published set's title shows on the dashboards' yearly card
    return cset


def parse_bands(text: str) -> list[tuple[str, Decimal]]:
    """ "Tốt: 80\\nKhá: 65" (one band per line, "label: from %") → [("Tốt", 80), ("Khá", 65)]."""
    bands = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        label, sep, value = line.rpartition(":")
        if not sep:
            label, sep, value = line.rpartition("≥")
        try:
            minimum = parse_number(value.replace("%", "").strip())
        except ValueError:
            minimum = None
        if not label.strip() or minimum is None:
            raise ValidationError(
                _("Line %(line)s: write a band as “label: from %%”, e.g. “Tốt: 80”.") % {"line": number}
            )
        bands.append((label.strip(), minimum))
    if not bands:
        raise ValidationError(_("Give at least one band, e.g. “Tốt: 80”."))
    labels = [b[0] for b in bands]
    minima = [b[1] for b in bands]
    if len(set(labels)) != len(labels):
        raise ValidationError(_("Each band needs its own name."))
    if len(set(minima)) != len(minima):
        raise ValidationError(_("Two bands cannot start at the same percentage."))
    if any(not 0 <= m <= 100 for m in minima):
        raise ValidationError(_("A band starts between 0 and 100 %."))
    if any(decimal_places(m) > 2 for m in minima):
        raise ValidationError(_("A band starts at a percentage with at most two decimals."))
    return bands


def bands_text(cset: CriteriaSet) -> str:
    return "\n".join(f"{b.label}: {format_number(b.minimum_percent)}" for b in cset.bands.all())


@transaction.atomic
def bands_replace(*, user: User, cset: CriteriaSet, bands: list[tuple[str, Decimal]]) -> None:
    scoping.require_issuer_reviewer(user, cset.issuer)
    if [(b.label, b.minimum_percent) for b in cset.bands.all()] == [(label, Decimal(m)) for label, m in bands]:
        return  # unchanged (the set's form sends its bands with every save)
    if cset.status != CriteriaSet.Status.DRAFT:
        raise ValidationError(_("The set is issued: its bands are fixed, as its criteria are."))
    cset.bands.all().delete()
    Band.objects.bulk_create(Band(criteria_set=cset, label=label, minimum_percent=m) for label, m in bands)


def _nodes_of(cset):
    return [
        tree.Node(c.code, c.title, c.maximum, c.survey_maximum, c.guidance) for c in cset.criteria.order_by("position")
    ]


def criteria_set_problems(*, cset: CriteriaSet) -> list[str]:
    """What keeps the stored set from being issued, each naming its branch."""
    found = tree.problems(_nodes_of(cset), cset.total_maximum)
    if not cset.bands.exists():
        found.append(_("The set has no classification bands yet."))
    return found


@transaction.atomic
def criteria_replace(*, user: User, cset: CriteriaSet, nodes: list[tree.Node], reason: str = "") -> list[Criterion]:
    """Replace a draft set's criteria by `nodes` (tree.Node), all or nothing. Each criterion
    removed and created, and the set itself, get a history row with the user and `reason`
    (e.g. "criteria imported from tieu-chi.xlsx: 7 criteria")."""
    scoping.require_issuer_reviewer(user, cset.issuer)
    _lock_set(cset)
    if cset.status != CriteriaSet.Status.DRAFT:
        raise ValidationError(_("Only a draft set's criteria can be replaced."))
    problems = tree.problems(nodes, cset.total_maximum)
    if problems:
        raise ValidationError(problems)
    reason = reason or _("criteria replaced: %(count)s criteria") % {"count": len(nodes)}
    # One by one, children first, so that each removal is recorded with the user (a queryset's
    # delete() records it without); a draft has no scores yet, so nothing else goes with them.
    for old in reversed(list(cset.criteria.order_by("position"))):
        _as(old, user, reason).delete()
    fields, _problems = tree.build(nodes)
    created = {}
    for position, node in enumerate(tree.in_tree_order(fields)):  # a parent before its children
        criterion = Criterion(
            criteria_set=cset,
            parent=created.get(node.parent_code),
            code=node.code,
            title=node.title,
            maximum=node.maximum,
            survey_maximum=node.survey_maximum or Decimal(0),
            guidance=node.guidance,
            position=position,
        )
        _as(criterion, user, reason).save()
        created[node.code] = criterion
    # The set's own history says who replaced its criteria, and from where (its row unchanged).
    _as(CriteriaSet.objects.get(pk=cset.pk), user, reason).save()
    return list(created.values())


@transaction.atomic
def criteria_import(
    *, user: User, cset: CriteriaSet, nodes: list[tree.Node], bands: list[tuple[str, Decimal]], source: str
) -> list[Criterion]:
    """A spreadsheet's criteria (and bands, when it has them) replace a draft set's, all or
    nothing; the history names the file."""
    reason = _("criteria imported from %(file)s: %(count)s criteria") % {"file": source, "count": len(nodes)}
    created = criteria_replace(user=user, cset=cset, nodes=nodes, reason=reason)
    if bands:
        bands_replace(user=user, cset=cset, bands=bands)
    return created


@transaction.atomic
def criteria_set_issue(*, user: User, cset: CriteriaSet) -> CriteriaSet:
    scoping.require_issuer_reviewer(user, cset.issuer)
    _lock_set(cset)
    if cset.status != CriteriaSet.Status.DRAFT:
        raise ValidationError(_("This set is already issued."))
    problems = criteria_set_problems(cset=cset)
    if problems:
        raise ValidationError(problems)
    cset.status = CriteriaSet.Status.ISSUED
    _as(cset, user).save(update_fields=["status"])
    existing = set(cset.scorecards.values_list("unit_id", flat=True))
    Scorecard.objects.bulk_create(
        Scorecard(criteria_set=cset, unit=unit) for unit in selectors.scored_units(cset=cset) if unit.pk not in existing
    )
    return cset


@transaction.atomic
def criteria_set_copy(*, user: User, source: CriteriaSet, year: int | None = None) -> CriteriaSet:
    """Next year's draft from this set: the same issuer, level, maxima, bands and criteria."""
    scoping.require_issuer_reviewer(user, source.issuer)
    year = year or source.year + 1
    if CriteriaSet.objects.filter(issuer=source.issuer, year=year, level=source.level).exists():
        raise ValidationError(
            _("%(unit)s already has a set for %(year)s at this level.") % {"unit": source.issuer.name, "year": year}
        )
    due = source.self_assessment_due
    try:
        due = due.replace(year=due.year + (year - source.year))
    except ValueError:  # 29 February
        due = due.replace(day=28, year=due.year + (year - source.year))
    copy = CriteriaSet(
        issuer=source.issuer,
        year=year,
        level=source.level,
        title=re.sub(rf"\b{source.year}\b", str(year), source.title)
        if str(source.year) in source.title
        else f"{source.title} ({year})",
        total_maximum=source.total_maximum,
        survey=source.survey,
        self_assessment_due=due,
    )
    _as(copy, user, _("copied from %(year)s") % {"year": source.year}).save()
    Band.objects.bulk_create(
        Band(criteria_set=copy, label=b.label, minimum_percent=b.minimum_percent) for b in source.bands.all()
    )
    if source.criteria.exists():
        reason = _("criteria copied from %(year)s") % {"year": source.year}
        criteria_replace(user=user, cset=copy, nodes=_nodes_of(source), reason=reason)
    return copy


def _lock_set(cset: CriteriaSet) -> None:
    """Lock the set row and read its status fresh: scorecard writes lock it too, so a save and
    a publish never interleave."""
    fresh = CriteriaSet.objects.select_for_update().get(pk=cset.pk)
    cset.status, cset.published_at, cset.reopen_reason = fresh.status, fresh.published_at, fresh.reopen_reason


@transaction.atomic
def criteria_set_publish(*, user: User, cset: CriteriaSet) -> CriteriaSet:
    """Publish the results of the whole set at once: every unit appraised, every survey point in."""
    scoping.require_issuer_reviewer(user, cset.issuer)
    _lock_set(cset)
    if not cset.accepts_scores:
        raise ValidationError(_("Only an issued or reopened set can be published."))
    units = list(selectors.scored_units(cset=cset))
    appraised = set(cset.scorecards.filter(status=Scorecard.Status.APPRAISED).values_list("unit_id", flat=True))
    missing = [u.name for u in units if u.pk not in appraised]
    problems = []
    if missing:
        problems.append(
            _("Not yet appraised (%(count)s): %(units)s.") % {"count": len(missing), "units": ", ".join(missing[:20])}
        )
    if cset.survey:
        survey_leaves = list(cset.criteria.filter(children__isnull=True, survey_maximum__gt=0))
        have = set(SurveyScore.objects.filter(criteria_set=cset).values_list("unit_id", "criterion_id"))
        lacking = sorted({u.name for u in units for c in survey_leaves if (u.pk, c.pk) not in have})
        if lacking:
            problems.append(
                _("Survey points missing for (%(count)s): %(units)s. Enter them, or untick the survey to rescale.")
                % {"count": len(lacking), "units": ", ".join(lacking[:20])}
            )
    if problems:
        raise ValidationError(problems)
    cset.status = CriteriaSet.Status.PUBLISHED
    cset.published_at = timezone.now()
    _as(cset, user).save(update_fields=["status", "published_at"])
    bump_data_version()  # the dashboards' yearly card shows published results
    return cset


@transaction.atomic
def criteria_set_reopen(*, user: User, cset: CriteriaSet, reason: str) -> CriteriaSet:
    scoping.require_issuer_reviewer(user, cset.issuer)
    _lock_set(cset)
    if not cset.is_published:
        raise ValidationError(_("Only published results can be reopened."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the results are reopened: the units will read it.")})
    cset.status = CriteriaSet.Status.REOPENED
    cset.reopen_reason = reason.strip()
    _as(cset, user).save(update_fields=["status", "reopen_reason"])
    bump_data_version()  # the published card leaves the dashboards until published again
    return cset


# ---------------------------------------------------------------------------------------------
# Scorecards


@transaction.atomic
def scorecard_get(*, user: User, cset: CriteriaSet, unit: AdministrativeUnit) -> Scorecard:
    """The unit's scorecard in the set (created on first use for a unit added after issue), for
    those who write on it: the unit's editors and the issuer's reviewers."""
    scoping.require_scored_writer(user, cset.issuer, unit)
    if not selectors.scored_units(cset=cset).filter(pk=unit.pk).exists():
        raise ValidationError(_("%(unit)s is not scored by this set.") % {"unit": unit.name})
    card = Scorecard.objects.filter(criteria_set=cset, unit=unit).first()
    if card is None:
        card = _as(Scorecard(criteria_set=cset, unit=unit), user)
        card.save()
    return card


class ScorecardConflict(ValidationError):
    """Someone saved the scorecard after the form was drawn."""


def _lock(scorecard, version=None):
    """Lock the set and the scorecard for this write and read both fresh (a publish or another
    save may have come since the page was drawn); refuse when the form's `version` is stale."""
    scorecard.criteria_set = CriteriaSet.objects.select_for_update().get(pk=scorecard.criteria_set_id)
    fresh = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    for name in ("status", "submitted_at", "return_reason", "version"):
        setattr(scorecard, name, getattr(fresh, name))
    if version is not None and version != scorecard.version:
        last = scorecard.history.select_related("history_user").first()
        who = person_name(last.history_user if last else None)
        raise ScorecardConflict(
            _(
                "%(who)s saved this scorecard at %(time)s, after you opened it. Nothing of yours was saved: "
                "your entries are kept below, the saved scores beside them. Check them and save again."
            )
            % {
                "who": who,
                "time": date_format(timezone.localtime(last.history_date), "SHORT_DATETIME_FORMAT") if last else "—",
            }
        )


def _saved(scorecard, user, *fields):
    """Save the scorecard's changed fields with one more version."""
    scorecard.version += 1
    _as(scorecard, user).save(update_fields=[*fields, "version"])


def self_assessment_refusal(*, scorecard: Scorecard, today: datetime.date | None = None) -> str | None:
    """Why the unit cannot change its self-assessment now, or None."""
    cset = scorecard.criteria_set
    today = today or timezone.localdate()
    if cset.status == CriteriaSet.Status.DRAFT:
        return _("The criteria set is not issued yet.")
    if not cset.accepts_scores:
        return _("The results are published: a reviewer must reopen them, with a reason, before anything changes.")
    if scorecard.status in (Scorecard.Status.SUBMITTED, Scorecard.Status.APPRAISED):
        return _("The self-assessment has been submitted: a reviewer can return it for changes.")
    if scorecard.status == Scorecard.Status.DRAFT and today > cset.self_assessment_due:
        return _("The self-assessment closed on %(date)s.") % {
            "date": date_format(cset.self_assessment_due, "SHORT_DATE_FORMAT")
        }
    return None


def _check_score(criterion, value, maximum, label):
    if value is None:
        return None
    if decimal_places(value) > 2:
        return _("%(code)s: points have at most two decimals (e.g. 12,25).") % {"code": criterion.code}
    if value < 0:
        return _("%(code)s: a score cannot be below 0.") % {"code": criterion.code}
    if value > maximum:
        return _("%(code)s: %(what)s %(value)s is above the maximum %(max)s.") % {
            "code": criterion.code,
            "what": label,
            "value": _n(value),
            "max": _n(maximum),
        }
    return None


def _leaves(cset):
    return {c.pk: c for c in cset.criteria.filter(children__isnull=True)}


@transaction.atomic
def scorecard_self_assess(
    *, user: User, scorecard: Scorecard, entries: Entries, version: int | None = None
) -> Scorecard:
    """Save the unit's own scores: `entries` maps a leaf criterion id to (score, explanation);
    `version` is the scorecard's version the form was drawn from."""
    scoping.require_self_assessor(user, scorecard.criteria_set.issuer, scorecard.unit)
    _lock(scorecard, version)
    refusal = self_assessment_refusal(scorecard=scorecard)
    if refusal:
        raise ValidationError(refusal)
    leaves = _leaves(scorecard.criteria_set)
    errors = {}
    for cid, (value, _text) in entries.items():
        problem = _check_score(leaves[cid], value, leaves[cid].appraised_maximum, _("the score"))
        if problem:
            errors[cid] = problem
    if errors:
        raise ValidationError(errors)
    scores = {s.criterion_id: s for s in scorecard.scores.all()}
    changed = False
    for cid, (value, text) in entries.items():
        score = scores.get(cid) or Score(scorecard=scorecard, criterion=leaves[cid])
        if (score.self_score, score.explanation) == (value, text) and (score.pk or value is None):
            continue  # unchanged: no history row, and no new version to conflict with
        score.self_score, score.explanation = value, text
        _as(score, user).save()
        changed = True
    if changed:
        _saved(scorecard, user)
    return scorecard


@transaction.atomic
def scorecard_submit(*, user: User, scorecard: Scorecard) -> Scorecard:
    scoping.require_self_assessor(user, scorecard.criteria_set.issuer, scorecard.unit)
    _lock(scorecard)
    refusal = self_assessment_refusal(scorecard=scorecard)
    if refusal:
        raise ValidationError(refusal)
    scored = set(scorecard.scores.filter(self_score__isnull=False).values_list("criterion_id", flat=True))
    missing = [
        c.code for c in _leaves(scorecard.criteria_set).values() if c.appraised_maximum > 0 and c.pk not in scored
    ]
    if missing:
        raise ValidationError(
            _("Score every criterion before submitting; missing: %(codes)s.") % {"codes": ", ".join(sorted(missing))}
        )
    scorecard.status = Scorecard.Status.SUBMITTED
    scorecard.submitted_at = timezone.now()
    _saved(scorecard, user, "status", "submitted_at")
    return scorecard


def appraisal_refusal(*, scorecard: Scorecard) -> str | None:
    cset = scorecard.criteria_set
    if not cset.accepts_scores:
        if cset.is_published:
            return _("The results are published: reopen them, with a reason, to change a score.")
        return _("The criteria set is not issued yet.")
    if scorecard.status not in (Scorecard.Status.SUBMITTED, Scorecard.Status.APPRAISED):
        return _("The unit has not submitted its self-assessment yet.")
    return None


@transaction.atomic
def scorecard_appraise(*, user: User, scorecard: Scorecard, entries: Entries, version: int | None = None) -> Scorecard:
    """Save appraised scores: `entries` maps a leaf criterion id to (score, reason). A reason is
    needed wherever the appraised score differs from the unit's. The scorecard is appraised once
    every scorable leaf has an appraised score."""
    scoping.require_issuer_reviewer(user, scorecard.criteria_set.issuer)
    _lock(scorecard, version)
    refusal = appraisal_refusal(scorecard=scorecard)
    if refusal:
        raise ValidationError(refusal)
    leaves = _leaves(scorecard.criteria_set)
    scores = {s.criterion_id: s for s in scorecard.scores.all()}
    errors = {}
    for cid, (value, reason) in entries.items():
        criterion = leaves[cid]
        problem = _check_score(criterion, value, criterion.appraised_maximum, _("the appraised score"))
        own = scores[cid].self_score if cid in scores else None
        if not problem and value is not None and value != own and not (reason or "").strip():
            problem = _("%(code)s: say why the appraised score differs from the unit's (%(own)s).") % {
                "code": criterion.code,
                "own": _n(own) if own is not None else "—",
            }
        if problem:
            errors[cid] = problem
    if errors:
        raise ValidationError(errors)
    changed = False
    for cid, (value, reason) in entries.items():
        score = scores.get(cid) or Score(scorecard=scorecard, criterion=leaves[cid])
        reason = (reason or "").strip()
        if (score.appraised_score, score.appraisal_reason) == (value, reason) and (score.pk or value is None):
            continue
        score.appraised_score, score.appraisal_reason = value, reason
        _as(score, user).save()
        scores[cid] = score
        changed = True
    complete = all(
        cid in scores and scores[cid].appraised_score is not None
        for cid, c in leaves.items()
        if c.appraised_maximum > 0
    )
    status = Scorecard.Status.APPRAISED if complete else Scorecard.Status.SUBMITTED
    if changed or status != scorecard.status:
        scorecard.status = status
        _saved(scorecard, user, "status")
    return scorecard


@transaction.atomic
def scorecard_return(*, user: User, scorecard: Scorecard, reason: str) -> Scorecard:
    scoping.require_issuer_reviewer(user, scorecard.criteria_set.issuer)
    _lock(scorecard)
    if not scorecard.criteria_set.accepts_scores:
        raise ValidationError(_("The results are published: reopen them before returning a scorecard."))
    if scorecard.status not in (Scorecard.Status.SUBMITTED, Scorecard.Status.APPRAISED):
        raise ValidationError(_("Only a submitted scorecard can be returned."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say what the unit should add or fix.")})
    scorecard.status = Scorecard.Status.RETURNED
    scorecard.return_reason = reason.strip()
    _saved(scorecard, user, "status", "return_reason")
    return scorecard


# ---------------------------------------------------------------------------------------------
# Evidence


@transaction.atomic
def evidence_add(
    *,
    user: User,
    scorecard: Scorecard,
    criterion: Criterion,
    upload: UploadedFile | None = None,
    report: Report | None = None,
    task: PlanTask | None = None,
) -> ScoreEvidence:
    """Attach a file, or a report or plan task of the same year already in PARC, to a leaf."""
    scoping.require_self_assessor(user, scorecard.criteria_set.issuer, scorecard.unit)
    _lock(scorecard)
    refusal = self_assessment_refusal(scorecard=scorecard)
    if refusal:
        raise ValidationError(refusal)
    if upload is not None:
        problem = evidence_problem(upload)
        if problem:
            raise ValidationError(problem)
    year, unit = scorecard.criteria_set.year, scorecard.unit
    if criterion.criteria_set_id != scorecard.criteria_set_id or criterion.children.exists():
        raise ValidationError(
            _("Evidence is attached to a criterion of this scorecard's set that has no sub-criteria.")
        )
    if report is not None and (report.unit_id != unit.pk or report.period.year != year):
        raise ValidationError(_("Only the unit's own reports of %(year)s can be evidence here.") % {"year": year})
    if task is not None and (task.plan.year != year or task.plan.unit_id not in [*unit.ancestor_ids, unit.pk]):
        raise ValidationError(
            _("Only tasks of %(year)s plans of the unit or a unit above it can be evidence here.") % {"year": year}
        )
    score = Score.objects.filter(scorecard=scorecard, criterion=criterion).first()
    if score is None:
        score = _as(Score(scorecard=scorecard, criterion=criterion), user)
        score.save()
    if upload is not None:
        name = upload.name
    elif report is not None:
        name = str(report)
    elif task is not None:
        name = str(task)
    else:
        raise ValidationError(_("Choose a file, a report or a plan task."))
    item = ScoreEvidence(score=score, file=upload or "", name=name[:200], report=report, task=task, added_by=user)
    item.full_clean(exclude=["file"] if upload is None else None)
    _as(item, user).save()
    return item


@transaction.atomic
def evidence_delete(*, user: User, item: ScoreEvidence) -> None:
    scorecard = item.score.scorecard
    scoping.require_self_assessor(user, scorecard.criteria_set.issuer, scorecard.unit)
    _lock(scorecard)
    refusal = self_assessment_refusal(scorecard=scorecard)
    if refusal:
        raise ValidationError(refusal)
    _as(item, user).delete()
    if item.file:
        # The file goes only once the row's removal is committed: a rollback keeps both.
        storage, name = item.file.storage, item.file.name
        transaction.on_commit(lambda: storage.delete(name))


# ---------------------------------------------------------------------------------------------
# Survey points


def survey_refusal(*, cset: CriteriaSet) -> str | None:
    if not cset.accepts_scores:
        if cset.is_published:
            return _("The results are published: reopen them, with a reason, to change survey points.")
        return _("The criteria set is not issued yet.")
    if not cset.survey:
        return _("This set has no survey this year.")
    return None


@transaction.atomic
def survey_save(*, user: User, cset: CriteriaSet, entries: dict[tuple[int, int], Decimal | None]) -> None:
    """`entries` maps (unit id, criterion id) to points or None (clears them)."""
    scoping.require_issuer_reviewer(user, cset.issuer)
    _lock_set(cset)
    refusal = survey_refusal(cset=cset)
    if refusal:
        raise ValidationError(refusal)
    criteria = {c.pk: c for c in cset.criteria.filter(children__isnull=True, survey_maximum__gt=0)}
    unit_ids = set(selectors.scored_units(cset=cset).values_list("pk", flat=True))
    errors = {}
    for (unit_id, cid), value in entries.items():
        if cid not in criteria or unit_id not in unit_ids:
            errors[(unit_id, cid)] = _("This unit or criterion has no survey points in the set.")
            continue
        problem = _check_score(criteria[cid], value, criteria[cid].survey_maximum, _("the survey points"))
        if problem:
            errors[(unit_id, cid)] = problem
    if errors:
        raise ValidationError({f"{u}-{c}": m for (u, c), m in errors.items()})
    stored = {(s.unit_id, s.criterion_id): s for s in SurveyScore.objects.filter(criteria_set=cset)}
    for (unit_id, cid), value in entries.items():
        row = stored.get((unit_id, cid))
        if value is None:
            if row:
                _as(row, user).delete()
        elif row is None:
            _as(SurveyScore(criteria_set=cset, unit_id=unit_id, criterion_id=cid, points=value), user).save()
        elif row.points != value:
            row.points = value
            _as(row, user).save()
