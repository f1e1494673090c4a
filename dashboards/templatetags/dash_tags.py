from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from parc.lib.numbers import format_number

register = template.Library()


@register.filter
def figure_text(judged_or_rollup):
    """A figure as the page shows it: "98,59 %" for percentages, "3" or "4,61" otherwise."""
    rollup = getattr(judged_or_rollup, "rollup", judged_or_rollup)
    if rollup is None or rollup.figure is None:
        return "—"
    if rollup.indicator.is_percentage:
        return f"{format_number(rollup.figure, 2)} %"
    if rollup.indicator.kind == "count":
        return format_number(rollup.figure)
    return format_number(rollup.figure, 2)


@register.filter
def change_badge(card):
    """ "▲ +2,35" with words for screen readers, green when better in the indicator's direction."""
    if card.change is None:
        return ""
    change = card.change
    if change == 0:
        return format_html('<span class="small text-body-secondary">{}</span>', _("unchanged"))
    better = (change > 0) == (card.indicator.direction == "higher")
    arrow = "▲" if change > 0 else "▼"
    words = _("up") if change > 0 else _("down")
    unit = _("points") if card.indicator.is_percentage else ""
    sign = "+" if change > 0 else "−"
    return format_html(
        '<span class="small {}"><span aria-hidden="true">{}</span> <span class="visually-hidden">{}</span>{}{} {}</span>',
        "text-success" if better else "text-danger",
        arrow,
        words,
        sign,
        format_number(abs(change), 2),
        unit,
    )


@register.filter
def level_plural(level):
    return {
        "province": _("provinces"),
        "district": _("districts"),
        "commune": _("communes"),
        "nation": _("nation"),
    }.get(level, level)


@register.filter
def chart_series(cards):
    """The trend data drawn by static/js/dashboard.js (through json_script)."""
    return [
        {
            "code": card.indicator.code,
            "name": card.indicator.name,
            "percent": card.indicator.is_percentage,
            "labels": [label for label, _figure, _target in card.trend],
            "values": [float(round(f, 2)) if f is not None else None for _label, f, _target in card.trend],
            "targets": [float(t) if t is not None else None for _label, _figure, t in card.trend],
        }
        for card in cards
    ]


@register.filter
def get_item(mapping, key):
    return mapping.get(key)
