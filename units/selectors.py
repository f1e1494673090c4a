"""Reads of the unit register. Scope (who may see what) comes from units.scoping."""

from django.db.models import Count, Q
from django.utils import timezone

from parc.lib.text import fold
from units import scoping
from units.models import AdministrativeUnit, Level, Membership, UnitSuccession


def unit_by_code(*, code, on=None, level=None):
    """The unit holding `code` on the day `on` (today by default), or None."""
    qs = AdministrativeUnit.objects.filter(code=code).valid_on(on or timezone.localdate())
    if level:
        qs = qs.filter(level=level)
    return qs.first()


def unit_directory(*, user, query="", level="", province=None, include_former=False):
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


def provinces_visible_to(*, user):
    """Provinces a user may filter the directory by: those in scope, and those containing it."""
    paths = scoping.scope_paths(user, scoping.VIEW)
    qs = AdministrativeUnit.objects.filter(level=Level.PROVINCE, kind="committee")
    if paths is not None:
        ancestor_ids = {int(p) for path in paths for p in path.split("/") if p}
        qs = qs.filter(scoping.scope_q(user) | Q(pk__in=ancestor_ids))
    return qs.order_by("name")


def unit_breadcrumbs(*, unit):
    """The unit's ancestors from the root down: one query on the ids in its path."""
    ids = unit.ancestor_ids
    by_id = AdministrativeUnit.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def unit_children(*, unit, include_former=False):
    qs = unit.children.annotate(child_count=Count("children"))
    if not include_former:
        qs = qs.valid_on(timezone.localdate())
    return qs.order_by("kind", "name")


def unit_successions(*, unit):
    """What the unit came from and what it became."""
    related = ("predecessors", "successors")
    return {
        "came_from": list(UnitSuccession.objects.filter(successors=unit).prefetch_related(*related)),
        "became": list(UnitSuccession.objects.filter(predecessors=unit).prefetch_related(*related)),
    }


def unit_members(*, unit):
    """Memberships held on the unit or any unit above it (they all apply here)."""
    ids = [*unit.ancestor_ids, unit.pk]
    return Membership.objects.filter(unit_id__in=ids).select_related("user", "unit").order_by("unit__path", "role")


def memberships_of(*, user):
    return scoping.memberships(user)
