from django import template
from django.utils.html import format_html

from parc.lib.numbers import format_number

register = template.Library()


@register.filter
def target_text(target):
    """ "≥ 55 %", "≤ 7 ngày", "≥ 1 sáng kiến": comparator, the value as Vietnamese write it, unit."""
    if target is None:
        return ""
    value = format_number(target.value.normalize() if target.value == target.value.to_integral() else target.value)
    unit = target.indicator.unit_of_measure
    return f"{target.get_comparator_display()} {value}{' ' + unit if unit else ''}"


@register.filter
def achievement_badge(result):
    """A coloured badge with an icon and a word: colour is never the only signal."""
    css = {"met": "success", "not_met": "danger", "no_data": "secondary", "no_target": "light"}[result.status]
    return format_html(
        '<span class="badge text-bg-{} status-{}"><span aria-hidden="true">{}</span> {}</span>',
        css,
        result.status.replace("_", "-"),
        result.icon,
        result.label,
    )
