import pytest
import tablib
from django.urls import reverse
from django.utils import translation

from units.models import AdministrativeUnit, Level
from units.resources import UnitResource

pytestmark = pytest.mark.django_db

HEADERS = ["code", "name", "level", "kind", "parent_code", "valid_from", "valid_to"]


def _dataset(*rows):
    return tablib.Dataset(*rows, headers=HEADERS)


def test_the_admin_import_previews_then_saves_through_the_register_rules(tree):
    data = _dataset(
        ["99105", "Xã Tam Hiệp", "commune", "", "991", "", ""],
        ["99101", "Thị trấn Tân Hiệp", "commune", "", "991", "", ""],
    )
    preview = UnitResource().import_data(data, dry_run=True)
    assert not preview.has_validation_errors()
    assert [row.import_type for row in preview.rows] == ["new", "skip"]
    assert not AdministrativeUnit.objects.filter(code="99105").exists()

    UnitResource().import_data(data, dry_run=False)
    unit = AdministrativeUnit.objects.get(code="99105")
    assert unit.parent == tree["district_a"]
    assert unit.path == f"{tree['district_a'].path}{unit.pk}/"


def test_the_admin_import_lists_bad_rows_by_number_and_saves_nothing(tree):
    data = _dataset(
        ["99105", "Xã Tam Hiệp", "commune", "", "991", "", ""],
        ["99107", "Xã Bình Đức", "commune", "", "nowhere", "", ""],
        ["99109", "", "commune", "", "991", "", ""],
    )
    with translation.override("vi"):
        result = UnitResource().import_data(data, dry_run=False)
    assert result.has_validation_errors()
    errors = {row.number: row.error_dict for row in result.invalid_rows}
    assert set(errors) == {3, 4}
    assert "Không tìm thấy đơn vị cấp trên nowhere" in errors[3]["parent_code"][0]
    assert errors[4]["name"] == ["Chưa có tên."]
    assert not AdministrativeUnit.objects.filter(code__in=["99105", "99107", "99109"]).exists()


def test_the_admin_import_names_a_missing_column():
    data = tablib.Dataset(["99", "Tỉnh"], headers=["code", "name"])
    result = UnitResource().import_data(data, dry_run=True)
    assert result.invalid_rows[0].number == 1
    assert "level" in result.invalid_rows[0].error_dict


def test_the_export_is_keyed_by_codes(tree):
    exported = UnitResource().export()
    row = dict(zip(exported.headers, exported[[r[0] for r in exported].index("99101")], strict=True))
    assert row["parent_code"] == "991"
    assert "id" not in exported.headers


def test_the_admin_form_refuses_a_commune_directly_under_the_nation(client, tree, staff):
    client.force_login(staff)
    r = client.post(
        reverse("admin:units_administrativeunit_add"),
        {"code": "99131", "name": "Xã Lạc", "level": Level.COMMUNE, "kind": "committee", "parent": tree["nation"].pk},
    )
    assert r.status_code == 200
    assert "không thể trực thuộc trực tiếp" in r.content.decode()
    assert not AdministrativeUnit.objects.filter(code="99131").exists()


def test_the_admin_form_refuses_a_code_already_in_force(client, tree, staff):
    client.force_login(staff)
    r = client.post(
        reverse("admin:units_administrativeunit_add"),
        {
            "code": "99101",
            "name": "Bản sao",
            "level": Level.COMMUNE,
            "kind": "committee",
            "parent": tree["district_a"].pk,
        },
    )
    assert "đã được dùng cho Thị trấn Tân Hiệp" in r.content.decode()


def test_moving_a_district_in_the_admin_moves_its_communes_paths(client, tree, staff):
    from units.testing import make_unit

    other = make_unit("98", "Tỉnh Khác", Level.PROVINCE, tree["nation"])
    district = tree["district_a"]
    client.force_login(staff)
    r = client.post(
        reverse("admin:units_administrativeunit_change", args=[district.pk]),
        {"code": "991", "name": district.name, "level": Level.DISTRICT, "kind": "committee", "parent": other.pk},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    commune = AdministrativeUnit.objects.get(code="99101")
    assert commune.path.startswith(other.path)
    assert set(AdministrativeUnit.objects.subtree_of(other).values_list("code", flat=True)) == {
        "98",
        "991",
        "99101",
        "99103",
    }


def test_the_admin_lists_searches_and_offers_import(client, tree, staff):
    client.force_login(staff)
    r = client.get(reverse("admin:units_administrativeunit_changelist"), {"q": "chau thanh"})
    assert r.status_code == 200 and "Huyện Châu Thành" in r.content.decode()
    assert client.get(reverse("admin:units_administrativeunit_import")).status_code == 200
    assert client.get(reverse("admin:units_membership_changelist")).status_code == 200
