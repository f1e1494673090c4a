from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from parc.lib.text import fold


class Level(models.TextChoices):
    NATION = "nation", _("Nation")
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")


# Depth of each tier; a committee sits under a committee of a smaller rank.
LEVEL_RANK = {Level.NATION: 0, Level.PROVINCE: 1, Level.DISTRICT: 2, Level.COMMUNE: 3}


class Kind(models.TextChoices):
    COMMITTEE = "committee", _("People's committee")
    AGENCY = "agency", _("Department or agency")
    SERVICE = "service", _("Public service unit")


class UnitQuerySet(models.QuerySet):
    def valid_on(self, day):
        """Units in force on `day` (valid_to is the last day in force, inclusive)."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def overlapping(self, start, end):
        """Units that exist on at least one day of [start, end]."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=end)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=start)
        )

    def committees_below(self, unit, start, end):
        """The people's committees right below `unit` that exist between start and end, by name."""
        if unit.level == Level.COMMUNE:  # see committees_under()
            return self.none()
        return self.filter(parent=unit, kind=Kind.COMMITTEE).overlapping(start, end).order_by("name")

    def committees_under(self, unit):
        """Every people's committee below `unit`, at any depth. The register places none under a
        commune (committees sit on provinces, districts and communes), so for a commune this
        is empty without asking the database."""
        if unit.level == Level.COMMUNE:
            return self.none()
        return self.subtree_of(unit, include_self=False).filter(kind=Kind.COMMITTEE)

    def subtree_of(self, unit, include_self=True):
        """Everything under `unit`: one indexed prefix query on the materialised path."""
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)


class AdministrativeUnit(models.Model):
    """One table for the whole tree, from the nation down to communes and their agencies.

    `path` holds the ids from the root down ("1/45/302/"), so "all units under X" is a single
    `path LIKE 'X.path%'` query on an indexed column, whatever the depth.
    """

    code = models.CharField(
        _("code"),
        max_length=20,
        help_text=_("National statistics code (2 digits province, 3 district, 5 commune); a local code for agencies."),
    )
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COMMITTEE)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True, help_text=_("Empty: since ever."))
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("Last day the unit exists. Empty: still in force.")
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    search_name = models.CharField(max_length=250, db_index=True, editable=False, default="")

    objects = UnitQuerySet.as_manager()
    # Who changed what, when and why (old → new between consecutive rows). `path` and
    # `search_name` are derived from parent and name and rewritten in bulk when a unit above
    # moves: keeping them out of the history keeps it to what people change, and a revert takes
    # them from the current row (services.unit_save then recomputes them).
    history = HistoricalRecords(excluded_fields=["path", "search_name"])

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["path"]
        constraints = [
            # The full rule (no two units with one code valid on the same day) is checked by the
            # services, which can name the clashing unit; this is the database's backstop.
            models.UniqueConstraint(
                fields=["code", "valid_from"],
                name="unit_code_valid_from_unique",
                violation_error_message=_("Another unit with this code starts on the same day."),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_to_after_valid_from",
                violation_error_message=_("The end date is before the start date."),
            ),
        ]
        indexes = [models.Index(fields=["code"], name="unit_code_idx")]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def refresh_search_name(self):
        """Accent-folded name and code, so "chau thanh" finds "Châu Thành"."""
        self.search_name = fold(f"{self.name} {self.code}")[:250]

    def is_valid_on(self, day):
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    @property
    def ancestor_ids(self):
        """Ids from the root down to the parent, read from the path (no query)."""
        return [int(part) for part in self.path.split("/") if part][:-1]

    @property
    def is_committee(self):
        return self.kind == Kind.COMMITTEE


class SuccessionKind(models.TextChoices):
    MERGE = "merge", _("Merger")
    SPLIT = "split", _("Split")
    RENAME = "rename", _("Renaming")
    TRANSFER = "transfer", _("Boundary change")


class UnitSuccession(models.Model):
    """Units that became other units on a date: a merger, a split, a renaming."""

    kind = models.CharField(_("kind"), max_length=10, choices=SuccessionKind.choices)
    date = models.DateField(_("date"), help_text=_("First day of the successor(s)."))
    predecessors = models.ManyToManyField(
        AdministrativeUnit, verbose_name=_("predecessors"), related_name="succeeded_by"
    )
    successors = models.ManyToManyField(AdministrativeUnit, verbose_name=_("successors"), related_name="preceded_by")
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords(m2m_fields=[predecessors, successors])

    class Meta:
        verbose_name = _("unit succession")
        verbose_name_plural = _("unit successions")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date:%d/%m/%Y}"


class Role(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    EDITOR = "editor", _("Editor")
    REVIEWER = "reviewer", _("Reviewer")


class Membership(models.Model):
    """A user's role on a unit; it applies to the unit and everything below it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"],
                name="membership_unique",
                violation_error_message=_("This person already has this role on this unit."),
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.unit.name} · {self.get_role_display()}"
