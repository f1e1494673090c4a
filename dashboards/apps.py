from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self):
        # Cached dashboards are keyed by the data version (parc/lib/cache.py). One way bumps it:
        # the service that writes calls bump_data_version() (every write goes through a service;
        # the admin calls the same services, or DataVersionAdminMixin for catalogue tables).
        # No model signals: bulk writes send none, so signals would cover only some paths.
        # The one exception is a migration, which is not a user's write: data migrations write
        # through historical models, and a shared cache (Redis) outlives a deploy.
        from parc.lib.cache import bump_data_version

        post_migrate.connect(bump_data_version, dispatch_uid="bump-after-migrate")
