"""Writes to the PAR index. Views check who may call them (scoring.selectors.can_*); these check
that what is written is allowed now and makes sense, and say why when it is not."""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from indicators.services import evidence_problem
from parc.lib.cache import bump_data_version
from parc.lib.numbers import decimal_places, format_number, parse_number
from parc.lib.text import person_name
from scoring import selectors, tree
from scoring.models import Band, CriteriaSet, Criterion, Score, Scorecard, ScoreEvidence, SurveyScore
from units.models import LEVEL_RANK

# ---------------------------------------------------------------------------------------------
# Criteria sets


def _n(value):
    return format_number(value, 2)


@transaction.atomic
def criteria_set_save(*, cset):
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
    cset.save()
    return cset


def parse_bands(text):
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


def bands_text(cset):
    return "\n".join(f"{b.label}: {format_number(b.minimum_percent)}" for b in cset.bands.all())


@transaction.atomic
def bands_replace(*, cset, bands):
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


def criteria_set_problems(*, cset):
    """What keeps the stored set from being issued, each naming its branch."""
    found = tree.problems(_nodes_of(cset), cset.total_maximum)
    if not cset.bands.exists():
        found.append(_("The set has no classification bands yet."))
    return found


@transaction.atomic
def criteria_replace(*, cset, nodes):
    """Replace a draft set's criteria by `nodes` (tree.Node), all or nothing."""
    if cset.status != CriteriaSet.Status.DRAFT:
        raise ValidationError(_("Only a draft set's criteria can be replaced."))
    problems = tree.problems(nodes, cset.total_maximum)
    if problems:
        raise ValidationError(problems)
    cset.criteria.all().delete()
    fields, _problems = tree.build(nodes)
    created = {}
    for position, node in enumerate(tree.in_tree_order(fields)):  # a parent before its children
        created[node.code] = Criterion.objects.create(
            criteria_set=cset,
            parent=created.get(node.parent_code),
            code=node.code,
            title=node.title,
            maximum=node.maximum,
            survey_maximum=node.survey_maximum or Decimal(0),
            guidance=node.guidance,
            position=position,
        )
    return list(created.values())


@transaction.atomic
def criteria_set_issue(*, cset):
    if cset.status != CriteriaSet.Status.DRAFT:
        raise ValidationError(_("This set is already issued."))
    problems = criteria_set_problems(cset=cset)
    if problems:
        raise ValidationError(problems)
    cset.status = CriteriaSet.Status.ISSUED
    cset.save(update_fields=["status"])
    existing = set(cset.scorecards.values_list("unit_id", flat=True))
    Scorecard.objects.bulk_create(
        Scorecard(criteria_set=cset, unit=unit) for unit in selectors.scored_units(cset=cset) if unit.pk not in existing
    )
    return cset


