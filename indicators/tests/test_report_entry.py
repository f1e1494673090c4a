import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from indicators.models import Indicator, Report, ReportStatus, ReportValue
from indicators.testing import entry_form, make_period, make_report, seen
from plans.testing import make_plan, make_target
from units.models import Level

pytestmark = pytest.mark.django_db


@pytest.fixture
def period():
    return make_period(2026, "Q2", closes=datetime.date(2099, 12, 31))


@pytest.fixture
def ind():
    return {i.code: i for i in Indicator.objects.all()}


def _url(unit, period):
    return reverse("indicators:report-entry", args=[unit.pk, period.code])


def _post(client, unit, period, data, action="save"):
    """Post as the page does: its hidden fields (version, figures as shown), then the typing."""
    url = _url(unit, period)
    return client.post(url, {**entry_form(client, url), "action": action, **data})


def test_the_entry_page_groups_indicators_and_shows_target_and_last_quarter(client, tree, editor, period, ind):
    make_target(make_plan(tree["district_a"]), "RESULT_DIGITISED", 55, level=Level.COMMUNE)
    make_report(tree["commune_a1"], make_period(2026, "Q1"), "approved", RESULT_DIGITISED=(40, 80))
    client.force_login(editor)
    html = client.get(_url(tree["commune_a1"], period)).content.decode()
    assert html.index("Cải cách thủ tục hành chính") < html.index("Xây dựng chính quyền điện tử")
    assert "≥ 55 %" in html and "50,00 %" in html  # target and last quarter's figure
    assert f'name="n_{ind["TTHC_ONTIME"].pk}"' in html and f'name="d_{ind["TTHC_ONTIME"].pk}"' in html
    assert f'name="v_{ind["TTHC_ONTIME"].pk}"' not in html  # a ratio is never typed as a percentage
    assert f'name="v_{ind["SATISFACTION"].pk}"' in html
    assert "SATISFACTION_HEALTH" not in html  # communes do not report it


def test_a_decimal_comma_is_read_as_a_decimal(client, tree, editor, period, ind):
    client.force_login(editor)
    r = _post(client, tree["commune_a1"], period, {f"v_{ind['SATISFACTION'].pk}": "99,12"})
    assert r.status_code == 302
    assert ReportValue.objects.get(indicator=ind["SATISFACTION"]).value == Decimal("99.12")


def test_bad_figures_are_refused_with_reasons_and_nothing_typed_is_lost(client, tree, editor, period, ind):
    client.force_login(editor)
    data = {
        f"v_{ind['SATISFACTION'].pk}": "abc",
        f"v_{ind['INITIATIVES'].pk}": "-1",
        f"n_{ind['TTHC_ONTIME'].pk}": "12",
        f"d_{ind['TTHC_ONTIME'].pk}": "10",
        f"n_{ind['TTHC_ONLINE'].pk}": "5",
        f"d_{ind['TTHC_ONLINE'].pk}": "0",
        f"n_{ind['WORK_ONLINE'].pk}": "30",
        f"d_{ind['WORK_ONLINE'].pk}": "60",
        f"c_{ind['WORK_ONLINE'].pk}": "Đã kiểm tra",
    }
    r = _post(client, tree["commune_a1"], period, data)
    html = r.content.decode()
    assert r.status_code == 200
    assert "“abc” không phải là số." in html
    assert "Số liệu không được âm." in html
    assert "Tử số (12) không được lớn hơn mẫu số (10)." in html
    assert "Mẫu số bằng 0 nhưng tử số khác 0" in html
    for typed in ('value="abc"', 'value="-1"', 'value="12"'):
        assert typed in html  # the officer's typing is still there
    # The valid row was saved all the same.
    saved = ReportValue.objects.get()
    assert (saved.indicator.code, saved.numerator, saved.denominator, saved.comment) == (
        "WORK_ONLINE",
        30,
        60,
        "Đã kiểm tra",
    )
    assert "1 số liệu đã được lưu" in html


def test_a_percentage_above_100_and_half_a_dossier_are_refused(client, tree, editor, period, ind):
    client.force_login(editor)
    html = _post(
        client, tree["commune_a1"], period,
        {f"v_{ind['SATISFACTION'].pk}": "101", f"n_{ind['TTHC_ONTIME'].pk}": "9,5", f"d_{ind['TTHC_ONTIME'].pk}": "10"},
    ).content.decode()  # fmt: skip
    assert "Tỷ lệ phần trăm nằm trong khoảng 0 đến 100." in html
    assert "không phải là số nguyên" in html
    assert not ReportValue.objects.exists()


def test_one_half_of_a_ratio_alone_is_refused(client, tree, editor, period, ind):
    client.force_login(editor)
    html = _post(client, tree["commune_a1"], period, {f"n_{ind['TTHC_ONTIME'].pk}": "9"}).content.decode()
    assert "Hãy nhập cả hai số của tỷ lệ" in html


def test_save_and_submit_from_the_page(client, tree, editor, period, ind):
    client.force_login(editor)
    data = {}
    for indicator in Indicator.objects.for_level(Level.COMMUNE):
        if indicator.is_ratio:
            data[f"n_{indicator.pk}"], data[f"d_{indicator.pk}"] = "9", "10"
        else:
            data[f"v_{indicator.pk}"] = "3"
    r = _post(client, tree["commune_a1"], period, data, action="submit")
    assert r.status_code == 302
    report = Report.objects.get()
    assert report.status == ReportStatus.SUBMITTED
    html = client.get(_url(tree["commune_a1"], period)).content.decode()
    assert "đã gửi và đang chờ thẩm định" in html
    assert f'name="n_{ind["TTHC_ONTIME"].pk}"' not in html  # read-only now


