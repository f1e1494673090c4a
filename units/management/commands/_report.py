from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def report_outcome(command, outcome, label):
    """Print what an import did, or raise CommandError listing every bad row."""
    if not outcome.ok:
        lines = [str(error) for error in outcome.errors]
        raise CommandError(
            _("%(label)s: nothing was saved; %(count)s error(s):") % {"label": label, "count": len(lines)}
            + "\n  "
            + "\n  ".join(lines)
        )
    command.stdout.write(
        _("%(label)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
        % {"label": label, "created": outcome.created, "updated": outcome.updated, "unchanged": outcome.unchanged}
    )
