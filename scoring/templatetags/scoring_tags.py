from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parc.lib.numbers import format_number

register = template.Library()


@register.filter
def signed(value, decimals=2):
    """10 → "+10,00", -35 → "−35,00", 0 → "0,00"; None → "—" (no figure last year)."""
    if value is None:
        return "—"
    text = format_number(abs(value), decimals)
    return f"+{text}" if value > 0 else f"−{text}" if value < 0 else text


@register.filter
def rank_change(value):
    """Places climbed since last year, in words: "up 2 places", "down 1 place", "unchanged"."""
    if value is None:
        return _("new this year")
    if value > 0:
        return ngettext("up %(n)s place", "up %(n)s places", value) % {"n": value}
    if value < 0:
        return ngettext("down %(n)s place", "down %(n)s places", -value) % {"n": -value}
    return _("unchanged")


@register.filter
def depth_class(depth):
    """Indent criteria by depth with Bootstrap's padding classes (the CSP forbids style=)."""
    return ("fw-semibold", "ps-3", "ps-5")[min(depth, 2)]
