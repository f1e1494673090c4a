"""Reads of plans, tasks and targets."""

import datetime
from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser as User
from django.db.models import QuerySet
from django.utils import timezone

from indicators.models import Indicator
from plans.models import Plan, PlanTask, Target
from units import scoping
from units.models import AdministrativeUnit, Kind


def plans_visible_to(*, user: User, year: int | None = None) -> QuerySet[Plan]:
    qs = Plan.objects.filter(scoping.scope_q(user, scoping.VIEW, field="unit__path")).select_related("unit")
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "unit__path")


def plan_detail(*, plan: Plan) -> dict:
    """The plan's tasks (with lead units) and targets (with indicators and units): two queries."""
    tasks = list(plan.tasks.select_related("lead_unit").order_by("deadline", "pk"))
    today = timezone.localdate()
    for task in tasks:
        task.overdue = task.is_overdue(today)
    targets = list(plan.targets.select_related("indicator", "unit").order_by("indicator__display_order", "level"))
    return {"tasks": tasks, "targets": targets, "overdue_count": sum(t.overdue for t in tasks)}


def overdue_tasks(*, unit: AdministrativeUnit, today: datetime.date | None = None) -> QuerySet[PlanTask]:
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


def targets_for(
    *, units: Iterable[AdministrativeUnit], indicators: Iterable[Indicator | int], year: int
) -> dict[tuple[int, int], Target]:
    """The target in force for each (unit, indicator) in `year` (DESIGN.md rule 2):

    1. a target that names the unit itself, from the nearest plan that names it;
    2. else the target for the unit's level from the nearest plan above it (or its own);
    3. else none.

    Only issued plans count. One query whatever the number of units and indicators; returns
    {(unit_id, indicator_id): Target}, missing keys meaning "no target".
    """
    return targets_by_years(units_by_year={year: list(units)}, indicators=indicators)[year]


def targets_by_years(
    *, units_by_year: dict[int, list[AdministrativeUnit]], indicators: Iterable[Indicator | int]
) -> dict[int, dict[tuple[int, int], Target]]:
    """targets_for() for several years in one query: {year: [units]} → {year: {(unit_id,
    indicator_id): Target}} (a dashboard wants this year's targets for the unit and the units
    below it, and earlier years' for the unit's own trend)."""
    indicator_ids = [getattr(i, "pk", i) for i in indicators]
    plan_unit_ids = set()
    for units in units_by_year.values():
        for unit in units:
            plan_unit_ids.add(unit.pk)
            plan_unit_ids.update(unit.ancestor_ids)
    # With its indicator (target_text() writes its unit); no ordering (it would join units).
    targets = (
        Target.objects.filter(
            plan__year__in=list(units_by_year),
            plan__status=Plan.Status.ISSUED,
            plan__unit_id__in=plan_unit_ids,
            indicator_id__in=indicator_ids,
        )
        .select_related("plan", "indicator")
        .order_by()
    )
    found = {year: ({}, {}) for year in units_by_year}  # {year: (named, by_level)}
    for target in targets:
        named, by_level = found[target.plan.year]
        if target.unit_id:
            named.setdefault((target.plan.unit_id, target.unit_id), {})[target.indicator_id] = target
        else:
            by_level.setdefault((target.plan.unit_id, target.level), {})[target.indicator_id] = target
    return {year: _resolve(units_by_year[year], *found[year]) for year in units_by_year}


def _resolve(units, named, by_level):
    """named, by_level: {(plan unit, unit or level): {indicator id: Target}} of one year.

    Walk each unit's chain of plans from the farthest to the nearest, so that a nearer plan
    overrides a farther one, and named targets override level targets: the work grows with
    the targets found, not with units × indicators × ancestors (a national matrix)."""
    resolved = {}
    for unit in units:
        chain = [*unit.ancestor_ids, unit.pk]  # farthest plan first
        found = {}
        if unit.kind == Kind.COMMITTEE:
            for plan_unit in chain:
                found.update(by_level.get((plan_unit, unit.level), ()))
        for plan_unit in chain:
            found.update(named.get((plan_unit, unit.pk), ()))
        for indicator_id, target in found.items():
            resolved[(unit.pk, indicator_id)] = target
    return resolved
