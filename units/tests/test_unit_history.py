"""Every change to the register leaves a history row naming the user, with old → new."""

import datetime
import io

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from import_export.formats.base_formats import CSV

from units.admin import AdministrativeUnitAdmin
from units.models import AdministrativeUnit, Level, Membership

pytestmark = pytest.mark.django_db

HEADERS = ["code", "name", "level", "kind", "parent_code", "valid_from", "valid_to"]


def _form(unit, **changes):
    data = {
        "code": unit.code,
        "name": unit.name,
        "level": unit.level,
        "kind": unit.kind,
        "parent": unit.parent_id or "",
        "valid_from": unit.valid_from.strftime("%d/%m/%Y") if unit.valid_from else "",
        "valid_to": unit.valid_to.strftime("%d/%m/%Y") if unit.valid_to else "",
    }
    data.update(changes)
    return data


def _changes(unit):
    """(field, old, new) of the unit's latest change, and its history row."""
    new, old = AdministrativeUnit.history.filter(id=unit.pk)[:2]
    return [(c.field, c.old, c.new) for c in new.diff_against(old).changes], new


def _change_in_admin(client, staff, unit, **changes):
    client.force_login(staff)
    r = client.post(reverse("admin:units_administrativeunit_change", args=[unit.pk]), _form(unit, **changes))
    assert r.status_code == 302, r.content.decode()[:3000]


def test_renaming_a_unit_in_the_admin_records_the_user_and_both_names(client, tree, staff):
    _change_in_admin(client, staff, tree["district_a"], name="Thị xã Châu Thành")
    changes, row = _changes(tree["district_a"])
    assert changes == [("name", "Huyện Châu Thành", "Thị xã Châu Thành")]
    assert row.history_user == staff and row.history_type == "~"


def test_moving_a_unit_in_the_admin_records_the_old_and_new_parent(client, tree, staff):
    commune = tree["commune_a2"]
    _change_in_admin(client, staff, commune, parent=tree["district_b"].pk)
    changes, row = _changes(commune)
    assert changes == [("parent", tree["district_a"].pk, tree["district_b"].pk)]
    assert row.history_user == staff


def test_ending_a_unit_in_the_admin_records_its_validity(client, tree, staff):
    _change_in_admin(client, staff, tree["commune_a2"], valid_to="30/06/2025")
    changes, row = _changes(tree["commune_a2"])
    assert changes == [("valid_to", None, datetime.date(2025, 6, 30))]
    assert row.history_user == staff


def test_creating_a_unit_in_the_admin_records_who_created_it(client, tree, staff):
    client.force_login(staff)
    r = client.post(
        reverse("admin:units_administrativeunit_add"),
        {
            "code": "99105",
            "name": "Xã Tam Hiệp",
            "level": Level.COMMUNE,
            "kind": "committee",
            "parent": tree["district_a"].pk,
        },
    )
    assert r.status_code == 302
    row = AdministrativeUnit.history.get(code="99105")
    assert (row.history_type, row.history_user, row.name) == ("+", staff, "Xã Tam Hiệp")


def test_deleting_a_unit_in_the_admin_records_it_and_the_roles_held_on_it(client, tree, staff, editor):
    commune = tree["commune_a2"]
    Membership.objects.create(user=editor, unit=commune, role="viewer")
    client.force_login(staff)
    r = client.post(reverse("admin:units_administrativeunit_delete", args=[commune.pk]), {"post": "yes"})
    assert r.status_code == 302
    assert not AdministrativeUnit.objects.filter(pk=commune.pk).exists()
    gone = AdministrativeUnit.history.filter(id=commune.pk).first()
    assert (gone.history_type, gone.history_user, gone.name) == ("-", staff, "Xã Long Định")
    role = Membership.history.filter(unit_id=commune.pk).first()
    assert (role.history_type, role.history_user) == ("-", staff)


