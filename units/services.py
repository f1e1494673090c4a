"""Writes to the unit register: one unit at a time (admin forms) or whole files (imports).

Both paths apply the same rules:
- a committee sits under a committee one tier up (a commune under a district, or directly under
  a province since 2025; never directly under the nation); agencies sit under a committee and
  public service units under a committee or an agency, on their parent's level;
- a code names one unit at any one time: two units may share a code only when their validity
  periods do not overlap (the 2025 mergers gave old codes to new units);
- no unit is its own ancestor.

Imports are all-or-nothing: every bad row is reported with its row number, column and reason,
and nothing of the file is saved unless every row is good.

Every write names who makes it (`user`) and is refused unless that user is an administrator
(`units.scoping.is_administrator`); `user=None` is the command line or the demo loader, run by
whoever holds the server. Every write leaves history rows (django-simple-history) with that user
and a reason, bulk writes included, and bumps the data version so cached dashboards refresh.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat, Substr
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from parc.lib.cache import bump_data_version
from parc.lib.text import fold
from units import scoping
from units.models import AdministrativeUnit, Kind, Level, Membership

COLUMNS = ["code", "name", "level", "kind", "parent_code", "valid_from", "valid_to"]
REQUIRED_COLUMNS = ["code", "name", "level"]

# What people write in the level and kind columns, accent-folded: English keys, Vietnamese words.
LEVEL_WORDS = {
    Level.NATION: {"nation", "quoc gia", "trung uong", "nha nuoc"},
    Level.PROVINCE: {"province", "tinh", "thanh pho truc thuoc trung uong", "thanh pho trung uong", "cap tinh"},
    Level.DISTRICT: {"district", "huyen", "quan", "thi xa", "thanh pho thuoc tinh", "cap huyen"},
    Level.COMMUNE: {"commune", "xa", "phuong", "thi tran", "dac khu", "cap xa"},
}
KIND_WORDS = {
    Kind.COMMITTEE: {"committee", "people's committee", "ubnd", "uy ban nhan dan", "chinh quyen"},
    Kind.AGENCY: {"agency", "department", "co quan", "co quan chuyen mon", "so", "phong", "so, ban, nganh"},
    Kind.SERVICE: {"service", "public service unit", "don vi su nghiep", "don vi su nghiep cong lap"},
}
CODE_WIDTH = {Level.PROVINCE: 2, Level.DISTRICT: 3, Level.COMMUNE: 5}


def _label(value, choices):
    return str(dict(choices.choices).get(value, value))


def placement_error(*, level: str, kind: str, parent: object | None) -> str | None:
    """Why a unit of `level` and `kind` cannot sit under `parent` (an object with level and
    kind, or None for no parent), or None when it can."""
    if parent is None:
        if level == Level.NATION and kind == Kind.COMMITTEE:
            return None
        return _("Only the nation has no parent unit.")
    if level == Level.NATION and kind == Kind.COMMITTEE:
        return _("The nation cannot have a parent unit.")
    if kind == Kind.COMMITTEE:
        if parent.kind != Kind.COMMITTEE:
            return _("A people's committee must sit under another people's committee.")
        allowed = {
            Level.PROVINCE: {Level.NATION},
            Level.DISTRICT: {Level.PROVINCE},
            Level.COMMUNE: {Level.DISTRICT, Level.PROVINCE},
        }[level]
        if parent.level not in allowed:
            message = _("A %(level)s cannot sit directly under a %(parent)s.") % {
                "level": _label(level, Level).lower(),
                "parent": _label(parent.level, Level).lower(),
            }
            return capfirst(message)  # Vietnamese starts the sentence with the level
        return None
    if kind == Kind.AGENCY and parent.kind != Kind.COMMITTEE:
        return _("An agency must sit under a people's committee.")
    if kind == Kind.SERVICE and parent.kind == Kind.SERVICE:
        return _("A public service unit must sit under a people's committee or an agency.")
    if level != parent.level:
        return _("An agency or public service unit has the level of its parent (%(parent)s).") % {
            "parent": _label(parent.level, Level).lower()
        }
    return None


def _overlaps(a_from, a_to, b_from, b_to):
    lo = datetime.date.min
    hi = datetime.date.max
    return (a_from or lo) <= (b_to or hi) and (b_from or lo) <= (a_to or hi)


def _period_text(valid_from, valid_to):
    start = date_format(valid_from, "SHORT_DATE_FORMAT") if valid_from else "…"
    end = date_format(valid_to, "SHORT_DATE_FORMAT") if valid_to else "…"
    return f"{start}–{end}"


def code_clash(
    *, code: str, valid_from: datetime.date | None, valid_to: datetime.date | None, others: Iterable
) -> object | None:
    """The first unit in `others` that holds `code` on a day of [valid_from, valid_to]."""
    for other in others:
        if other.code == code and _overlaps(valid_from, valid_to, other.valid_from, other.valid_to):
            return other
    return None


def _clash_message(code, other):
    return _("Code %(code)s is already used by %(name)s on overlapping dates (%(period)s).") % {
        "code": code,
        "name": other.name,
        "period": _period_text(other.valid_from, other.valid_to),
    }


# ---------------------------------------------------------------------------------------------
# Who may write


def _require_administrator(user: AbstractBaseUser | None, message: str) -> None:
    """Refuse `user` unless they are an administrator; None is the command line (see above)."""
    if user is not None and not scoping.is_administrator(user):
        raise PermissionDenied(message)


def _register_refusal() -> str:
    return _("Only administrators can change the unit register.")


def _with_history(obj, user: AbstractBaseUser | None, reason: str):
    """Name the user and the reason on the history row the next save or delete of `obj` writes
    (without a user, simple_history falls back to the signed-in user of the request)."""
    if user is not None:
        obj._history_user = user
    if reason:
        obj._change_reason = reason[:100]
    return obj


# ---------------------------------------------------------------------------------------------
# One unit (admin form)


def unit_validate(*, unit: AdministrativeUnit) -> None:
    """Raise ValidationError (per field) when `unit` breaks a register rule."""
    errors = {}
    if unit.valid_from and unit.valid_to and unit.valid_to < unit.valid_from:
        errors["valid_to"] = _("The end date is before the start date.")
    message = placement_error(level=unit.level, kind=unit.kind, parent=unit.parent)
    if message:
        errors["parent"] = message
    if unit.parent_id and unit.pk and unit.path and unit.parent.path.startswith(unit.path):
        errors["parent"] = _("A unit cannot sit under itself or one of its own units.")
    others = AdministrativeUnit.objects.filter(code=unit.code).exclude(pk=unit.pk)
    clash = code_clash(code=unit.code, valid_from=unit.valid_from, valid_to=unit.valid_to, others=others)
    if clash:
        errors["code"] = _clash_message(unit.code, clash)
    if errors:
        raise ValidationError(errors)


def unit_save(*, user: AbstractBaseUser | None, unit: AdministrativeUnit, reason: str = "") -> AdministrativeUnit:
    """Validate and save one unit (new, renamed, moved, its validity changed), keeping its path
    and its descendants' paths right."""
    _require_administrator(user, _register_refusal())
    with transaction.atomic():
        unit.full_clean(exclude=["path", "search_name"])
        unit_validate(unit=unit)
        # The path as stored, not as on the object: a unit rebuilt from an old history row
        # (the admin's revert) carries the path it had then.
        old_path = ""
        if unit.pk is not None:
            stored = AdministrativeUnit.objects.select_for_update().filter(pk=unit.pk).values_list("path", flat=True)
            old_path = next(iter(stored), "")
        unit.path = old_path
        unit.refresh_search_name()
        _with_history(unit, user, reason)
        unit.save()
        _set_path(unit, old_path)
        bump_data_version()
    return unit


