"""The register's admin. Units and memberships are written by units.services (the rules, the
administrator check, history with the user, the data version), from every admin path: the change
form, delete, bulk delete, history revert (SimpleHistoryAdmin saves through save_model) and
import. Successions are edited directly, with DataVersionAdminMixin."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from import_export.admin import ImportExportMixin

from parc.lib.admin import DataVersionAdminMixin
from parc.lib.history import HistoryAdmin
from parc.lib.importexport import GuardedImportMixin
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
class AdministrativeUnitAdmin(GuardedImportMixin, ImportExportMixin, HistoryAdmin):
    form = UnitAdminForm
    resource_classes = [UnitResource]
    skip_admin_log = True  # our resource writes in bulk; the unit's history holds every change
    list_display = ["code", "name", "level", "kind", "parent", "valid_from", "valid_to"]
    list_filter = ["level", "kind", ("valid_to", admin.EmptyFieldListFilter)]
    search_fields = ["code", "name", "search_name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    list_per_page = 50
    history_list_display = ["name", "parent", "valid_from", "valid_to"]

    def save_model(self, request, obj, form, change):
        services.unit_save(user=request.user, unit=obj)

    def delete_model(self, request, obj):
        services.unit_delete(user=request.user, unit=obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for unit in queryset.order_by("-path"):  # units below first
            services.unit_delete(user=request.user, unit=unit)


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(DataVersionAdminMixin, HistoryAdmin):
    list_display = ["date", "kind", "legal_basis"]
    list_filter = ["kind"]
    autocomplete_fields = ["predecessors", "successors"]
    search_fields = ["legal_basis", "note", "predecessors__name", "successors__name"]


@admin.register(Membership)
class MembershipAdmin(GuardedImportMixin, ImportExportMixin, HistoryAdmin):
    resource_classes = [MembershipResource]
    list_display = ["user", "unit", "role"]
    list_filter = ["role", "unit__level"]
    search_fields = ["user__username", "user__first_name", "unit__name", "unit__code"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit"]

    def save_model(self, request, obj, form, change):
        services.membership_save(user=request.user, membership=obj)

    def delete_model(self, request, obj):
        services.membership_revoke(user=request.user, membership=obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user"):
            services.membership_revoke(user=request.user, membership=membership)
