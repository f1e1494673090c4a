"""Reads of plans, tasks and targets."""

from django.utils import timezone

from plans.models import Plan, PlanTask, Target
from units import scoping
from units.models import Kind


def plans_visible_to(*, user, year=None):
    qs = Plan.objects.filter(scoping.scope_q(user, scoping.VIEW, field="unit__path")).select_related("unit")
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "unit__path")


def plan_detail(*, plan):
    """The plan's tasks (with lead units) and targets (with indicators and units): two queries."""
    tasks = list(plan.tasks.select_related("lead_unit").order_by("deadline", "pk"))
    today = timezone.localdate()
    for task in tasks:
        task.overdue = task.is_overdue(today)
    targets = list(plan.targets.select_related("indicator", "unit").order_by("indicator__display_order", "level"))
    return {"tasks": tasks, "targets": targets, "overdue_count": sum(t.overdue for t in tasks)}


def overdue_tasks(*, unit, today=None):
    """Tasks of issued plans of `unit` and the units below it that are past their deadline."""
    today = today or timezone.localdate()
    return (
        PlanTask.objects.filter(
            plan__unit__path__startswith=unit.path, plan__status=Plan.Status.ISSUED, deadline__lt=today
        )
        .exclude(status__in=[PlanTask.Status.DONE, PlanTask.Status.CANCELLED])
        .select_related("plan__unit", "lead_unit")
        .order_by("deadline")
    )


def targets_for(*, units, indicators, year):
    """The target in force for each (unit, indicator) in `year` (DESIGN.md rule 2):

    1. a target that names the unit itself, from the nearest plan that names it;
    2. else the target for the unit's level from the nearest plan above it (or its own);
    3. else none.

    Only issued plans count. One query whatever the number of units and indicators; returns
    {(unit_id, indicator_id): Target}, missing keys meaning "no target".
    """
    units = list(units)
    indicator_ids = [getattr(i, "pk", i) for i in indicators]
    plan_unit_ids = {u.pk for u in units}
    for unit in units:
        plan_unit_ids.update(unit.ancestor_ids)
    targets = Target.objects.filter(
        plan__year=year,
        plan__status=Plan.Status.ISSUED,
        plan__unit_id__in=plan_unit_ids,
        indicator_id__in=indicator_ids,
    ).select_related("plan")
    named, by_level = {}, {}
    for target in targets:
        if target.unit_id:
            named[(target.plan.unit_id, target.unit_id, target.indicator_id)] = target
        else:
            by_level[(target.plan.unit_id, target.level, target.indicator_id)] = target

    resolved = {}
    for unit in units:
        chain = [unit.pk, *reversed(unit.ancestor_ids)]  # nearest plan first
        for indicator_id in indicator_ids:
            target = next((named[k] for k in ((p, unit.pk, indicator_id) for p in chain) if k in named), None)
            if target is None and unit.kind == Kind.COMMITTEE:
                keys = ((p, unit.level, indicator_id) for p in chain)
                target = next((by_level[k] for k in keys if k in by_level), None)
            if target is not None:
                resolved[(unit.pk, indicator_id)] = target
    return resolved
