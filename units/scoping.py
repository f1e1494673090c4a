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

from units.models import AdministrativeUnit, Kind, Level, Membership, Role

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


# ---------------------------------------------------------------------------------------------
# Things a unit issues for the units of a level below it (a PAR index criteria set, a plan …).
# The apps above pass units and flags, never their own objects: units/ imports nothing above it.


def require(user, action, unit) -> None:
    """Raise PermissionDenied, saying why, unless `user` may do `action` on `unit`: the service's
    form of get_unit_for(), for writes whose object is already at hand."""
    if not can(user, VIEW, unit):
        raise PermissionDenied(REFUSALS[VIEW])
    if not can(user, action, unit):
        raise PermissionDenied(REFUSALS[action])


def touches(user, unit) -> bool:
    """The user belongs to `unit`, a unit above it or a unit below it (as a viewer or more)."""
    paths = scope_paths(user, VIEW)
    return paths is None or any(p.startswith(unit.path) or unit.path.startswith(p) for p in paths)


def can_manage_issued(user, issuer) -> bool:
    """Reviewers of the issuer (or above it) edit what it issues, appraise, publish and reopen."""
    return can(user, REVIEW, issuer)


def require_issuer_reviewer(user, issuer) -> None:
    if not can_manage_issued(user, issuer):
        raise PermissionDenied(_("Only reviewers of %(unit)s can do this.") % {"unit": issuer.name})


def can_see_issued(user, issuer, *, draft: bool) -> bool:
    """What a unit issues is seen by everyone concerned (its side, and the units above and below
    it) once issued; a draft only by the issuer's reviewers."""
    return can_manage_issued(user, issuer) if draft else touches(user, issuer)


def can_see_issued_results(user, issuer, *, draft: bool, published: bool) -> bool:
    """Before publishing only the issuer's reviewers see the whole table of results; afterwards
    everyone concerned (a province's results, for each of its units)."""
    return can_manage_issued(user, issuer) or (published and can_see_issued(user, issuer, draft=draft))


def can_see_scored(user, issuer, unit) -> bool:
    """A unit's working papers (its scorecard, evidence): the unit's side and the issuer's
    reviewers, not the other units scored alongside it."""
    return can_manage_issued(user, issuer) or can(user, VIEW, unit)


def can_self_assess(user, issuer, unit) -> bool:
    """Editors of the unit (or above) write its own scores, but not the issuer's reviewers: the
    appraisers do not write what they appraise."""
    return can(user, EDIT, unit) and not can_manage_issued(user, issuer)


def require_self_assessor(user, issuer, unit) -> None:
    if can_manage_issued(user, issuer) and can(user, VIEW, unit):
        raise PermissionDenied(
            _("Reviewers of %(unit)s appraise the units' scores; the units write their own.") % {"unit": issuer.name}
        )
    require(user, EDIT, unit)


def require_scored_writer(user, issuer, unit) -> None:
    """Either side may write on a unit's scorecard: its editors, or the issuer's reviewers."""
    if not can_manage_issued(user, issuer):
        require(user, EDIT, unit)


def scored_q(user, issuer, field="path") -> Q:
    """The units scored by `issuer` whose working papers `user` may see (see can_see_scored)."""
    return Q() if can_manage_issued(user, issuer) else scope_q(user, VIEW, field)


def issued_visible_q(user, *, field: str, draft: Q) -> Q:
    """Rows issued by the unit at `field` (e.g. "issuer") that `user` may see: those issued at,
    below or above the user's units; rows matching `draft` only for the issuer's reviewers."""
    paths = scope_paths(user, VIEW)
    if paths is None:
        return Q()
    if not paths:
        return Q(pk__in=[])
    q = scope_q(user, VIEW, field=f"{field}__path")  # issued at or below the user's units
    for path in paths:
        q |= Q(**{f"{field}_id__in": [int(pk) for pk in path.strip("/").split("/")]})  # issued above them
    return q & ~(draft & ~scope_q(user, REVIEW, field=f"{field}__path"))


def issuers_for(user):
    """The units `user` may issue for the units below them: committees above the commune level
    that they review."""
    return units_reviewable_by(user).filter(kind=Kind.COMMITTEE).exclude(level=Level.COMMUNE)


def require_issuer(user, issuer) -> None:
    """`user` may issue for the units below `issuer` (see issuers_for)."""
    require_issuer_reviewer(user, issuer)
    if issuer.kind != Kind.COMMITTEE or issuer.level == Level.COMMUNE:
        raise PermissionDenied(_("Only a province or district people's committee issues criteria sets."))
