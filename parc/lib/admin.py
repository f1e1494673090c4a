"""Admin glue shared by the apps.

Cached dashboards are invalidated one way: the code that writes calls
parc.lib.cache.bump_data_version() (see dashboards/apps.py). Tables with a service of their own
go through it from the admin too; catalogue tables that the admin edits directly (indicators,
periods, plans …) use this mixin, so a change through any admin path — the change form, delete,
bulk delete, history revert — is seen on the next dashboard load (an admin import runs as a job,
which bumps it when it writes).
"""

from django.db import models

from parc.lib.cache import bump_data_version
from parc.lib.forms import VNDecimalField


class DataVersionAdminMixin:
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        bump_data_version()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        bump_data_version()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        bump_data_version()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        bump_data_version()


class VNDecimalsAdminMixin:
    """Decimal fields typed and shown as on the portal's forms: "145" and "99,5", not the
    column's "145.0000"; "1.234" refused as ambiguous rather than guessed (parc.lib.forms)."""

    formfield_overrides = {models.DecimalField: {"form_class": VNDecimalField}}