def test_a_far_off_value_is_a_warning_confirmed_with_a_comment(client, tree, editor, period, ind):
    unit = tree["commune_a1"]
    for year, kind in [(2025, "Q1"), (2025, "Q2"), (2025, "Q3"), (2025, "Q4"), (2026, "Q1")]:
        make_report(unit, make_period(year, kind), "approved", SATISFACTION=90 + (kind == "Q2"))
    client.force_login(editor)
    _post(client, unit, period, {f"v_{ind['SATISFACTION'].pk}": "40"})
    html = client.get(_url(unit, period)).content.decode()
    assert "40,00 % khác xa các quý trước của đơn vị (thường trong khoảng 89,31–91,09 %)" in html  # a warning …
    assert ReportValue.objects.get(report__period=period).value == 40  # … not an error: it is saved
    report = Report.objects.get(period=period)
    from indicators import services
    from indicators.selectors import indicators_for

    with pytest.raises(services.Refused, match="SATISFACTION"):
        services.report_submit(report=report, seen_version=seen(report), user=editor, indicators=[ind["SATISFACTION"]])
    _post(
        client,
        unit,
        period,
        {f"v_{ind['SATISFACTION'].pk}": "40", f"c_{ind['SATISFACTION'].pk}": "Khảo sát mới, mẫu khác"},
    )
    report.refresh_from_db()
    assert (
        services.report_submit(
            report=report, seen_version=seen(report), user=editor, indicators=[ind["SATISFACTION"]]
        ).status
        == ReportStatus.SUBMITTED
    )
    assert indicators_for(unit)


def test_evidence_is_attached_and_served_only_within_scope(
    client, tree, editor, outsider, period, ind, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(editor)
    key = ind["TTHC_ONTIME"].pk
    upload = SimpleUploadedFile("bien-ban.pdf", b"%PDF evidence", content_type="application/pdf")
    r = client.post(
        _url(tree["commune_a1"], period), {"action": "save", f"n_{key}": "9", f"d_{key}": "10", f"e_{key}": upload}
    )
    assert r.status_code == 302
    evidence = ReportValue.objects.get().evidence.get()
    assert evidence.name == "bien-ban.pdf"
    assert (
        b"".join(client.get(reverse("indicators:evidence", args=[evidence.pk])).streaming_content) == b"%PDF evidence"
    )
    other = Client()
    other.force_login(outsider)
    assert other.get(reverse("indicators:evidence", args=[evidence.pk])).status_code == 404


def test_evidence_of_another_type_is_refused(client, tree, editor, period, ind):
    client.force_login(editor)
    key = ind["TTHC_ONTIME"].pk
    upload = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    html = client.post(
        _url(tree["commune_a1"], period), {"action": "save", f"n_{key}": "9", f"d_{key}": "10", f"e_{key}": upload}
    ).content.decode()
    assert "Minh chứng có thể là tệp PDF" in html


def test_the_district_officers_list_shows_status_late_flag_and_missing_units(client, tree, editor):
    past = make_period(2025, "Q2")
    report = make_report(tree["commune_a1"], past, "submitted")
    Report.objects.filter(pk=report.pk).update(submitted_at=datetime.datetime(2025, 6, 25, 9, tzinfo=datetime.UTC))
    make_report(tree["commune_a2"], past, "approved")
    Report.objects.filter(unit=tree["commune_a2"]).update(
        submitted_at=datetime.datetime(2025, 6, 18, 9, tzinfo=datetime.UTC)
    )
    client.force_login(editor)
    html = client.get(reverse("indicators:reports"), {"ky": "2025-Q2"}).content.decode()
    assert "Quý II/2025 — Huyện Châu Thành và 2 đơn vị trực thuộc" in html
    assert html.count("trễ hạn</span>") == 2  # the late commune, and the district that never reported
    assert "Đã gửi" in html and "Đã phê duyệt" in html and "Chưa thực hiện" in html


def test_a_refused_save_lists_each_refused_row_at_the_top_linked_to_it(client, tree, editor, period, ind):
    client.force_login(editor)
    html = _post(
        client, tree["commune_a1"], period,
        {f"n_{ind['TTHC_ONTIME'].pk}": "12", f"d_{ind['TTHC_ONTIME'].pk}": "10", f"v_{ind['SATISFACTION'].pk}": "abc"},
    ).content.decode()  # fmt: skip
    summary = html[html.index('id="error-summary"') : html.index('id="entry-form"')]
    assert "2 dòng chưa được lưu" in summary
    assert 'href="#row-TTHC_ONTIME"' in summary and "Tử số (12) không được lớn hơn mẫu số (10)." in summary
    assert 'href="#row-SATISFACTION"' in summary


def test_the_review_panel_comes_before_the_figures(client, tree, reviewer, period):
    from indicators.testing import make_report

    make_report(tree["commune_a1"], period, "submitted", TTHC_ONTIME=(9, 10))
    client.force_login(reviewer)
    html = client.get(_url(tree["commune_a1"], period)).content.decode()
    assert html.index('id="h-review"') < html.index('id="entry-form"') < html.index('id="row-TTHC_ONTIME"')


def test_every_evidence_input_speaks_the_pages_language_not_the_browsers(client, tree, editor, period):
    import re

    client.force_login(editor)
    html = client.get(_url(tree["commune_a1"], period)).content.decode()
    inputs = re.findall(r'<input[^>]*type="file"[^>]*>', html)
    assert inputs and all('class="file-picker-input"' in i for i in inputs)
    assert html.count("Chưa chọn tệp") >= len(inputs)