def _set_path(unit, old_path):
    new_path = f"{unit.parent.path if unit.parent_id else ''}{unit.pk}/"
    if new_path != old_path:
        AdministrativeUnit.objects.filter(pk=unit.pk).update(path=new_path)
        if old_path:
            _move_subtree(old_path, new_path)
        unit.path = new_path


def unit_delete(*, user: AbstractBaseUser | None, unit: AdministrativeUnit, reason: str = "") -> None:
    """Delete a unit entered by mistake, with the roles held on it (each leaves a history row).

    Units with units below them, reports or plans are protected (ProtectedError, nothing
    deleted): a unit that stopped existing gets an end date instead."""
    _require_administrator(user, _register_refusal())
    with transaction.atomic():
        for membership in unit.memberships.select_related("user"):
            _membership_delete(membership, user, reason)
        _with_history(unit, user, reason)
        unit.delete()
        bump_data_version()


def _move_subtree(old_path, new_path):
    """Rewrite the paths below a moved unit in one UPDATE."""
    AdministrativeUnit.objects.filter(path__startswith=old_path).exclude(path=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
    )


# ---------------------------------------------------------------------------------------------
# Whole files (import_units, load_units, the admin's import)


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self):
        where = _("row %(row)s") % {"row": self.row}
        if self.column:
            where += f", {self.column}"
        return f"{where}: {self.message}"


