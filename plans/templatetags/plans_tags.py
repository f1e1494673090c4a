from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def target_text(target):
    """ "≥ 55 %", "≤ 7 ngày", "≥ 1 sáng kiến" (Target.text); nothing for no target."""
    return "" if target is None else target.text


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
