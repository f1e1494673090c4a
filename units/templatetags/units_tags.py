from django import template

from units import scoping

register = template.Library()


@register.filter
def visible_to(unit, user):
    """{% if unit|visible_to:user %}: link a unit only when the user may open it."""
    return scoping.can(user, scoping.VIEW, unit)


@register.filter
def validity(unit):
    """ "01/07/2025 – …" for a unit's period of validity."""
    from django.utils.formats import date_format

    start = date_format(unit.valid_from, "SHORT_DATE_FORMAT") if unit.valid_from else "…"
    end = date_format(unit.valid_to, "SHORT_DATE_FORMAT") if unit.valid_to else "…"
    return f"{start} – {end}"