@dataclass
class UnitRow:
    row: int
    code: str
    name: str
    level: str
    kind: str
    parent_code: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    existing: AdministrativeUnit | None = None
    parent: object = None  # a UnitRow of the file or an AdministrativeUnit
    unit: AdministrativeUnit | None = None  # the saved unit

    @property
    def as_of(self):
        """The day on which the parent is looked up."""
        return self.valid_from or self.valid_to or timezone.localdate()


@dataclass
class ImportOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # (row number, "new" | "update" | "skip")

    @property
    def ok(self):
        return not self.errors


def _parse_choice(value, words):
    folded = fold(str(value or ""))
    for key, options in words.items():
        if folded == key or folded in options or folded == fold(str(_label(key, type(key)))):
            return key
    return None


def parse_date(value: object) -> datetime.date | None:
    """A date from a spreadsheet cell: a real date, "2025-07-01" or "01/07/2025"; None if empty."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _parse_code(value, level):
    """Codes as text. A numeric cell lost its leading zeros (Excel turns 01 into 1): pad it to
    the width of its level."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return str(value).zfill(CODE_WIDTH.get(level, 1))
    return str(value or "").strip()


def _parse_rows(records, errors):
    parsed = []
    for number, record in records:
        row_errors = []
        level = _parse_choice(record.get("level"), LEVEL_WORDS)
        if level is None:
            row_errors.append(
                RowError(number, "level", _("Unknown level “%(value)s”.") % {"value": record.get("level")})
            )
        kind = Kind.COMMITTEE if record.get("kind") in (None, "") else _parse_choice(record.get("kind"), KIND_WORDS)
        if kind is None:
            row_errors.append(RowError(number, "kind", _("Unknown kind “%(value)s”.") % {"value": record.get("kind")}))
        code = _parse_code(record.get("code"), level)
        name = str(record.get("name") or "").strip()
        if not code:
            row_errors.append(RowError(number, "code", _("The code is empty.")))
        elif len(code) > 20:
            row_errors.append(RowError(number, "code", _("The code is longer than 20 characters.")))
        if not name:
            row_errors.append(RowError(number, "name", _("The name is empty.")))
        dates = {}
        for column in ("valid_from", "valid_to"):
            try:
                dates[column] = parse_date(record.get(column))
            except ValueError:
                dates[column] = None
                row_errors.append(
                    RowError(
                        number,
                        column,
                        _("“%(value)s” is not a date (write 01/07/2025).") % {"value": record.get(column)},
                    )
                )
        if dates["valid_from"] and dates["valid_to"] and dates["valid_to"] < dates["valid_from"]:
            row_errors.append(RowError(number, "valid_to", _("The end date is before the start date.")))
        parent_code = _parse_code(record.get("parent_code"), None)
        errors.extend(row_errors)
        if not row_errors:
            parsed.append(UnitRow(number, code, name, level, kind, parent_code, dates["valid_from"], dates["valid_to"]))
    return parsed


def units_import(
    *,
    user: AbstractBaseUser | None,
    records: list[tuple[int, dict]],
    dry_run: bool = False,
    reason: str = "",
) -> ImportOutcome:
    """Import register rows. `records` is a list of (row number, {column: value}); `reason` goes
    on every history row it writes ("imported from units.xlsx").

    Returns an ImportOutcome; when it has errors nothing was saved.
    """
    _require_administrator(user, _register_refusal())  # even a dry run: it tells what exists
    outcome = ImportOutcome()
    rows = _parse_rows(records, outcome.errors)
    existing = list(
        AdministrativeUnit.objects.only(
            "id", "code", "name", "level", "kind", "parent_id", "valid_from", "valid_to", "path"
        )
    )
    by_code = {}
    for unit in existing:
        by_code.setdefault(unit.code, []).append(unit)
    by_id = {unit.pk: unit for unit in existing}

    _match_existing(rows, by_code, outcome.errors)
    _resolve_parents(rows, by_code, outcome.errors)
    _check_cycles(rows, by_id, outcome.errors)
    if outcome.errors:
        outcome.errors.sort(key=lambda e: (e.row, COLUMNS.index(e.column) if e.column in COLUMNS else 99))
        return outcome

    for row in rows:
        if row.existing is None:
            outcome.created += 1
            outcome.rows.append((row.row, "new"))
        elif _row_changes(row):
            outcome.updated += 1
            outcome.rows.append((row.row, "update"))
        else:
            outcome.unchanged += 1
            outcome.rows.append((row.row, "skip"))
    if not dry_run:
        _write(rows, user, reason or _("import"))
    return outcome


