from django import template

from indicators.display import figure_text
from parc.lib.numbers import format_number, format_percent

register = template.Library()


@register.filter
def vn_number(value, decimals=None):
    """{{ 257141|vn_number }} → 257.141; {{ rate|vn_number:2 }} → 99,12; missing → —"""
    text = format_number(value, None if decimals in (None, "") else int(decimals))
    return text or "—"


@register.filter
def vn_percent(value, decimals=2):
    """{{ rate|vn_percent }} → 99,12 %; missing → —"""
    return format_percent(value, int(decimals)) or "—"


@register.filter
def figure(value, indicator):
    """{{ r.figure|figure:r.indicator }} → "13 sáng kiến", "98,40 %", "4,61 ngày"; missing → —
    (indicators.display: the one answer to how a figure of an indicator is written)."""
    return figure_text(indicator, value)


@register.filter
def set_figure(value, indicator):
    """{{ ind.maximum|set_figure:ind }} → "365 ngày": a value people set (a target, a bound), with
    the decimals it has rather than the figure's fixed two."""
    return figure_text(indicator, value, exact=True)
