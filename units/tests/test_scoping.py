import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from units import scoping
from units.models import AdministrativeUnit, Level, Membership, Role
from units.selectors import memberships_of
from units.testing import grant, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


def _codes(qs):
    return set(qs.values_list("code", flat=True))


def test_a_district_editor_sees_and_edits_its_district_and_communes_only(tree, editor):
    assert _codes(scoping.units_visible_to(editor)) == {"991", "99101", "99103"}
    assert _codes(scoping.units_editable_by(editor)) == {"991", "99101", "99103"}
    assert not scoping.units_reviewable_by(editor).exists()
    assert scoping.can(editor, scoping.EDIT, tree["commune_a1"])
    assert not scoping.can(editor, scoping.VIEW, tree["commune_b1"])
    assert not scoping.can(editor, scoping.VIEW, tree["province"])


def test_a_province_reviewer_may_view_edit_and_review_the_whole_province(tree, reviewer):
    everything_below = _codes(AdministrativeUnit.objects.subtree_of(tree["province"]))
    assert _codes(scoping.units_reviewable_by(reviewer)) == everything_below
    assert _codes(scoping.units_editable_by(reviewer)) == everything_below
    assert not scoping.can(reviewer, scoping.VIEW, tree["nation"])


def test_a_leader_reads_but_does_not_edit(tree, leader):
    assert scoping.can(leader, scoping.VIEW, tree["commune_b1"])
    assert not scoping.can(leader, scoping.EDIT, tree["commune_b1"])
    assert not scoping.units_editable_by(leader).exists()


def test_roles_on_several_units_add_up(tree, editor):
    grant(editor, tree["commune_b1"], Role.VIEWER)
    scoping.forget(editor)
    assert _codes(scoping.units_visible_to(editor)) == {"991", "99101", "99103", "99201"}
    assert _codes(scoping.units_editable_by(editor)) == {"991", "99101", "99103"}


def test_a_user_without_memberships_sees_nothing_and_staff_see_everything(tree, alice, staff):
    assert not scoping.units_visible_to(alice).exists()
    assert scoping.units_visible_to(staff).count() == AdministrativeUnit.objects.count()
    with pytest.raises(Http404):
        scoping.get_unit_for(alice, tree["district_a"].pk)


def test_an_out_of_scope_or_missing_unit_is_a_404(tree, editor):
    assert scoping.get_unit_for(editor, tree["commune_a2"].pk) == tree["commune_a2"]
    with pytest.raises(Http404):
        scoping.get_unit_for(editor, tree["commune_b1"].pk)
    with pytest.raises(Http404):
        scoping.get_unit_for(editor, 999999)
    with pytest.raises(PermissionDenied, match="Only reviewers"):
        scoping.get_unit_for(editor, tree["commune_a2"].pk, scoping.REVIEW)


def test_memberships_are_read_once_per_user_object(tree, editor, django_assert_num_queries):
    with django_assert_num_queries(1):  # the memberships, with their units
        scoping.scope_paths(editor, scoping.VIEW)
    with django_assert_num_queries(0):
        scoping.can(editor, scoping.EDIT, tree["commune_a1"])
        scoping.scope_paths(editor, scoping.REVIEW)
        # The page header lists the same memberships, from the same read.
        assert [m.unit.code for m in memberships_of(user=editor)] == ["991"]


def test_a_membership_granted_later_is_seen_once_the_user_is_forgotten(tree, editor):
    assert [m.unit.code for m in memberships_of(user=editor)] == ["991"]
    Membership.objects.create(user=editor, unit=tree["commune_b1"], role=Role.VIEWER)
    assert [m.unit.code for m in memberships_of(user=editor)] == ["991"]  # read once per user object
    scoping.forget(editor)  # what units.testing.grant() does after granting
    assert [m.unit.code for m in memberships_of(user=editor)] == ["991", "99201"]
    assert scoping.can(editor, scoping.VIEW, tree["commune_b1"])


@pytest.mark.parametrize("communes", [3, 30])
def test_the_subtree_of_a_province_is_one_query_whatever_its_size(tree, communes, django_assert_num_queries):
    district = tree["district_a"]
    for i in range(communes):
        make_unit(f"98{i:03d}", level=Level.COMMUNE, parent=district)
    with django_assert_num_queries(1):  # SELECT … WHERE path LIKE '1/2/%'
        units = list(AdministrativeUnit.objects.subtree_of(tree["province"]))
    assert len(units) == 7 - 1 + communes  # the tree below the nation, plus the new communes


def test_the_subtree_query_uses_the_path_prefix():
    sql = str(AdministrativeUnit.objects.filter(path__startswith="1/2/").query)
    assert "LIKE" in sql.upper()
