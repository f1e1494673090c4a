import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from units.models import AdministrativeUnit, Level
from units.selectors import unit_by_code
from units.services import units_import

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English here; test_errors_are_in_vietnamese… checks the translation."""
    from django.utils import translation

    with translation.override("en"):
        yield


HEADER = "code;name;level;kind;parent_code;valid_from;valid_to"
BASE = [
    "VN;Việt Nam;nation;committee;;;",
    "99;Tỉnh Bình Giang;tỉnh;UBND;VN;01/01/2015;",
    "991;Huyện Châu Thành;huyện;;99;2015-01-01;",
    "99101;Thị trấn Tân Hiệp;xã;;991;01/01/2015;",
    "99.SNV;Sở Nội vụ;province;agency;99;01/01/2015;",
]


def _csv(tmp_path, lines, name="units.csv", bom=True):
    path = tmp_path / name
    text = "\n".join([HEADER, *lines]) + "\n"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return str(path)


def _records(lines):
    keys = HEADER.split(";")
    return [(n, dict(zip(keys, line.split(";"), strict=True))) for n, line in enumerate(lines, start=2)]


def _import_fails(tmp_path, lines):
    with pytest.raises(CommandError) as exc:
        call_command("import_units", _csv(tmp_path, lines))
    return str(exc.value)


def test_it_imports_a_csv_register_with_bom_and_semicolons(tmp_path, capsys):
    call_command("import_units", _csv(tmp_path, BASE))
    assert "5 created" in capsys.readouterr().out
    commune = AdministrativeUnit.objects.get(code="99101")
    assert commune.parent.code == "991"
    assert commune.valid_from == datetime.date(2015, 1, 1)
    agency = AdministrativeUnit.objects.get(code="99.SNV")
    assert agency.kind == "agency" and agency.level == Level.PROVINCE
    assert agency.path.startswith(AdministrativeUnit.objects.get(code="99").path)


def test_it_imports_xlsx_with_comma_free_numeric_codes_padded(tmp_path, capsys):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER.split(";"))
    ws.append(["VN", "Việt Nam", "nation", "committee", None, None, None])
    ws.append([1, "Thành phố Hà Nội", "province", "committee", "VN", datetime.datetime(2025, 7, 1), None])
    ws.append([70, "Phường Hoàn Kiếm", "commune", None, 1, datetime.datetime(2025, 7, 1), None])
    path = tmp_path / "units.xlsx"
    wb.save(path)
    call_command("import_units", str(path))
    assert AdministrativeUnit.objects.get(code="01").name == "Thành phố Hà Nội"
    assert AdministrativeUnit.objects.get(code="00070").parent.code == "01"


def test_importing_twice_changes_nothing_and_a_new_name_updates_the_unit(tmp_path, capsys):
    call_command("import_units", _csv(tmp_path, BASE))
    pk = AdministrativeUnit.objects.get(code="991").pk
    capsys.readouterr()
    call_command("import_units", _csv(tmp_path, BASE))
    assert "0 created, 0 updated, 5 unchanged" in capsys.readouterr().out

    renamed = [line.replace("Huyện Châu Thành", "Thị xã Châu Thành") for line in BASE]
    call_command("import_units", _csv(tmp_path, renamed))
    assert "0 created, 1 updated, 4 unchanged" in capsys.readouterr().out
    unit = AdministrativeUnit.objects.get(code="991")
    assert unit.pk == pk and unit.name == "Thị xã Châu Thành"
    assert unit.search_name.startswith("thi xa chau thanh")


def test_a_unit_moved_to_another_parent_takes_its_subtree_along(tmp_path):
    call_command("import_units", _csv(tmp_path, [*BASE, "992;Huyện Tân Phước;huyện;;99;01/01/2015;"]))
    moved = [line.replace("99101;Thị trấn Tân Hiệp;xã;;991", "99101;Thị trấn Tân Hiệp;xã;;992") for line in BASE]
    call_command("import_units", _csv(tmp_path, moved))
    district_b = AdministrativeUnit.objects.get(code="992")
    commune = AdministrativeUnit.objects.get(code="99101")
    assert commune.parent == district_b
    assert commune.path == f"{district_b.path}{commune.pk}/"


def test_a_code_reused_after_a_merger_resolves_by_date(tmp_path):
    lines = [
        BASE[0],
        "82;Tiền Giang;province;;VN;01/01/2004;30/06/2025",
        "87;Đồng Tháp (cũ);province;;VN;01/01/2004;30/06/2025",
        "82;Đồng Tháp;province;;VN;01/07/2025;",
    ]
    call_command("import_units", _csv(tmp_path, lines))
    assert unit_by_code(code="82", on=datetime.date(2024, 5, 1)).name == "Tiền Giang"
    assert unit_by_code(code="82", on=datetime.date(2025, 7, 1)).name == "Đồng Tháp"
    assert unit_by_code(code="87", on=datetime.date(2026, 1, 1)) is None


def test_a_row_making_two_units_with_one_code_valid_on_the_same_day_is_refused(tmp_path):
    call_command("import_units", _csv(tmp_path, [BASE[0], "82;Tiền Giang;province;;VN;01/01/2004;30/06/2025"]))
    message = _import_fails(tmp_path, [BASE[0], "82;Đồng Tháp;province;;VN;01/06/2025;"])
    assert "row 3, code" in message
    assert "Tiền Giang" in message and "overlapping" in message
    assert AdministrativeUnit.objects.filter(code="82").count() == 1


def test_every_bad_row_is_reported_with_its_number_and_nothing_is_saved(tmp_path):
    lines = [
        *BASE,
        "99103;Xã Long Định;xã;;998;01/01/2015;",  # row 7: unknown parent
        "99101;Thị trấn Tân Hiệp (bản sao);xã;;991;01/01/2015;",  # row 8: duplicate of row 5
        "99105;Xã Tam Hiệp;xã;;VN;01/01/2015;",  # row 9: a commune directly under the nation
        "993;Huyện Vòng;huyện;;993;01/01/2015;",  # row 10: its own parent (a cycle)
        "99107;;hamlet;;991;31/02/2015;",  # row 11: no name, unknown level, impossible date
    ]
    message = _import_fails(tmp_path, lines)
    assert "nothing was saved" in message
    assert "row 7, parent_code: Unknown parent unit 998" in message
    assert "row 8, code: Duplicate code 99101: row 5" in message
    assert "row 9, parent_code: A commune cannot sit directly under a nation." in message
    assert "row 10, parent_code: Unit 993 would sit under itself" in message
    assert "row 11, name: The name is empty." in message
    assert "row 11, level: Unknown level “hamlet”." in message
    assert "row 11, valid_from: “31/02/2015” is not a date" in message
    assert AdministrativeUnit.objects.count() == 0


def test_a_cycle_through_two_rows_is_refused():
    outcome = units_import(
        user=None,
        records=_records(
            [
                BASE[0],
                "99;Tỉnh Bình Giang;province;;VN;;",
                "99.A;Sở A;province;agency;99.B;;",
                "99.B;Sở B;province;agency;99.A;;",
            ]
        ),
    )
    cycle_rows = {e.row for e in outcome.errors if "would sit under itself" in e.message}
    assert cycle_rows == {4, 5}
    assert AdministrativeUnit.objects.count() == 0


def test_errors_are_in_vietnamese_for_a_vietnamese_user():
    from django.utils import translation

    with translation.override("vi"):
        outcome = units_import(user=None, records=_records([BASE[0], "99105;Xã Tam Hiệp;xã;;VN;;"]))
        assert "Xã không thể trực thuộc trực tiếp quốc gia" in str(outcome.errors[0])
        assert str(outcome.errors[0]).startswith("dòng 3")


def test_a_file_without_a_required_column_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("code,name\n99,Tỉnh\n", encoding="utf-8")
    with pytest.raises(CommandError, match="level"):
        call_command("import_units", str(path))


def test_a_file_of_another_format_is_refused(tmp_path):
    path = tmp_path / "units.ods"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(CommandError, match="Only .xlsx and .csv"):
        call_command("import_units", str(path))


def test_a_csv_with_commas_is_read_too(tmp_path, capsys):
    path = tmp_path / "comma.csv"
    path.write_text(HEADER.replace(";", ",") + "\nVN,Việt Nam,nation,,,,\n", encoding="utf-8")
    call_command("import_units", str(path))
    assert AdministrativeUnit.objects.get(code="VN").level == Level.NATION


def test_a_broken_xlsx_is_refused_with_a_message(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(io.BytesIO(b"this is no zip").getvalue())
    with pytest.raises(CommandError, match="not a readable .xlsx"):
        call_command("import_units", str(path))
