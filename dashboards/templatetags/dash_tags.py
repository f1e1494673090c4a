import functools
import html

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dashboards import selectors
from indicators import display
from plans.achievement import ICONS, LABELS

register = template.Library()


@register.filter
def figure_text(judged_or_rollup):
    """{{ rollup|figure_text }} → "98,59 %" (a Judged already carries its text)."""
    if hasattr(judged_or_rollup, "text"):
        return judged_or_rollup.text
    return selectors.figure_text(judged_or_rollup)


@register.filter
def change_badge(card):
    """ "▲ +2,35 điểm %", "▼ −1 sáng kiến" with words for screen readers, green when better in the
    indicator's direction."""
    if card.change is None:
        return ""
    change = card.change
    if change == 0:
        return format_html('<span class="small text-body-secondary">{}</span>', _("unchanged"))
    better = (change > 0) == (card.indicator.direction == "higher")
    arrow = "▲" if change > 0 else "▼"
    words = _("up") if change > 0 else _("down")
    sign = "+" if change > 0 else "−"
    return format_html(
        '<span class="small {}"><span aria-hidden="true">{}</span> <span class="visually-hidden">{}</span>{}{}</span>',
        "text-success" if better else "text-danger",
        arrow,
        words,
        sign,
        display.change_text(card.indicator, change),
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
    """The trend data drawn by static/js/dashboard.js (through json_script); its tooltips show
    `texts`, the figures and targets as the page writes them (indicators.display)."""
    return [
        {
            "code": card.indicator.code,
            "name": card.indicator.name,
            "labels": [label for label, _figure, _target in card.trend],
            "values": [float(round(f, 2)) if f is not None else None for _label, f, _target in card.trend],
            "targets": [float(t) if t is not None else None for _label, _figure, t in card.trend],
            "texts": [
                [display.figure_text(card.indicator, f) for _label, f, _target in card.trend],
                [display.figure_text(card.indicator, t, exact=True) for _label, _figure, t in card.trend],
            ],
        }
        for card in cards
    ]


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.simple_tag
def matrix_rows(dash, query):
    """The matrix body in one go: a province has thousands of cells, and building them here costs
    a fraction of a template loop. A row: the rank, the unit (a link to its dashboard keeping the
    filters), targets met, then each cell: the figure, * when it includes figures not yet
    approved, the achievement in words for screen readers and a symbol."""
    around = _cell_markup(get_language())
    total = len(dash.matrix)
    query = html.escape(query)
    # One reverse() for the whole column of links (it cost more than the rest of a row).
    path_before, path_after = reverse("dashboards:unit", args=[_PK]).split(str(_PK))
    rows = []
    for row in dash.matrix:
        parts = [
            f'<tr><td class="num">{row.rank}/{total}</td>'
            f'<th scope="row" class="fw-normal"><a href="{path_before}{row.unit.pk}{path_after}?{query}">{html.escape(row.unit.name)}</a></th>'
            f'<td class="num">{row.met}/{row.with_target}</td>'
        ]
        for cell in row.cells:
            before, after = around[cell.status]
            # cell.text is written by indicators.display.figure_text() (a number and the unit of
            # measure, which an administrator types): escaped like the names.
            parts.append(f"{before}{html.escape(cell.text)}{'*' if cell.pending else ''}{after}")
        parts.append("</tr>\n")
        rows.append("".join(parts))
    return mark_safe("".join(rows))  # names and the query are escaped, the rest is our markup


_PK = 987654321987


@functools.cache
def _cell_markup(language):
    """{status: (markup before the figure, markup after it)} in `language` (the active one)."""
    around = {}
    for status, label in LABELS.items():
        word = html.escape(str(label))
        around[status] = (
            f'<td class="num cell-{status}" title="{word}">',
            f'<span class="visually-hidden"> — {word}</span> <span aria-hidden="true" class="small">{ICONS[status]}</span></td>',
        )
    return around