@transaction.atomic
def criteria_set_copy(*, source, year=None):
    """Next year's draft from this set: the same issuer, level, maxima, bands and criteria."""
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
    copy = CriteriaSet.objects.create(
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
    Band.objects.bulk_create(
        Band(criteria_set=copy, label=b.label, minimum_percent=b.minimum_percent) for b in source.bands.all()
    )
    if source.criteria.exists():
        criteria_replace(cset=copy, nodes=_nodes_of(source))
    return copy


def _lock_set(cset):
    """Lock the set row and read its status fresh: scorecard writes lock it too, so a save and
    a publish never interleave."""
    fresh = CriteriaSet.objects.select_for_update().get(pk=cset.pk)
    cset.status, cset.published_at, cset.reopen_reason = fresh.status, fresh.published_at, fresh.reopen_reason


@transaction.atomic
def criteria_set_publish(*, cset):
    """Publish the results of the whole set at once: every unit appraised, every survey point in."""
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
    cset.save(update_fields=["status", "published_at"])
    bump_data_version()  # the dashboards' yearly card shows published results
    return cset


@transaction.atomic
def criteria_set_reopen(*, cset, reason):
    _lock_set(cset)
    if not cset.is_published:
        raise ValidationError(_("Only published results can be reopened."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the results are reopened: the units will read it.")})
    cset.status = CriteriaSet.Status.REOPENED
    cset.reopen_reason = reason.strip()
    cset.save(update_fields=["status", "reopen_reason"])
    bump_data_version()
    return cset


# ---------------------------------------------------------------------------------------------
# Scorecards


def scorecard_get(*, cset, unit):
    """The unit's scorecard in the set (created on first use for a unit added after issue)."""
    card, _created = Scorecard.objects.get_or_create(criteria_set=cset, unit=unit)
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


def _saved(scorecard, *fields):
    """Save the scorecard's changed fields with one more version."""
    scorecard.version += 1
    scorecard.save(update_fields=[*fields, "version"])


def self_assessment_refusal(*, scorecard, today=None):
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
def scorecard_self_assess(*, scorecard, entries, version=None):
    """Save the unit's own scores: `entries` maps a leaf criterion id to (score, explanation);
    `version` is the scorecard's version the form was drawn from."""
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
        score.save()
        changed = True
    if changed:
        _saved(scorecard)
    return scorecard


@transaction.atomic
def scorecard_submit(*, scorecard):
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
    _saved(scorecard, "status", "submitted_at")
    return scorecard


def appraisal_refusal(*, scorecard):
    cset = scorecard.criteria_set
    if not cset.accepts_scores:
        if cset.is_published:
            return _("The results are published: reopen them, with a reason, to change a score.")
        return _("The criteria set is not issued yet.")
    if scorecard.status not in (Scorecard.Status.SUBMITTED, Scorecard.Status.APPRAISED):
        return _("The unit has not submitted its self-assessment yet.")
    return None


@transaction.atomic
def scorecard_appraise(*, scorecard, entries, version=None):
    """Save appraised scores: `entries` maps a leaf criterion id to (score, reason). A reason is
    needed wherever the appraised score differs from the unit's. The scorecard is appraised once
    every scorable leaf has an appraised score."""
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
        score.save()
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
        _saved(scorecard, "status")
    return scorecard


@transaction.atomic
def scorecard_return(*, scorecard, reason):
    _lock(scorecard)
    if not scorecard.criteria_set.accepts_scores:
        raise ValidationError(_("The results are published: reopen them before returning a scorecard."))
    if scorecard.status not in (Scorecard.Status.SUBMITTED, Scorecard.Status.APPRAISED):
        raise ValidationError(_("Only a submitted scorecard can be returned."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say what the unit should add or fix.")})
    scorecard.status = Scorecard.Status.RETURNED
    scorecard.return_reason = reason.strip()
    _saved(scorecard, "status", "return_reason")
    return scorecard


# ---------------------------------------------------------------------------------------------
# Evidence


@transaction.atomic
def evidence_add(*, scorecard, criterion, user, upload=None, report=None, task=None):
    _lock(scorecard)
    refusal = self_assessment_refusal(scorecard=scorecard)
    if refusal:
        raise ValidationError(refusal)
    if upload is not None:
        problem = evidence_problem(upload)
        if problem:
            raise ValidationError(problem)
    score, _created = Score.objects.get_or_create(scorecard=scorecard, criterion=criterion)
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
    item.save()
    return item


@transaction.atomic
def evidence_delete(*, item):
    _lock(item.score.scorecard)
    refusal = self_assessment_refusal(scorecard=item.score.scorecard)
    if refusal:
        raise ValidationError(refusal)
    if item.file:
        item.file.delete(save=False)
    item.delete()


# ---------------------------------------------------------------------------------------------
# Survey points


def survey_refusal(*, cset):
    if not cset.accepts_scores:
        if cset.is_published:
            return _("The results are published: reopen them, with a reason, to change survey points.")
        return _("The criteria set is not issued yet.")
    if not cset.survey:
        return _("This set has no survey this year.")
    return None


@transaction.atomic
def survey_save(*, cset, entries):
    """`entries` maps (unit id, criterion id) to points or None (clears them)."""
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
                row.delete()
        elif row is None:
            SurveyScore.objects.create(criteria_set=cset, unit_id=unit_id, criterion_id=cid, points=value)
        elif row.points != value:
            row.points = value
            row.save()
