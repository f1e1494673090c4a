"""Writes to plans, tasks and targets. Views check who may call them (units.scoping);
these check that what is written makes sense."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from indicators.models import IndicatorKind
from plans.models import Plan, Target
from units.models import LEVEL_RANK


@transaction.atomic
def plan_save(*, plan):
    plan.full_clean()
    if plan.status == Plan.Status.ISSUED and not (plan.decision_number and plan.decision_date):
        raise ValidationError(
            {"status": _("An issued plan needs its decision number and date (e.g. 435/QĐ-UBND, 31/01/2023).")}
        )
    if plan.decision_date and plan.decision_date.year not in (plan.year - 1, plan.year):
        raise ValidationError(
            {
                "decision_date": _("A plan for %(year)s is decided in %(year)s or late in the year before.")
                % {"year": plan.year}
            }
        )
    plan.save()
    return plan


@transaction.atomic
def task_save(*, task):
    task.full_clean()
    if task.lead_unit_id and not task.lead_unit.path.startswith(task.plan.unit.path):
        raise ValidationError({"lead_unit": _("The lead unit must be the plan's unit or a unit below it.")})
    task.save()
    return task


@transaction.atomic
def task_delete(*, task):
    task.delete()


def target_validate(*, target):
    errors = {}
    plan_unit = target.plan.unit
    if target.unit_id and not target.unit.path.startswith(plan_unit.path):
        errors["unit"] = _("A plan can set targets only for its own unit and the units below it.")
    if target.level and LEVEL_RANK[target.level] < LEVEL_RANK[plan_unit.level]:
        errors["level"] = _("A plan can set targets only for its own level and the levels below it.")
    if target.unit_id and target.level:
        errors["level"] = _("Choose either one unit or a whole level, not both.")
    if not target.unit_id and not target.level:
        errors["level"] = _("Choose whom the target applies to: one unit or every unit of a level.")
    if target.indicator_id:
        indicator = target.indicator
        if target.level and not indicator.applies_to(target.level):
            errors["indicator"] = _("Units of this level do not report this indicator.")
        if indicator.kind in (IndicatorKind.RATIO, IndicatorKind.PERCENT) and target.value is not None:
            if not 0 <= target.value <= 100:
                errors["value"] = _("A percentage target lies between 0 and 100.")
    if target.value is not None and target.value < 0:
        errors["value"] = _("A target cannot be negative.")
    duplicate = Target.objects.filter(plan=target.plan, indicator_id=target.indicator_id).exclude(pk=target.pk)
    duplicate = duplicate.filter(unit=target.unit) if target.unit_id else duplicate.filter(level=target.level)
    if target.indicator_id and duplicate.exists():
        errors.setdefault("indicator", _("This plan already has a target for this indicator and these units."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def target_save(*, target):
    target.full_clean(validate_constraints=False)  # target_validate says why, in words
    target_validate(target=target)
    target.save()
    return target


@transaction.atomic
def target_delete(*, target):
    target.delete()
