"""The register's services check who writes, and every write refreshes cached dashboards."""

import io

import pytest
import tablib
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from indicators.testing import make_period
from parc.lib.cache import data_version
from units import services
from units.models import AdministrativeUnit, Level
from units.resources import UnitResource

pytestmark = pytest.mark.django_db

NEW_COMMUNE = [(2, {"code": "99105", "name": "Xã Tam Hiệp", "level": "commune", "parent_code": "991"})]


def _unit(tree, key):
    return AdministrativeUnit.objects.get(pk=tree[key].pk)


# Refusals -------------------------------------------------------------------------------------


def test_an_editor_cannot_rename_a_unit_and_nothing_is_written(tree, editor):
    unit = _unit(tree, "commune_a1")
    unit.name = "Phường Tân Hiệp"
    rows = AdministrativeUnit.history.count()
    before = data_version()
    with translation.override("vi"), pytest.raises(PermissionDenied) as refused:
        services.unit_save(user=editor, unit=unit)
    assert str(refused.value) == "Chỉ quản trị viên mới được thay đổi danh mục đơn vị hành chính."
    assert _unit(tree, "commune_a1").name == "Thị trấn Tân Hiệp"
    assert AdministrativeUnit.history.count() == rows
    assert data_version() == before


def test_the_refusal_is_in_english_for_an_english_user(tree, reviewer):
    with translation.override("en"), pytest.raises(PermissionDenied) as refused:
        services.unit_save(user=reviewer, unit=_unit(tree, "district_a"))
    assert str(refused.value) == "Only administrators can change the unit register."


def test_a_reviewer_cannot_import_units_not_even_as_a_dry_run(tree, reviewer):
    for dry_run in (True, False):
        with pytest.raises(PermissionDenied):
            services.units_import(user=reviewer, records=NEW_COMMUNE, dry_run=dry_run)
    assert not AdministrativeUnit.objects.filter(code="99105").exists()


def test_the_admin_import_refuses_a_non_administrator(tree, leader):
    data = tablib.Dataset(["99105", "Xã Tam Hiệp", "commune", "", "991", "", ""], headers=services.COLUMNS)
    with pytest.raises(PermissionDenied):
        UnitResource().import_data(data, dry_run=False, user=leader)
    assert not AdministrativeUnit.objects.filter(code="99105").exists()


def test_an_editor_cannot_delete_a_unit(tree, editor):
    with pytest.raises(PermissionDenied):
        services.unit_delete(user=editor, unit=_unit(tree, "commune_a2"))
    assert AdministrativeUnit.objects.filter(pk=tree["commune_a2"].pk).exists()


def test_an_inactive_administrator_is_refused(tree, staff):
    staff.is_active = False
    with pytest.raises(PermissionDenied):
        services.units_import(user=staff, records=NEW_COMMUNE)
    assert not AdministrativeUnit.objects.filter(code="99105").exists()


def test_an_administrator_may_rename_a_unit(tree, staff):
    unit = _unit(tree, "commune_a1")
    unit.name = "Phường Tân Hiệp"
    services.unit_save(user=staff, unit=unit)
    assert _unit(tree, "commune_a1").search_name.startswith("phuong tan hiep")


# The data version ------------------------------------------------------------------------------


def test_renaming_a_unit_in_the_admin_bumps_the_data_version(client, tree, staff):
    unit = tree["district_a"]
    before = data_version()
    client.force_login(staff)
    r = client.post(
        reverse("admin:units_administrativeunit_change", args=[unit.pk]),
        {
            "code": "991",
            "name": "Thị xã Châu Thành",
            "level": Level.DISTRICT,
            "kind": "committee",
            "parent": tree["province"].pk,
        },
    )
    assert r.status_code == 302
    assert data_version() > before


def test_deleting_a_unit_bumps_the_data_version(tree, staff):
    before = data_version()
    services.unit_delete(user=staff, unit=_unit(tree, "commune_a2"))
    assert data_version() > before


def test_importing_units_bumps_the_data_version_and_a_dry_run_does_not(tree, staff):
    before = data_version()
    services.units_import(user=staff, records=NEW_COMMUNE, dry_run=True)
    assert data_version() == before
    services.units_import(user=staff, records=NEW_COMMUNE)
    assert data_version() > before


def test_load_units_bumps_the_data_version(db):
    before = data_version()
    call_command("load_units", "--register", "vn-2025", stdout=io.StringIO())
    assert data_version() > before
    hanoi = AdministrativeUnit.history.get(code="01")
    assert hanoi.history_type == "+" and "vn-2025" in hanoi.history_change_reason


def test_a_cached_dashboard_shows_a_renamed_commune_on_the_next_load(client, tree, leader, staff):
    make_period(2026, "Q2")
    url = reverse("dashboards:unit", args=[tree["district_a"].pk])
    client.force_login(leader)
    assert "Thị trấn Tân Hiệp" in client.get(url, {"nam": 2026, "ky": "Q2"}).content.decode()
    commune = _unit(tree, "commune_a1")
    commune.name = "Phường Tân Hiệp"
    services.unit_save(user=staff, unit=commune)
    body = client.get(url, {"nam": 2026, "ky": "Q2"}).content.decode()
    assert "Phường Tân Hiệp" in body and "Thị trấn Tân Hiệp" not in body
