from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self):
        # Cached dashboards are keyed by the data version; any saved or deleted figure, report,
        # plan, task, target, unit, indicator or quarter makes them stale at once. Bulk writes
        # (imports) bump the version themselves, as they send no signals.
        from indicators.models import Indicator, Report, ReportingPeriod, ReportValue
        from parc.lib.cache import bump_data_version
        from plans.models import Plan, PlanTask, Target
        from units.models import AdministrativeUnit

        models = (Report, ReportValue, Plan, PlanTask, Target, AdministrativeUnit, Indicator, ReportingPeriod)
        for model in models:
            post_save.connect(bump_data_version, sender=model, dispatch_uid=f"bump-{model._meta.label}-save")
            post_delete.connect(bump_data_version, sender=model, dispatch_uid=f"bump-{model._meta.label}-delete")
        # Data migrations write through historical models, which send no signals to these
        # receivers, and a shared cache (Redis) outlives a deploy.
        post_migrate.connect(bump_data_version, dispatch_uid="bump-after-migrate")
