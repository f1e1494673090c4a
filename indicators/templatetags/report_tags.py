from django import template
from django.utils.translation import gettext as _

from indicators.validation import outlier_warning
from parc.lib.numbers import input_text

register = template.Library()


@register.simple_tag
def saved_value(row, name):
    """What is saved for this row and field ("" when nothing)."""
    if row.value is None:
        return ""
    value = getattr(row.value, name)
    if name == "not_occurred":
        return "1" if value else ""
    return value if name == "comment" else input_text(value)


@register.simple_tag
def shown_value(typed, row, name):
    """What the input shows: the officer's typing after a refused save, else what is saved."""
    if typed is not None:
        return typed.get(row.indicator.pk, {}).get(name, "")
    return saved_value(row, name)


@register.simple_tag
def row_errors(result, row):
    """[(field, message)] for this row after a save."""
    if result is None:
        return []
    return result.errors.get(row.indicator.pk, [])


@register.simple_tag
def row_warning(row):
    """The outlier warning for the saved figure, or ""."""
    return outlier_warning(row.figure, row.history, row.indicator) or ""


@register.filter
def is_late(line, period):
    return line.is_late(period)


@register.filter
def figures(values):
    """(numerator, denominator, value, comment, not occurred) → "9 / 10", "55,5" or "did not
    occur" for the conflict panel."""
    numerator, denominator, value, _comment, not_occurred = values
    if not_occurred:
        return _("did not occur")
    if numerator is not None or denominator is not None:
        return f"{input_text(numerator) or '—'} / {input_text(denominator) or '—'}"
    return input_text(value) or "—"
