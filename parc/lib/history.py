"""django-simple-history's admin screens in words.

Out of the box its history page writes each change as the stored values ("status: submitted →
approved", "level: commune", "valid_from" as a column heading, "9.0000"). HistoryAdmin, which
every admin with a history uses instead of SimpleHistoryAdmin, shows what the portal's own
history shows (indicators.selectors.report_history): the choice's label, numbers and dates the
Vietnamese way, "—" for nothing, and each extra column headed by its field's name.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from parc.lib.numbers import format_number


def value_in_words(field, value):
    """A stored value as a person reads it: "approved" → "Đã duyệt", Decimal("9.0000") → "9"."""
    if value is None or value == "":
        return "—"
    if field is not None and field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Decimal | float):
        return format_number(value)
    if isinstance(value, datetime.datetime):
        return formats.localize(timezone.localtime(value) if timezone.is_aware(value) else value)
    if isinstance(value, datetime.date):
        return formats.localize(value)
    return value


class HistoryInWords(HistoricalRecordContextHelper):
    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if field.many_to_many:
            return super().prepare_delta_change_value(change, value)
        return value_in_words(field, value)


class HistoryAdmin(SimpleHistoryAdmin):
    object_history_list_template = "admin/history_list.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return HistoryInWords(self.model, historical_record)

    def history_view(self, request, object_id, extra_context=None):
        # simple-history heads each extra column with `{% trans "valid_from" %}`: our copy of its
        # list template heads it with the field's verbose name (or the admin method's description).
        columns = [(name, self._column_heading(name)) for name in self.get_history_list_display(request)]
        return super().history_view(request, object_id, {"history_columns": columns, **(extra_context or {})})

    def _column_heading(self, name):
        method = getattr(self, name, None)
        if callable(method):
            return getattr(method, "short_description", name)
        try:
            return capfirst(self.model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            return _(name)
