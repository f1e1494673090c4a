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
