import json

import pytest
from django.core.management import call_command
from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

from units.models import AdministrativeUnit, Level

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English here; test_errors_are_in_vietnamese… checks the translation."""
    from django.utils import translation

    with translation.override("en"):
        yield


def test_it_loads_the_2025_register_from_the_package_exactly(capsys):
    call_command("load_units", "--register", "vn-2025")
    assert "3356 created" in capsys.readouterr().out

    package = json.loads(NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    provinces = AdministrativeUnit.objects.filter(level=Level.PROVINCE)
    communes = AdministrativeUnit.objects.filter(level=Level.COMMUNE).select_related("parent")
    assert provinces.count() == 34
    assert communes.count() == 3321
    assert AdministrativeUnit.objects.filter(level=Level.NATION).count() == 1

    expected = {f"{p['code']:02d}": p["name"] for p in package}
    assert dict(provinces.values_list("code", "name")) == expected
    expected_parent = {f"{w['code']:05d}": f"{p['code']:02d}" for p in package for w in p["wards"]}
    assert {c.code: c.parent.code for c in communes} == expected_parent

    hanoi = AdministrativeUnit.objects.get(code="01")
    assert hanoi.name == "Thành phố Hà Nội"
    assert hanoi.parent.level == Level.NATION
    assert AdministrativeUnit.objects.subtree_of(hanoi, include_self=False).count() == len(package[0]["wards"])


def test_loading_the_register_twice_changes_nothing(capsys):
    call_command("load_units", "--register", "vn-2025")
    before = list(AdministrativeUnit.objects.values_list("pk", "code", "name", "path", "parent_id"))
    capsys.readouterr()
    call_command("load_units", "--register", "vn-2025")
    assert "0 created, 0 updated, 3356 unchanged" in capsys.readouterr().out
    assert list(AdministrativeUnit.objects.values_list("pk", "code", "name", "path", "parent_id")) == before


def test_a_dry_run_saves_nothing(capsys):
    call_command("load_units", "--register", "vn-2025", "--dry-run")
    assert "3356 created" in capsys.readouterr().out
    assert AdministrativeUnit.objects.count() == 0
