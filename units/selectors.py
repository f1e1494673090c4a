"""Reads of the unit register. Scope (who may see what) comes from units.scoping."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from parc.lib.text import fold
from units import scoping
from units.models import AdministrativeUnit, Level, Membership, UnitSuccession


def unit_by_code(*, code: str, on: datetime.date | None = None, level: str | None = None) -> AdministrativeUnit | None:
    """The unit holding `code` on the day `on` (today by default), or None."""
    qs = AdministrativeUnit.objects.filter(code=code).valid_on(on or timezone.localdate())
    if level:
        qs = qs.filter(level=level)
    return qs.first()


def unit_directory(
    *,
    user: AbstractBaseUser,
    query: str = "",
    level: str = "",
    province: AdministrativeUnit | None = None,
    include_former: bool = False,
) -> QuerySet[AdministrativeUnit]:
    """Units the user may see, searched by name or code without accents, for the directory."""
    qs = scoping.units_visible_to(user).select_related("parent")
    if not include_former:
        qs = qs.valid_on(timezone.localdate())
    if query:
        for word in fold(query).split():
            qs = qs.filter(search_name__contains=word)
    if level:
        qs = qs.filter(level=level)
    if province is not None:
        qs = qs.subtree_of(province)
    return qs.order_by("path")


def provinces_visible_to(*, user: AbstractBaseUser) -> QuerySet[AdministrativeUnit]:
    """Provinces a user may filter the directory by: those in scope, and those containing it."""
    paths = scoping.scope_paths(user, scoping.VIEW)
    qs = AdministrativeUnit.objects.filter(level=Level.PROVINCE, kind="committee")
    if paths is not None:
        ancestor_ids = {int(p) for path in paths for p in path.split("/") if p}
        qs = qs.filter(scoping.scope_q(user) | Q(pk__in=ancestor_ids))
    return qs.order_by("name")


def unit_breadcrumbs(*, unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """The unit's ancestors from the root down: one query on the ids in its path."""
    ids = unit.ancestor_ids
    by_id = AdministrativeUnit.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def unit_children(*, unit: AdministrativeUnit, include_former: bool = False) -> QuerySet[AdministrativeUnit]:
    qs = unit.children.annotate(child_count=Count("children"))
    if not include_former:
        qs = qs.valid_on(timezone.localdate())
    return qs.order_by("kind", "name")


def unit_successions(*, unit: AdministrativeUnit) -> dict[str, list[UnitSuccession]]:
    """What the unit came from and what it became."""
    related = ("predecessors", "successors")
    return {
        "came_from": list(UnitSuccession.objects.filter(successors=unit).prefetch_related(*related)),
        "became": list(UnitSuccession.objects.filter(predecessors=unit).prefetch_related(*related)),
    }


def unit_members(*, unit: AdministrativeUnit) -> QuerySet[Membership]:
    """Memberships held on the unit or any unit above it (they all apply here)."""
    ids = [*unit.ancestor_ids, unit.pk]
    return Membership.objects.filter(unit_id__in=ids).select_related("user", "unit").order_by("unit__path", "role")


def memberships_of(*, user: AbstractBaseUser) -> list[Membership]:
    return scoping.memberships(user)


@dataclass
class UnitChange:
    """One row of a unit's history: when, who, why, and each field as it was and became."""

    date: datetime.datetime
    user: AbstractBaseUser | None
    kind: str  # "+" created, "~" changed, "-" deleted
    reason: str
    fields: list[tuple[str, object, object]]  # (label, old, new)


def unit_changes(*, unit: AdministrativeUnit, limit: int = 10) -> list[UnitChange]:
    """The unit's latest changes, newest first: two queries (the history rows with their users,
    the parent units they name), whatever the number of rows."""
    rows = list(AdministrativeUnit.history.filter(id=unit.pk).select_related("history_user")[: limit + 1])
    parent_ids = {row.parent_id for row in rows if row.parent_id}
    parents = AdministrativeUnit.objects.in_bulk(parent_ids) if parent_ids else {}
    opts = AdministrativeUnit._meta

    def shown(name, value):
        if name == "parent":
            return parents[value].name if value in parents else value
        return value

    changes = []
    for row, older in zip(rows[:limit], [*rows[1:], None], strict=False):
        fields = []
        if row.history_type == "~" and older is not None:
            for c in row.diff_against(older).changes:
                label = opts.get_field(c.field).verbose_name
                fields.append((label, shown(c.field, c.old), shown(c.field, c.new)))
        changes.append(
            UnitChange(row.history_date, row.history_user, row.history_type, row.history_change_reason or "", fields)
        )
    return changes
