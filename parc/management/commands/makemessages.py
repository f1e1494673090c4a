"""makemessages for PARC's own catalogue (locale/vi), with three differences from Django's:

- it also reads `_lazy(...)`: plans/views.py and indicators/imports.py import gettext_lazy under
  that name beside `_` (gettext), and xgettext only knows Django's own names, so their strings
  fell out of the catalogue ("The task was saved." shown in English);
- it leaves parc/locale alone. That catalogue holds the Vietnamese of the packages (django-
  import-export, django-simple-history, django-axes, and what Django's own lacks); Django's
  makemessages would take it for the `parc` app's own, write parc's strings there and, with
  --no-obsolete, drop every package string from it;
- it runs from the project's root only: run anywhere else with these settings, Django's would
  merge whatever it finds there into locale/vi (LOCALE_PATHS) and mark all of ours obsolete.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import makemessages

PACKAGES_CATALOGUE = "parc/locale"


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_lazy"]

    def handle(self, *args, **options):
        if Path.cwd().resolve() != Path(settings.BASE_DIR).resolve():
            raise CommandError(f"Run makemessages from {settings.BASE_DIR} (`make messages`).")
        options["ignore_patterns"] = [*options.get("ignore_patterns", []), PACKAGES_CATALOGUE]
        return super().handle(*args, **options)
