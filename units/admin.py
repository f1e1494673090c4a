from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from import_export.admin import ImportExportModelAdmin

from units import services
from units.models import AdministrativeUnit, Membership, UnitSuccession
from units.resources import MembershipResource, UnitResource


class UnitAdminForm(forms.ModelForm):
    class Meta:
        model = AdministrativeUnit
        fields = ["code", "name", "level", "kind", "parent", "valid_from", "valid_to"]

    def _post_clean(self):
        super()._post_clean()  # copies the cleaned data onto self.instance
        if not self.errors:
            try:
                services.unit_validate(unit=self.instance)
            except ValidationError as exc:
                self._update_errors(exc)


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(ImportExportModelAdmin):
    form = UnitAdminForm
    resource_classes = [UnitResource]
    skip_admin_log = True  # our resource writes in bulk; the unit history lives in the register itself
    list_display = ["code", "name", "level", "kind", "parent", "valid_from", "valid_to"]
    list_filter = ["level", "kind", ("valid_to", admin.EmptyFieldListFilter)]
    search_fields = ["code", "name", "search_name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    list_per_page = 50

    def save_model(self, request, obj, form, change):
        services.unit_save(unit=obj)


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "legal_basis"]
    list_filter = ["kind"]
    autocomplete_fields = ["predecessors", "successors"]
    search_fields = ["legal_basis", "note", "predecessors__name", "successors__name"]


@admin.register(Membership)
class MembershipAdmin(ImportExportModelAdmin):
    resource_classes = [MembershipResource]
    list_display = ["user", "unit", "role"]
    list_filter = ["role", "unit__level"]
    search_fields = ["user__username", "user__first_name", "unit__name", "unit__code"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit"]
