"""The one place that answers: which units may this user see, edit, review?

Every view, export and import asks here; nothing filters by unit by hand. A membership's role
applies to its unit and everything below it; a reviewer may also edit and view, an editor may
also view. Staff users (administrators) may do everything everywhere.

The user's memberships (with their units) are read once per user object (one query) and kept
on it, so a request that asks several questions, and shows them in the page header, pays for
one query.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from units.models import AdministrativeUnit, Membership, Role

VIEW, EDIT, REVIEW = "view", "edit", "review"
ROLES_FOR = {
    VIEW: {Role.VIEWER, Role.EDITOR, Role.REVIEWER},
    EDIT: {Role.EDITOR, Role.REVIEWER},
    REVIEW: {Role.REVIEWER},
}
_CACHE_ATTR = "_parc_memberships"


def is_administrator(user):
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def scope_paths(user, action=VIEW):
    """The unit paths whose subtrees `user` may act on, or None for "everything" (staff)."""
    if is_administrator(user):
        return None
    if not user.is_authenticated or not user.is_active:
        return []
    paths = sorted({m.unit.path for m in memberships(user) if m.role in ROLES_FOR[action]})
    # Drop a path that lies inside another one: it adds nothing to the OR.
    kept = []
    for path in paths:
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def memberships(user):
    """The user's memberships with their units, by unit path: read once per user object."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("unit").order_by("unit__path"))
        setattr(user, _CACHE_ATTR, cached)
    return list(cached)


def forget(user):
    """Drop the cached memberships (after memberships change within one request or test)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def scope_q(user, action=VIEW, field="path"):
    """A Q object selecting rows whose unit path is in the user's scope.

    `field` is the path lookup from the filtered model: "path" for units, "unit__path" for
    rows that belong to a unit (reports, plans …).
    """
    paths = scope_paths(user, action)
    if paths is None:
        return Q()
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def units_visible_to(user):
    return AdministrativeUnit.objects.filter(scope_q(user, VIEW))


def units_editable_by(user):
    return AdministrativeUnit.objects.filter(scope_q(user, EDIT))


def units_reviewable_by(user):
    return AdministrativeUnit.objects.filter(scope_q(user, REVIEW))


def can(user, action, unit):
    """May `user` do `action` on `unit`? Costs no query beyond the cached memberships."""
    paths = scope_paths(user, action)
    return paths is None or any(unit.path.startswith(p) for p in paths)


def get_unit_for(user, pk, action=VIEW):
    """The unit, or 404 when it does not exist or lies outside what the user may see.

    Out-of-scope units answer 404, not 403, so nobody learns which units exist elsewhere. A unit
    the user may see but not `action` answers 403 with the reason, so an editor knows why a
    reviewer's button is not theirs.
    """
    unit = AdministrativeUnit.objects.filter(pk=pk).select_related("parent").first()
    if unit is None or not can(user, VIEW, unit):
        raise Http404
    if not can(user, action, unit):
        raise PermissionDenied(REFUSALS[action])
    return unit


REFUSALS = {
    VIEW: _("You do not have access to this unit."),
    EDIT: _("Only editors or reviewers of this unit can change this."),
    REVIEW: _("Only reviewers of this unit or a unit above it can do this."),
}