def _match_existing(rows, by_code, errors):
    """Pair each row with the unit it describes (same code and start date), and refuse a row
    whose code another unit already holds on an overlapping day, in the file or the database."""
    seen = {}
    for row in rows:
        same_code = by_code.get(row.code, [])
        row.existing = next((u for u in same_code if u.valid_from == row.valid_from), None)
        if row.existing and row.existing.level != row.level:
            errors.append(
                RowError(
                    row.row,
                    "level",
                    _("Code %(code)s belongs to a %(level)s; the level of a unit cannot change.")
                    % {"code": row.code, "level": _label(row.existing.level, Level).lower()},
                )
            )
            continue
        others = [u for u in same_code if u is not row.existing]
        clash = code_clash(code=row.code, valid_from=row.valid_from, valid_to=row.valid_to, others=others)
        if clash:
            errors.append(RowError(row.row, "code", _clash_message(row.code, clash)))
            continue
        earlier = seen.setdefault(row.code, [])
        twin = code_clash(code=row.code, valid_from=row.valid_from, valid_to=row.valid_to, others=earlier)
        if twin:
            errors.append(
                RowError(
                    row.row,
                    "code",
                    _("Duplicate code %(code)s: row %(other)s already has it on overlapping dates.")
                    % {"code": row.code, "other": twin.row},
                )
            )
            continue
        earlier.append(row)


def _resolve_parents(rows, by_code, errors):
    in_file = {}
    for row in rows:
        in_file.setdefault(row.code, []).append(row)
    replaced = {row.existing.pk for row in rows if row.existing}
    for row in rows:
        if not row.parent_code:
            row.parent = None
        else:
            day = row.as_of
            candidates = []
            for code in _code_variants(row.parent_code):
                candidates += [r for r in in_file.get(code, []) if _valid_on(r, day)]
                candidates += [u for u in by_code.get(code, []) if u.pk not in replaced and u.is_valid_on(day)]
                if candidates:
                    break
            if not candidates:
                errors.append(
                    RowError(
                        row.row,
                        "parent_code",
                        _("Unknown parent unit %(code)s (none with that code on %(day)s).")
                        % {"code": row.parent_code, "day": date_format(day, "SHORT_DATE_FORMAT")},
                    )
                )
                continue
            row.parent = candidates[0]
        message = placement_error(level=row.level, kind=row.kind, parent=row.parent)
        if message:
            errors.append(RowError(row.row, "parent_code" if row.parent_code else "level", message))


def _code_variants(code):
    """The code as written, then, for a bare number (Excel drops leading zeros: 01 → 1),
    the same number at the width of each level."""
    yield code
    if code.isdigit():
        for width in sorted(set(CODE_WIDTH.values())):
            if len(code) < width:
                yield code.zfill(width)


def _valid_on(row, day):
    return (row.valid_from is None or row.valid_from <= day) and (row.valid_to is None or day <= row.valid_to)


def _check_cycles(rows, by_id, errors):
    """Follow each row's parents (new ones from the file, old ones from the database) up to the
    root; meeting the row again is a cycle."""
    row_for_unit = {row.existing.pk: row for row in rows if row.existing}
    limit = len(rows) + len(by_id) + 1
    for row in rows:
        if row.parent is None:
            continue
        node, steps = row.parent, 0
        while node is not None and steps < limit:
            if isinstance(node, AdministrativeUnit) and node.pk in row_for_unit:
                node = row_for_unit[node.pk]  # the file's version of that unit decides its parent
            if node is row:
                errors.append(
                    RowError(
                        row.row,
                        "parent_code",
                        _("Unit %(code)s would sit under itself (a cycle through %(parent)s).")
                        % {"code": row.code, "parent": row.parent_code},
                    )
                )
                break
            node = node.parent if isinstance(node, UnitRow) else by_id.get(node.parent_id)
            steps += 1


def _parent_id_of(row):
    if row.parent is None:
        return None
    return row.parent.unit.pk if isinstance(row.parent, UnitRow) else row.parent.pk


def _row_changes(row):
    unit = row.existing
    parent = row.parent
    if isinstance(parent, UnitRow):
        parent_same = parent.existing is not None and parent.existing.pk == unit.parent_id
    else:
        parent_same = (parent.pk if parent else None) == unit.parent_id
    return not (unit.name == row.name and unit.kind == row.kind and unit.valid_to == row.valid_to and parent_same)


