from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from dashboards import selectors
from parc.lib.numbers import format_number

register = template.Library()


@register.filter
def figure_text(judged_or_rollup):
    """{{ rollup|figure_text }} → "98,59 %" (a Judged already carries its text)."""
    if hasattr(judged_or_rollup, "text"):
        return judged_or_rollup.text
    return selectors.figure_text(judged_or_rollup)


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


@register.filter
def matrix_cells(row):
    """A matrix row's cells in one go: a national matrix has thousands of cells, and building them
    here costs a tenth of what the template loop cost. Same markup: the figure, * when it
    includes figures not yet approved, the achievement in words for screen readers and a symbol."""
    cells = []
    for cell in row.cells:
        word = escape(cell.word)
        star = "*" if cell.rollup.pending else ""
        cells.append(
            f'<td class="num cell-{cell.result.status}" title="{word}">{escape(cell.text)}{star}'
            f'<span class="visually-hidden"> — {word}</span> <span aria-hidden="true" class="small">{cell.result.icon}</span></td>'
        )
    return mark_safe("".join(cells))  # every part above is escaped or a fixed symbol
