"""Every transition, allowed and refused, for each role, with the reason given."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from indicators import services
from indicators.models import Indicator, Report, ReportStatus
from indicators.selectors import indicators_for
from indicators.testing import make_period, make_report, seen, write

pytestmark = pytest.mark.django_db

FUTURE_CLOSE = {"closes": datetime.date(2099, 12, 31)}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def period():
    return make_period(2026, "Q2", **FUTURE_CLOSE)


def _complete_report(unit, period, status=ReportStatus.DRAFT):
    """A report with a figure for every indicator the unit reports."""
    figures = {}
    for indicator in indicators_for(unit):
        figures[indicator.code] = (9, 10) if indicator.is_ratio else 5
    return make_report(unit, period, status, **figures)


def _submit(report, user):
    return services.report_submit(report=report, seen_version=seen(report), user=user, indicators=indicators_for(report.unit))


def test_an_editor_submits_a_complete_draft(tree, editor, period):
    report = _submit(_complete_report(tree["commune_a1"], period), editor)
    assert report.status == ReportStatus.SUBMITTED and report.submitted_by == editor and report.submitted_at


def test_an_incomplete_report_cannot_be_submitted_and_the_missing_are_named(tree, editor, period):
    report = make_report(tree["commune_a1"], period, TTHC_ONTIME=(9, 10))
    # Named as the officer reads them (the catalogue's name), the code beside it.
    with pytest.raises(services.Refused, match=r"Fill every indicator.*Dossiers filed online.*\(TTHC_ONLINE\)"):
        _submit(report, editor)


def test_a_viewer_or_an_outsider_cannot_submit(tree, leader, outsider, period):
    report = _complete_report(tree["commune_a1"], period)
    for user in (leader, outsider):
        with pytest.raises(services.Refused, match="outside the units you may edit"):
            _submit(report, user)


def test_a_reviewer_approves_a_submitted_report(tree, editor, reviewer, period):
    report = _submit(_complete_report(tree["commune_a1"], period), editor)
    report = services.report_approve(report=report, seen_version=seen(report), user=reviewer)
    assert report.status == ReportStatus.APPROVED and report.reviewed_by == reviewer


def test_an_editor_or_a_leader_cannot_approve_or_return(tree, editor, leader, period):
    report = _submit(_complete_report(tree["commune_a1"], period), editor)
    for user in (editor, leader):
        with pytest.raises(services.Refused, match="Only reviewers"):
            services.report_approve(report=report, seen_version=seen(report), user=user)
        with pytest.raises(services.Refused, match="Only reviewers"):
            services.report_return(report=report, seen_version=seen(report), user=user, reason="x")


def test_a_reviewer_cannot_approve_a_report_they_submitted(tree, reviewer, period):
    report = _submit(_complete_report(tree["commune_a1"], period), reviewer)
    with pytest.raises(services.Refused, match="submitted this report yourself"):
        services.report_approve(report=report, seen_version=seen(report), user=reviewer)


def test_only_a_submitted_report_can_be_approved_or_returned(tree, reviewer, period):
    report = _complete_report(tree["commune_a1"], period)
    with pytest.raises(services.Refused, match="This report is draft"):
        services.report_approve(report=report, seen_version=seen(report), user=reviewer)
    with pytest.raises(services.Refused, match="needs a report that is submitted"):
        services.report_return(report=report, seen_version=seen(report), user=reviewer, reason="x")


def test_returning_needs_a_reason_and_the_editor_sees_it(client, tree, editor, reviewer, period):
    report = _submit(_complete_report(tree["commune_a1"], period), editor)
    with pytest.raises(services.Refused, match="Say why"):
        services.report_return(report=report, seen_version=seen(report), user=reviewer, reason="  ")
    report = services.report_return(report=report, seen_version=seen(report), user=reviewer, reason="Số liệu quý II chưa khớp")
    assert report.status == ReportStatus.RETURNED
    client.force_login(editor)
    entry = client.get(reverse("indicators:report-entry", args=[tree["commune_a1"].pk, period.code])).content.decode()
    assert "Số liệu quý II chưa khớp" in entry
    listing = client.get(
        reverse("indicators:reports"), {"ky": period.code, "don_vi": tree["district_a"].pk}
    ).content.decode()
    assert "Số liệu quý II chưa khớp" in listing


def test_a_returned_report_becomes_a_draft_when_edited_and_can_be_resubmitted(tree, editor, reviewer, period):
    report = _submit(_complete_report(tree["commune_a1"], period), editor)
    services.report_return(report=report, seen_version=seen(report), user=reviewer, reason="Kiểm tra lại")
    ontime = Indicator.objects.get(code="TTHC_ONTIME")
    result = write(
        unit=report.unit, period=period, user=editor, rows={ontime.pk: {"numerator": "10", "denominator": "10"}},
        indicators=[ontime],
    )  # fmt: skip
    assert result.ok and result.report.status == ReportStatus.DRAFT
    assert _submit(result.report, editor).status == ReportStatus.SUBMITTED


def test_reopening_an_approved_report_needs_a_reviewer_and_a_reason(tree, editor, reviewer, period):
    report = _submit(_complete_report(tree["commune_a1"], period), editor)
    report = services.report_approve(report=report, user=reviewer, seen_version=seen(report))
    with pytest.raises(services.Refused, match="Only reviewers"):
        services.report_reopen(report=report, seen_version=seen(report), user=editor, reason="sai số")
    with pytest.raises(services.Refused, match="Say why"):
        services.report_reopen(report=report, seen_version=seen(report), user=reviewer, reason="")
    report = services.report_reopen(report=report, seen_version=seen(report), user=reviewer, reason="Sửa số liệu theo kết luận thanh tra")
    assert report.status == ReportStatus.DRAFT and report.reopen_reason.startswith("Sửa số liệu")


def test_an_approved_or_submitted_report_cannot_be_changed_by_anyone(tree, editor, reviewer, staff, period):
    report = _submit(_complete_report(tree["commune_a1"], period), editor)
    ontime = Indicator.objects.get(code="TTHC_ONTIME")
    rows = {ontime.pk: {"numerator": "1", "denominator": "10"}}
    for user in (editor, reviewer):
        result = write(unit=report.unit, period=period, user=user, rows=rows, indicators=[ontime])
        assert "submitted and waits for review" in result.refused
    services.report_approve(report=report, seen_version=seen(report), user=reviewer)
    for user in (editor, reviewer, staff):
        result = write(unit=report.unit, period=period, user=user, rows=rows, indicators=[ontime])
        assert "approved and read-only" in result.refused
    assert report.values.get(indicator=ontime).numerator == 9


def test_after_the_period_closes_editors_are_refused_and_reviewers_are_not(tree, editor, reviewer):
    closed = make_period(2025, "Q1")  # closed long ago
    ontime = Indicator.objects.get(code="TTHC_ONTIME")
    rows = {ontime.pk: {"numerator": "9", "denominator": "10"}}
    result = write(
        unit=tree["commune_a1"], period=closed, user=editor, rows=rows, indicators=[ontime]
    )
    assert "The period closed on 30/03/2025: only a reviewer can change it now." == result.refused
    assert not Report.objects.filter(period=closed).exists()
    result = write(
        unit=tree["commune_a1"], period=closed, user=reviewer, rows=rows, indicators=[ontime]
    )
    assert result.ok and result.report.values.get().numerator == 9


def test_the_review_buttons_work_through_the_pages(client, tree, editor, reviewer, period):
    report = _submit(_complete_report(tree["commune_a1"], period), editor)
    url = lambda action: reverse("indicators:report-transition", args=[tree["commune_a1"].pk, period.code, action])  # noqa: E731
    client.force_login(editor)
    r = client.post(url("duyet"), follow=True)
    assert "Chỉ người thẩm định của đơn vị này hoặc đơn vị cấp trên mới được thẩm định báo cáo" in r.content.decode()
    client.force_login(reviewer)
    client.post(url("tra-lai"), {"reason": "Thiếu minh chứng", "version": seen(report)})
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    _submit(report, editor)
    client.post(url("duyet"), {"version": seen(report)})
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    client.post(url("mo-lai"), {"reason": "Điều chỉnh", "version": seen(report)})
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_an_outsider_gets_404_for_another_districts_report(client, tree, outsider, period):
    _complete_report(tree["commune_a1"], period)
    client.force_login(outsider)
    assert client.get(reverse("indicators:report-entry", args=[tree["commune_a1"].pk, period.code])).status_code == 404
    assert (
        client.post(
            reverse("indicators:report-transition", args=[tree["commune_a1"].pk, period.code, "duyet"])
        ).status_code
        == 404
    )


def test_a_reviewer_reaches_a_districts_communes_from_the_provinces_list_by_clicking(client, tree, reviewer, period):
    client.force_login(reviewer)
    province = client.get(reverse("indicators:reports"), {"ky": period.code, "don_vi": tree["province"].pk})
    link = f'href="{reverse("indicators:reports")}?ky={period.code}&amp;don_vi={tree["district_a"].pk}"'
    assert link in province.content.decode()  # the district's name leads to its communes
    district = client.get(reverse("indicators:reports"), {"ky": period.code, "don_vi": tree["district_a"].pk})
    commune = reverse("indicators:report-entry", args=[tree["commune_a1"].pk, period.code])
    assert f'<a href="{commune}">Thị trấn Tân Hiệp</a>' in district.content.decode()  # its name is a link


def test_the_report_list_switches_year_to_that_years_latest_begun_quarter(client, tree, reviewer, period):
    make_period(2024, "Q3")
    make_period(2024, "Q4")
    make_period(2099, "Q1")  # opened ahead: nothing to report yet, not offered
    client.force_login(reviewer)
    html = client.get(reverse("indicators:reports"), {"ky": period.code, "don_vi": tree["province"].pk}).content.decode()
    years = re.search(r'<nav aria-label="Năm".*?</nav>', html, re.S).group(0)
    assert f'href="?ky=2024-Q4&amp;don_vi={tree["province"].pk}">2024</a>' in years
    assert ">2099<" not in years and re.search(r'aria-current="page" href="\?ky=2026-Q2[^"]*">2026</a>', years)
    html = client.get(reverse("indicators:reports"), {"ky": "2024-Q4", "don_vi": tree["province"].pk}).content.decode()
    assert "Quý IV/2024" in html and "Quý III/2024" in html  # that year's quarters