@transaction.atomic
def _write(rows, user, reason):
    """Write parents before children, in waves: one bulk insert and one bulk update a wave,
    each with its history rows (bulk writes send no signals, so simple_history's utilities
    write them: the user, the reason, "+" created or "~" changed)."""
    written = set()
    pending = list(rows)
    while pending:
        wave = [r for r in pending if not isinstance(r.parent, UnitRow) or id(r.parent) in written]
        if not wave:  # cannot happen after _check_cycles; never loop for ever
            raise RuntimeError("unit import: parent order could not be resolved")
        _write_wave(wave, user, reason[:100])
        written.update(id(r) for r in wave)
        pending = [r for r in pending if id(r) not in written]
    bump_data_version()


def _write_wave(wave, user, reason):
    parents = {}
    for row in wave:
        pid = _parent_id_of(row)
        if pid is not None:
            parents[pid] = None
    paths = dict(AdministrativeUnit.objects.filter(pk__in=parents).values_list("pk", "path"))
    new_units, changed, moves = [], [], []
    for row in wave:
        unit = row.existing or AdministrativeUnit(code=row.code, level=row.level, valid_from=row.valid_from)
        if row.existing and not _row_changes(row):
            row.unit = unit
            continue
        unit.name, unit.kind, unit.valid_to = row.name, row.kind, row.valid_to
        unit.parent_id = _parent_id_of(row)
        unit.refresh_search_name()
        row.unit = unit
        if row.existing is None:
            new_units.append(unit)
        else:
            new_path = f"{paths.get(unit.parent_id, '')}{unit.pk}/"
            if new_path != unit.path:
                moves.append((unit.path, new_path))
                unit.path = new_path
            changed.append(unit)
    history = {"default_user": user, "default_change_reason": reason}
    # `path` is not in the history (see the model), so history rows written before the paths
    # below are complete.
    bulk_create_with_history(new_units, AdministrativeUnit, batch_size=1000, **history)
    if new_units:
        # New paths in one UPDATE: the parent's path, then the new id (known only now).
        # bulk_update would send a CASE per row, a hundred times slower for a national register.
        parent_path = AdministrativeUnit.objects.filter(pk=OuterRef("parent_id")).values("path")[:1]
        AdministrativeUnit.objects.filter(pk__in=[u.pk for u in new_units]).update(
            path=Concat(Coalesce(Subquery(parent_path), Value("")), Cast("pk", CharField()), Value("/"))
        )
        for unit in new_units:
            unit.path = f"{paths.get(unit.parent_id, '')}{unit.pk}/"
    if changed:
        bulk_update_with_history(
            changed,
            AdministrativeUnit,
            ["name", "kind", "valid_to", "parent", "path", "search_name"],
            batch_size=500,
            **history,
        )
    for old_path, new_path in moves:
        _move_subtree(old_path, new_path)


# ---------------------------------------------------------------------------------------------
# Memberships: who has which role where. They decide what each person sees (and so what
# their cached dashboards hold), so they are the administrators' to change, like the register.


def _membership_refusal() -> str:
    return _("Only administrators can grant, change or remove roles.")


def membership_save(*, user: AbstractBaseUser | None, membership: Membership, reason: str = "") -> Membership:
    """Create or change a membership (person, unit, role) on behalf of `user`."""
    _require_administrator(user, _membership_refusal())
    with transaction.atomic():
        membership.full_clean()
        _with_history(membership, user, reason)
        membership.save()
        bump_data_version()
    scoping.forget(membership.user)  # the memberships read earlier on this user object are out of date
    return membership


def membership_grant(
    *, user: AbstractBaseUser | None, member: AbstractBaseUser, unit: AdministrativeUnit, role: str, reason: str = ""
) -> Membership:
    """Give `member` the `role` on `unit` (and everything below it)."""
    return membership_save(user=user, membership=Membership(user=member, unit=unit, role=role), reason=reason)


def membership_revoke(*, user: AbstractBaseUser | None, membership: Membership, reason: str = "") -> None:
    """Take a role away."""
    _require_administrator(user, _membership_refusal())
    with transaction.atomic():
        _membership_delete(membership, user, reason)
        bump_data_version()
    scoping.forget(membership.user)


def _membership_delete(membership, user, reason):
    _with_history(membership, user, reason)
    membership.delete()
