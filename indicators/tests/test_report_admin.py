import datetime

import pytest
from django.urls import reverse

from indicators.models import ReportValue
from indicators.testing import entry_form, make_period, make_report

pytestmark = pytest.mark.django_db


def test_the_admin_cannot_change_a_value_of_an_approved_report(client, tree, staff):
    period = make_period(2026, "Q2", closes=datetime.date(2099, 12, 31))
    report = make_report(tree["commune_a1"], period, "approved", TTHC_ONTIME=(9, 10))
    value = report.values.get()
    client.force_login(staff)
    url = reverse("admin:indicators_reportvalue_change", args=[value.pk])
    r = client.post(url, {"report": report.pk, "indicator": value.indicator_id, "numerator": "1", "denominator": "10"})
    assert r.status_code == 403
    value.refresh_from_db()
    assert value.numerator == 9
    assert client.get(url).status_code == 200  # it can still be read


def test_the_admin_checks_figures_like_the_form_and_keeps_history(client, tree, staff):
    period = make_period(2026, "Q2", closes=datetime.date(2099, 12, 31))
    report = make_report(tree["commune_a1"], period, "draft", TTHC_ONTIME=(9, 10))
    value = report.values.get()
    client.force_login(staff)
    url = reverse("admin:indicators_reportvalue_change", args=[value.pk])
    page = entry_form(client, url)
    r = client.post(
        url, {**page, "report": report.pk, "indicator": value.indicator_id, "numerator": "12", "denominator": "10"}
    )
    assert "không được lớn hơn mẫu số" in r.content.decode()
    r = client.post(
        url, {**page, "report": report.pk, "indicator": value.indicator_id, "numerator": "10", "denominator": "10"}
    )
    assert r.status_code == 302
    assert ReportValue.history.filter(id=value.pk).first().history_user == staff


def test_adding_a_figure_with_nothing_typed_says_so(client, tree, staff):
    from indicators.models import Indicator

    period = make_period(2026, "Q2", closes=datetime.date(2099, 12, 31))
    report = make_report(tree["commune_a1"], period, "draft")
    client.force_login(staff)
    ontime = Indicator.objects.get(code="TTHC_ONTIME")
    r = client.post(reverse("admin:indicators_reportvalue_add"), {"report": report.pk, "indicator": ontime.pk})
    assert r.status_code == 200 and not ReportValue.objects.exists()


def test_a_figure_cannot_be_moved_to_another_report_in_the_admin(client, tree, staff):
    period = make_period(2026, "Q2", closes=datetime.date(2099, 12, 31))
    a = make_report(tree["commune_a1"], period, "draft", TTHC_ONTIME=(9, 10))
    b = make_report(tree["commune_a2"], period, "draft", TTHC_ONTIME=(5, 10))
    value = a.values.get()
    client.force_login(staff)
    url = reverse("admin:indicators_reportvalue_change", args=[value.pk])
    page = entry_form(client, url)
    r = client.post(
        url, {**page, "report": b.pk, "indicator": value.indicator_id, "numerator": "1", "denominator": "10"}
    )
    assert r.status_code == 302
    assert b.values.get().numerator == 5  # the other report's figure is untouched …
    assert a.values.get().numerator == 1  # … the change went to the figure that was opened


def test_a_reports_admin_page_names_every_field_in_vietnamese(client, tree, staff):
    report = make_report(tree["commune_a1"], make_period(2026, "Q2"), "submitted")
    client.force_login(staff)
    html = client.get(reverse("admin:indicators_report_change", args=[report.pk])).content.decode()
    for label in ("Phiên bản", "Người gửi", "Người thẩm định", "Người sửa gần nhất"):
        assert label in html, label
    for english in ("Version", "Submitted by", "Reviewed by", "Updated by"):
        assert f">{english}" not in html, english