def test_reverting_a_rename_from_the_admin_history_records_it_and_keeps_paths(client, tree, staff):
    district = tree["district_a"]
    _change_in_admin(client, staff, district, name="Thị xã Châu Thành")
    first = AdministrativeUnit.history.filter(id=district.pk).last()  # as created
    r = client.post(
        reverse("admin:units_administrativeunit_simple_history", args=[district.pk, first.history_id]),
        _form(first.instance),
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    district.refresh_from_db()
    assert district.name == "Huyện Châu Thành"
    assert district.path == f"{tree['province'].path}{district.pk}/"
    commune = AdministrativeUnit.objects.get(pk=tree["commune_a1"].pk)
    assert commune.path == f"{district.path}{commune.pk}/"
    changes, row = _changes(district)
    assert ("name", "Thị xã Châu Thành", "Huyện Châu Thành") in changes and row.history_user == staff


def test_the_admin_import_records_the_user_and_the_file_for_new_and_changed_units(client, tree, staff):
    """Through the admin's import as an administrator uses it: the upload becomes a job that the
    worker checks (the preview), then writes once confirmed."""
    from indicators import jobs
    from indicators.models import ImportJob

    data = tablib.Dataset(
        ["99105", "Xã Tam Hiệp", "commune", "", "991", "", ""],
        ["991", "Thị xã Châu Thành", "district", "", "99", "", ""],
        headers=HEADERS,
    )
    client.force_login(staff)
    csv_index = [f.__name__ for f in AdministrativeUnitAdmin(AdministrativeUnit, None).get_import_formats()].index(
        "GuardedCSV"
    )
    upload = ("units.csv", CSV().export_data(data).encode(), "text/csv")
    r = client.post(
        reverse("admin:units_administrativeunit_import"),
        {"import_file": SimpleUploadedFile(*upload), "format": csv_index, "resource": 0},
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    jobs.work(once=True)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.READY, (job.message, job.errors)
    assert not AdministrativeUnit.objects.filter(code="99105").exists()  # the preview saves nothing
    assert client.post(reverse("indicators:import-confirm", args=[job.pk])).status_code == 302
    jobs.work(once=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE

    created = AdministrativeUnit.history.get(code="99105")
    assert (created.history_type, created.history_user, created.history_change_reason) == (
        "+",
        staff,
        "nhập từ units.csv",
    )
    changes, row = _changes(tree["district_a"])
    assert changes == [("name", "Huyện Châu Thành", "Thị xã Châu Thành")]
    assert (row.history_user, row.history_change_reason) == (staff, "nhập từ units.csv")


def test_import_units_names_the_administrator_given_with_user(tmp_path, tree, staff):
    path = tmp_path / "doi-ten.csv"
    path.write_text(",".join(HEADERS) + "\n99103,Xã Long Định Mới,commune,,991,,\n", encoding="utf-8")
    call_command("import_units", str(path), "--user", staff.username, stdout=io.StringIO())
    changes, row = _changes(tree["commune_a2"])
    assert changes == [("name", "Xã Long Định", "Xã Long Định Mới")]
    assert row.history_user == staff and "doi-ten.csv" in row.history_change_reason


def test_import_units_without_user_still_records_the_file(tmp_path, tree):
    path = tmp_path / "ket-thuc.csv"
    path.write_text(",".join(HEADERS) + "\n99103,Xã Long Định,commune,,991,,30/06/2025\n", encoding="utf-8")
    call_command("import_units", str(path), stdout=io.StringIO())
    changes, row = _changes(tree["commune_a2"])
    assert changes == [("valid_to", None, datetime.date(2025, 6, 30))]
    assert row.history_user is None and "ket-thuc.csv" in row.history_change_reason


def test_import_units_refuses_a_user_who_is_not_an_administrator(tmp_path, tree, editor):
    path = tmp_path / "units.csv"
    path.write_text(",".join(HEADERS) + "\n99103,Xã Khác,commune,,991,,\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_units", str(path), "--user", editor.username)
    assert AdministrativeUnit.objects.get(pk=tree["commune_a2"].pk).name == "Xã Long Định"


def test_a_moved_district_records_one_change_and_its_communes_none(client, tree, staff):
    """The communes' paths follow in one UPDATE; their own recorded fields did not change."""
    before = AdministrativeUnit.history.filter(id=tree["commune_a1"].pk).count()
    other = AdministrativeUnit.objects.create(code="98", name="Tỉnh Khác", level=Level.PROVINCE, parent=tree["nation"])
    AdministrativeUnit.objects.filter(pk=other.pk).update(path=f"{tree['nation'].path}{other.pk}/")
    _change_in_admin(client, staff, tree["district_a"], parent=other.pk)
    assert AdministrativeUnit.history.filter(id=tree["commune_a1"].pk).count() == before
    changes, _row = _changes(tree["district_a"])
    assert changes == [("parent", tree["province"].pk, other.pk)]


def test_recording_a_merger_in_the_admin_keeps_who_did_it_and_refreshes_dashboards(client, tree, staff):
    from parc.lib.cache import data_version
    from units.models import UnitSuccession

    before = data_version()
    client.force_login(staff)
    r = client.post(
        reverse("admin:units_unitsuccession_add"),
        {
            "kind": "merge",
            "date": "01/07/2025",
            "predecessors": [tree["commune_a1"].pk, tree["commune_a2"].pk],
            "successors": [tree["district_a"].pk],
            "legal_basis": "NQ 1/2025",
            "note": "",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    rows = list(UnitSuccession.history.order_by("history_id"))  # created, then each side of the m2m set
    assert (rows[0].history_type, rows[0].legal_basis) == ("+", "NQ 1/2025")
    assert {row.history_user for row in rows} == {staff}
    assert {u.administrativeunit_id for u in rows[-1].predecessors.all()} == {
        tree["commune_a1"].pk,
        tree["commune_a2"].pk,
    }
    assert data_version() > before
