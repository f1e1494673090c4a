import datetime

import pytest
import tablib
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from indicators.catalogue import CATALOGUE
from indicators.models import Indicator, ReportingPeriod
from indicators.resources import IndicatorResource
from units.models import Level

pytestmark = pytest.mark.django_db


def test_the_starting_catalogue_is_in_every_database():
    assert Indicator.objects.count() == len(CATALOGUE) == 16
    ontime = Indicator.objects.get(code="TTHC_ONTIME")
    assert (ontime.kind, ontime.time_aggregation, ontime.direction) == ("ratio", "sum", "higher")
    assert ontime.numerator_label and ontime.denominator_label
    days = Indicator.objects.get(code="HANDLING_DAYS")
    assert (days.kind, days.time_aggregation, days.direction) == ("score", "last", "lower")
    assert Indicator.objects.get(code="DVC_FULL_ONLINE").time_aggregation == "last"
    assert Indicator.objects.get(code="SATISFACTION").kind == "percent"
    assert not Indicator.objects.get(code="SATISFACTION_HEALTH").applies_to(Level.COMMUNE)
    assert set(Indicator.objects.for_level(Level.COMMUNE).values_list("code", flat=True)) >= {
        "TTHC_ONTIME",
        "INITIATIVES",
    }


def test_the_catalogue_page_groups_indicators_by_field_with_definitions(client, editor):
    client.force_login(editor)
    html = client.get(reverse("indicators:catalogue")).content.decode()
    assert html.index("Công tác chỉ đạo, điều hành") < html.index("Cải cách thủ tục hành chính")
    assert "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn và trước hạn" in html
    assert "Số hồ sơ giải quyết đúng hạn và trước hạn / Số hồ sơ đã giải quyết" in html
    assert "Quyết định 766/QĐ-TTg" in html


def test_the_catalogue_shows_english_names_in_english(client, editor):
    client.force_login(editor)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("indicators:catalogue")).content.decode()
    assert "Dossiers resolved on time or early" in html


def test_open_year_creates_the_four_quarters_once(capsys):
    call_command("open_year", "2027")
    assert "4 quarter(s) created" in capsys.readouterr().out
    call_command("open_year", "2027")
    assert "0 quarter(s) created, 4 already there" in capsys.readouterr().out
    periods = ReportingPeriod.objects.filter(year=2027).order_by("kind")
    assert [p.kind for p in periods] == ["Q1", "Q2", "Q3", "Q4"]
    q1 = periods[0]
    assert (q1.start, q1.end, q1.due) == (
        datetime.date(2026, 12, 15),
        datetime.date(2027, 3, 14),
        datetime.date(2027, 3, 20),
    )
    assert q1.code == "2027-Q1"
    with translation.override("vi"):
        assert str(q1) == "Quý I/2027"


def test_open_year_leaves_moved_dates_alone():
    call_command("open_year", "2027")
    ReportingPeriod.objects.filter(year=2027, kind="Q2").update(
        due=datetime.date(2027, 6, 25), closes=datetime.date(2027, 7, 5)
    )
    call_command("open_year", "2027")
    assert ReportingPeriod.objects.get(year=2027, kind="Q2").due == datetime.date(2027, 6, 25)


def test_an_administrator_moves_a_due_date_in_the_admin(client, staff):
    call_command("open_year", "2027")
    period = ReportingPeriod.objects.get(year=2027, kind="Q3")
    client.force_login(staff)
    r = client.post(
        reverse("admin:indicators_reportingperiod_change", args=[period.pk]),
        {
            "year": 2027,
            "kind": "Q3",
            "start": "15/06/2027",
            "end": "14/09/2027",
            "due": "22/09/2027",
            "closes": "02/10/2027",
        },
    )
    assert r.status_code == 302
    period.refresh_from_db()
    assert period.due == datetime.date(2027, 9, 22)


def test_the_catalogue_exports_and_imports_by_code():
    exported = IndicatorResource().export()
    assert "id" not in exported.headers and "code" in exported.headers
    rows = [dict(zip(exported.headers, row, strict=True)) for row in exported]
    for row in rows:
        if row["code"] == "INITIATIVES":
            row["name_vi"] = "Số sáng kiến, giải pháp CCHC"
    data = tablib.Dataset(*[[r[h] for h in exported.headers] for r in rows], headers=exported.headers)
    result = IndicatorResource().import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["update"] == 1
    assert Indicator.objects.get(code="INITIATIVES").name_vi == "Số sáng kiến, giải pháp CCHC"
    assert Indicator.objects.count() == 16


def test_an_imported_ratio_without_labels_is_refused():
    headers = ["code", "name_vi", "field", "kind", "numerator_label", "denominator_label"]
    data = tablib.Dataset(["NEW_RATIO", "Tỷ lệ mới", "digital", "ratio", "", ""], headers=headers)
    result = IndicatorResource().import_data(data, dry_run=False)
    assert result.has_validation_errors()
    assert not Indicator.objects.filter(code="NEW_RATIO").exists()
