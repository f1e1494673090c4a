"""The criteria tree's rules, checked on plain nodes so an import can be checked before anything
is written and an issued set can be checked as stored.

A node's code says where it sits: "3" is a field, "3.2" a criterion of field 3, "3.2.1" a
sub-criterion of 3.2 (spreadsheets people already keep number criteria this way).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from parc.lib.numbers import decimal_places, format_number


@dataclass
class Node:
    code: str
    title: str
    maximum: Decimal
    survey_maximum: Decimal = Decimal(0)
    guidance: str = ""
    row: int | None = None  # the spreadsheet row it came from, when imported
    children: list = field(default_factory=list)

    @property
    def parent_code(self):
        return self.code.rpartition(".")[0] or None


def _n(value):
    return format_number(value, 2)


def build(nodes):
    """Link nodes to their parents; returns (fields, problems). Problems name the code (and row)."""
    problems = []
    by_code = {}
    for node in nodes:
        node.children = []
        if node.code in by_code:
            problems.append(_where(node) + _("the code %(code)s is used twice.") % {"code": node.code})
            continue
        by_code[node.code] = node
    fields = []
    for node in by_code.values():
        parent_code = node.parent_code
        if parent_code is None:
            fields.append(node)
        elif parent_code in by_code:
            by_code[parent_code].children.append(node)
        else:
            problems.append(
                _where(node)
                + _("criterion %(code)s has no parent %(parent)s in the set.")
                % {"code": node.code, "parent": parent_code}
            )
    return fields, problems


def in_tree_order(fields):
    """The nodes parents first (each field, then its criteria depth first), whatever order the
    file gave them in; siblings keep the file's order."""
    ordered = []

    def walk(node):
        ordered.append(node)
        for child in node.children:
            walk(child)

    for top in fields:
        walk(top)
    return ordered


def _where(node):
    return _("Row %(row)s: ") % {"row": node.row} if node.row else ""


def _name(node):
    return f"{node.code} “{node.title}”"


def problems(nodes, total):
    """Everything that keeps the tree from being issued, each naming its branch."""
    fields, found = build(nodes)
    if not fields:
        return found + [_("The set has no fields yet: import its criteria or copy last year's.")]
    for node in nodes:
        if any(decimal_places(v) > 2 for v in (node.maximum, node.survey_maximum) if v is not None):
            found.append(_where(node) + _("%(node)s: points have at most two decimals.") % {"node": _name(node)})
        if node.maximum is None or node.maximum <= 0:
            found.append(_where(node) + _("%(node)s: the maximum must be above zero.") % {"node": _name(node)})
        elif not 0 <= (node.survey_maximum or 0) <= node.maximum:
            found.append(
                _where(node)
                + _("%(node)s: the survey part must lie between 0 and the maximum (%(max)s).")
                % {"node": _name(node), "max": _n(node.maximum)}
            )
    if found:
        return found
    sums = (
        ("maximum", _("Branch %(node)s: its criteria add up to %(added)s, not its maximum %(max)s.")),
        ("survey_maximum", _("Branch %(node)s: the survey parts below it add up to %(added)s, not its own %(max)s.")),
    )
    for node in nodes:
        for attribute, message in sums if node.children else ():
            added = sum((getattr(c, attribute) for c in node.children), Decimal(0))
            if added != getattr(node, attribute):
                found.append(
                    _where(node)
                    + message % {"node": _name(node), "added": _n(added), "max": _n(getattr(node, attribute))}
                )
    added = sum((f.maximum for f in fields), Decimal(0))
    if added != total:
        found.append(
            _("The fields add up to %(added)s, not the set's total %(total)s.")
            % {"added": _n(added), "total": _n(total)}
        )
    return found
