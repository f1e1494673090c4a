from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class ParcConfig(AppConfig):
    """The project package is also an app: it owns the account pages, the base
    templates' helpers and the `load_demo` command that calls each app's demo loader."""

    name = "parc"
    verbose_name = "PARC"

    def ready(self):
        # Two packages name their app in English only ("Axes", "Tasks Database Backend"), and
        # the admin heads their lists with it: name them in the reader's language.
        names = {"axes": _("Login attempts"), "django_tasks_database": _("Task queue")}
        for label, name in names.items():
            if label in apps.app_configs:
                apps.app_configs[label].verbose_name = name
