"""django-import-export resources for the unit register, keyed by codes, never by ids.

Importing units is not a row-by-row affair: a row's parent may be a later row, codes are unique
only per date, and the file is all-or-nothing. So the resource hands the whole dataset to
`units.services.units_import` — the same code `import_units` and `load_units` use — and turns
its outcome into import-export's preview (new / update / skip) or its list of invalid rows.
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from parc.lib.importexport import WholeFileResource
from units.models import AdministrativeUnit, Membership
from units.selectors import unit_by_code
from units.services import COLUMNS, REQUIRED_COLUMNS, membership_save, units_import


class UnitResource(WholeFileResource):
    parent_code = fields.Field(attribute="parent__code", column_name="parent_code")
    diff_columns = COLUMNS

    class Meta:
        model = AdministrativeUnit
        fields = COLUMNS
        export_order = COLUMNS
        import_id_fields = ["code", "valid_from"]

    def run_import(self, *, headers, records, dry_run, user, file_name, **extra):
        missing = [c for c in REQUIRED_COLUMNS if c not in headers]
        if missing:
            return [(1, c, _("This column is missing.")) for c in missing], []
        outcome = units_import(user=user, records=records, dry_run=dry_run, reason=_imported_from(file_name))
        return [(e.row, e.column, e.message) for e in outcome.errors], outcome.rows


def _imported_from(file_name):
    return _("imported from %(name)s") % {"name": file_name or "?"}


class UnitCodeWidget(widgets.ForeignKeyWidget):
    """A unit named by its code: the unit holding it today, else the latest that held it."""

    def __init__(self, **kwargs):
        super().__init__(AdministrativeUnit, "code", **kwargs)

    def clean(self, value, row=None, **kwargs):
        code = str(value or "").strip()
        if isinstance(value, float) and value.is_integer():
            code = str(int(value))
        if not code:
            return None
        unit = unit_by_code(code=code) or AdministrativeUnit.objects.filter(code=code).order_by("-valid_from").first()
        if unit is None:
            raise ValueError(_("Unknown unit code %(code)s.") % {"code": code})
        return unit


class UsernameWidget(widgets.ForeignKeyWidget):
    def __init__(self, **kwargs):
        super().__init__(get_user_model(), "username", **kwargs)


class MembershipResource(resources.ModelResource):
    """Who has which role where, by username and unit code."""

    username = fields.Field(attribute="user", column_name="username", widget=UsernameWidget())
    unit_code = fields.Field(attribute="unit", column_name="unit_code", widget=UnitCodeWidget())

    class Meta:
        model = Membership
        fields = ["username", "unit_code", "role"]
        export_order = ["username", "unit_code", "role"]
        import_id_fields = ["username", "unit_code", "role"]
        skip_unchanged = True
        clean_model_instances = True

    def save_instance(self, instance, is_create, row, **kwargs):
        """Through the service, as the admin's form does: the administrator check, history with
        the importing user and the file's name, the data version."""
        self.before_save_instance(instance, row, **kwargs)
        if self._is_using_transactions(kwargs) or not self._is_dry_run(kwargs):
            reason = _imported_from(kwargs.get("file_name"))
            membership_save(user=kwargs.get("user"), membership=instance, reason=reason)
        self.after_save_instance(instance, row, **kwargs)
