"""Roles are granted, changed and taken away by administrators, each change kept with its user."""

import pytest
import tablib
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from parc.lib.cache import data_version
from units import scoping, services
from units.models import Membership, Role
from units.resources import MembershipResource
from units.testing import grant

pytestmark = pytest.mark.django_db


def _latest(membership_id):
    return Membership.history.filter(id=membership_id).first()


def test_granting_a_role_records_the_administrator_who_granted_it(tree, staff, alice):
    membership = services.membership_grant(user=staff, member=alice, unit=tree["district_a"], role=Role.VIEWER)
    row = _latest(membership.pk)
    assert (row.history_type, row.history_user, row.role, row.unit_id) == ("+", staff, "viewer", tree["district_a"].pk)
    assert scoping.can(alice, scoping.VIEW, tree["commune_a1"])  # the scope read before is not kept


def test_the_testing_grant_goes_through_the_service(tree, staff, alice):
    grant(alice, tree["district_b"], Role.EDITOR, by=staff)
    membership = Membership.objects.get(user=alice)
    assert _latest(membership.pk).history_user == staff


def test_changing_a_role_in_the_admin_records_old_and_new_role(client, tree, staff, editor):
    membership = Membership.objects.get(user=editor)
    client.force_login(staff)
    r = client.post(
        reverse("admin:units_membership_change", args=[membership.pk]),
        {"user": editor.pk, "unit": tree["district_a"].pk, "role": Role.REVIEWER},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    new, old = Membership.history.filter(id=membership.pk)[:2]
    assert [(c.field, c.old, c.new) for c in new.diff_against(old).changes] == [("role", "editor", "reviewer")]
    assert new.history_user == staff


def test_adding_a_role_in_the_admin_records_the_user(client, tree, staff, alice):
    client.force_login(staff)
    r = client.post(
        reverse("admin:units_membership_add"), {"user": alice.pk, "unit": tree["province"].pk, "role": Role.VIEWER}
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    row = Membership.history.get(user_id=alice.pk)
    assert (row.history_type, row.history_user) == ("+", staff)


def test_removing_a_role_in_the_admin_records_who_removed_it(client, tree, staff, editor):
    membership = Membership.objects.get(user=editor)
    client.force_login(staff)
    r = client.post(reverse("admin:units_membership_delete", args=[membership.pk]), {"post": "yes"})
    assert r.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    row = _latest(membership.pk)
    assert (row.history_type, row.history_user) == ("-", staff)


def test_removing_roles_in_bulk_in_the_admin_records_each(client, tree, staff, editor, outsider):
    ids = list(Membership.objects.filter(user__in=[editor, outsider]).values_list("pk", flat=True))
    client.force_login(staff)
    r = client.post(
        reverse("admin:units_membership_changelist"),
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert r.status_code == 302
    assert not Membership.objects.filter(pk__in=ids).exists()
    assert all(_latest(pk).history_type == "-" and _latest(pk).history_user == staff for pk in ids)


def test_the_membership_import_records_the_user_and_the_file(tree, staff, alice):
    data = tablib.Dataset(["alice", "991", "viewer"], headers=["username", "unit_code", "role"])
    result = MembershipResource().import_data(data, dry_run=False, user=staff, file_name="vai-tro.xlsx")
    assert not result.has_errors() and not result.has_validation_errors()
    row = Membership.history.get(user_id=alice.pk)
    assert (row.history_user, row.history_change_reason) == (staff, "nhập từ vai-tro.xlsx")


def test_a_role_change_bumps_the_data_version(tree, staff, alice, editor):
    before = data_version()
    services.membership_grant(user=staff, member=alice, unit=tree["district_a"], role=Role.VIEWER)
    granted = data_version()
    assert granted > before
    services.membership_revoke(user=staff, membership=Membership.objects.get(user=editor))
    assert data_version() > granted


def test_a_reviewer_cannot_grant_a_role_and_nothing_is_written(tree, reviewer, alice):
    before = data_version()
    with translation.override("vi"), pytest.raises(PermissionDenied) as refused:
        services.membership_grant(user=reviewer, member=alice, unit=tree["commune_a1"], role=Role.EDITOR)
    assert str(refused.value) == "Chỉ quản trị viên mới được cấp, thay đổi hoặc thu hồi vai trò."
    assert not Membership.objects.filter(user=alice).exists()
    assert not Membership.history.filter(user_id=alice.pk).exists()
    assert data_version() == before


def test_an_editor_cannot_take_away_a_role(tree, editor, outsider):
    membership = Membership.objects.get(user=outsider)
    with pytest.raises(PermissionDenied):
        services.membership_revoke(user=editor, membership=membership)
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_the_membership_import_refuses_a_non_administrator(tree, editor, alice):
    data = tablib.Dataset(["alice", "991", "reviewer"], headers=["username", "unit_code", "role"])
    result = MembershipResource().import_data(data, dry_run=False, user=editor, use_transactions=True)
    assert result.has_errors()
    assert not Membership.objects.filter(user=alice).exists()
