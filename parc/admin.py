"""The admin's user and group screens, with each permission named in the reader's language.

Django writes a permission's name once, in English, when it migrates ("Can add historical
reporting period") and shows it as stored. These screens name it from the model instead:
"Chỉ tiêu và báo cáo | Được thêm lịch sử kỳ báo cáo".
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission, User
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

# Django's own Vietnamese titles each app of the admin "Các mô models trong …", half English. Our
# catalogue (LOCALE_PATHS, read before Django's) says it in Vietnamese; marked here so that
# `make messages` keeps it.
gettext_noop("Models in the %(name)s application")

ACTIONS = {
    "add": gettext_lazy("Can add %(model)s"),
    "change": gettext_lazy("Can change %(model)s"),
    "delete": gettext_lazy("Can delete %(model)s"),
    "view": gettext_lazy("Can view %(model)s"),
}


def _model_name(model):
    """The model's name; simple-history's copies of a model (and of a many-to-many link) are
    its history, which Django would call "historical …" in English whatever the language."""
    kept = getattr(model, "instance_type", None)  # the model a historical model records
    if kept is None:
        return model._meta.verbose_name
    if kept._meta.auto_created:  # the table linking two models (UnitSuccession.predecessors)
        owner = kept._meta.auto_created
        field = next(f for f in owner._meta.many_to_many if f.remote_field.through is kept)
        name = f"{owner._meta.verbose_name}: {field.verbose_name}"
    else:
        name = kept._meta.verbose_name
    return _("history of %(model)s") % {"model": name}


def permission_label(permission):
    content_type = permission.content_type
    model = content_type.model_class()
    if model is None:  # a model since removed
        return str(permission)
    action, _sep, model_name = permission.codename.partition("_")
    if action in ACTIONS and model_name == model._meta.model_name:
        text = ACTIONS[action] % {"model": _model_name(model)}
    else:
        text = _(permission.name)  # a permission of its own (Meta.permissions), marked for translation
    return f"{model._meta.app_config.verbose_name} | {text}"


class PermissionsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return permission_label(obj)


class _PermissionsInWords:
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name in ("permissions", "user_permissions"):
            kwargs["form_class"] = PermissionsField
            kwargs["queryset"] = Permission.objects.select_related("content_type")  # one query for the labels
        return super().formfield_for_manytomany(db_field, request, **kwargs)


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class PortalUserAdmin(_PermissionsInWords, UserAdmin):
    pass


@admin.register(Group)
class PortalGroupAdmin(_PermissionsInWords, GroupAdmin):
    pass
