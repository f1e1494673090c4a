import datetime

import pytest
from django.urls import reverse
from simple_history.utils import bulk_update_with_history

from indicators import services
from indicators.models import Indicator, ReportValue
from indicators.selectors import report_history
from indicators.testing import entry_form, make_period, make_report, seen, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def period():
    return make_period(2026, "Q2", closes=datetime.date(2099, 12, 31))


def test_form_edits_are_recorded_with_who_and_old_to_new(client, tree, editor, period):
    ontime = Indicator.objects.get(code="TTHC_ONTIME")
    url = reverse("indicators:report-entry", args=[tree["commune_a1"].pk, period.code])
    client.force_login(editor)
    client.post(url, {**entry_form(client, url), "action": "save", f"n_{ontime.pk}": "8", f"d_{ontime.pk}": "10"})
    client.post(url, {**entry_form(client, url), "action": "save", f"n_{ontime.pk}": "9", f"d_{ontime.pk}": "10"})
    value = ReportValue.objects.get()
    assert [h.numerator for h in value.history.order_by("history_date")] == [8, 9]
    assert {h.history_user for h in value.history.all()} == {editor}
    html = client.get(url).content.decode()
    assert "Tử số: 8 → 9" in html and "Nguyễn Văn An" in html


def test_status_changes_are_recorded_with_the_reason(tree, editor, reviewer, period):
    report = make_report(tree["commune_a1"], period, "submitted")
    services.report_return(report=report, seen_version=seen(report), user=reviewer, reason="Thiếu minh chứng")
    entries = report_history(report=report)
    newest = entries[0]
    assert newest.who == reviewer and newest.reason == "Thiếu minh chứng"
    assert ("trạng thái", "Đã gửi", "Bị trả lại") in [
        (str(label), str(old), str(new)) for label, old, new in newest.changes
    ]


def test_bulk_writes_are_recorded_too(tree, staff, period):
    report = make_report(tree["commune_a1"], period, TTHC_ONTIME=(8, 10), TTHC_ONLINE=(5, 10))
    values = list(report.values.all())
    for value in values:
        value.numerator += 1
    bulk_update_with_history(
        values, ReportValue, ["numerator"], default_user=staff, default_change_reason="nhập từ quy2.xlsx"
    )
    entries = report_history(report=report)
    imported = [e for e in entries if e.reason == "nhập từ quy2.xlsx"]
    assert len(imported) == 2 and all(e.who == staff for e in imported)


def test_service_writes_carry_their_reason_into_history(tree, reviewer, period):
    ontime = Indicator.objects.get(code="TTHC_ONTIME")
    write(
        unit=tree["commune_a1"], period=period, user=reviewer, rows={ontime.pk: {"numerator": "1", "denominator": "2"}},
        indicators=[ontime], reason="imported from quy2.xlsx",
    )  # fmt: skip
    assert ReportValue.history.get().history_change_reason == "imported from quy2.xlsx"
