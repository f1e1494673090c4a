from django import template

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
