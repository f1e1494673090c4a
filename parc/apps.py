from django.apps import AppConfig


class ParcConfig(AppConfig):
    """The project package is also an app: it owns the account pages, the base
    templates' helpers and the `load_demo` command that calls each app's demo loader."""

    name = "parc"
    verbose_name = "PARC"
