"""Writes to plans, tasks and targets. Each service is the one writer of what it guards: it asks
units/scoping.py whether `user` may do this (plans, tasks and targets are changed by reviewers
of the plan's unit or a unit above it; PermissionDenied, saying why, otherwise — whoever calls
it), checks that what is written makes sense, records history with the user, and bumps the
dashboards' data version (they show plans' targets and overdue tasks)."""

from django.contrib.auth.base_user import AbstractBaseUser as User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from indicators.models import IndicatorKind
from parc.lib.cache import bump_data_version
from plans.models import Plan, PlanTask, Target
from units import scoping
from units.models import LEVEL_RANK


def _as(obj, user):
    """`obj`, its next history row to be recorded with `user` (also outside a request)."""
    obj._history_user = user
    return obj


def _require_plan_reviewer(user, plan: Plan) -> None:
    """Reviewers of the plan's unit, as stored and as it would be saved (a plan cannot be moved
    out of the reviewer's reach, nor into it)."""
    if plan.pk:
        stored = Plan.objects.select_for_update().select_related("unit").get(pk=plan.pk)
        scoping.require(user, scoping.REVIEW, stored.unit)
    if plan.unit_id:
        scoping.require(user, scoping.REVIEW, plan.unit)


def _require_part_reviewer(user, part: PlanTask | Target) -> None:
    """A task or target: reviewers of its plan's unit, and of the plan it was on before."""
    if part.pk:
        stored = type(part).objects.select_related("plan__unit").get(pk=part.pk)
        scoping.require(user, scoping.REVIEW, stored.plan.unit)
    _require_plan_reviewer(user, part.plan)


@transaction.atomic
def plan_save(*, user: User, plan: Plan) -> Plan:
    _require_plan_reviewer(user, plan)
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
    _as(plan, user).save()
    bump_data_version()
    return plan


@transaction.atomic
def task_save(*, user: User, task: PlanTask) -> PlanTask:
    _require_part_reviewer(user, task)
    task.full_clean()
    if task.lead_unit_id and not task.lead_unit.path.startswith(task.plan.unit.path):
        raise ValidationError({"lead_unit": _("The lead unit must be the plan's unit or a unit below it.")})
    _as(task, user).save()
    bump_data_version()
    return task


@transaction.atomic
def task_delete(*, user: User, task: PlanTask) -> None:
    _require_part_reviewer(user, task)
    _as(task, user).delete()
    bump_data_version()


def target_validate(*, target: Target) -> None:
    """What makes a target wrong, in words (shared with the admin's form)."""
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
def target_save(*, user: User, target: Target) -> Target:
    _require_part_reviewer(user, target)
    target.full_clean(validate_constraints=False)  # target_validate says why, in words
    target_validate(target=target)
    _as(target, user).save()
    bump_data_version()
    return target


@transaction.atomic
def target_delete(*, user: User, target: Target) -> None:
    _require_part_reviewer(user, target)
    _as(target, user).delete()
    bump_data_version()
