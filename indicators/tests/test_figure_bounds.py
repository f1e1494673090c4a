"""Bounds and refused characters, on every path (form, import, admin), SQLite and PostgreSQL.

Counts are whole numbers up to 10^12; percentages 0–100; a score or mean up to the maximum the
catalogue sets (HANDLING_DAYS: 365 days); NaN, infinity and control characters are refused with
a message in Vietnamese. Each case must leave nothing saved and the report page still working.
"""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from indicators import jobs
from indicators.models import ImportJob, Indicator, ReportValue
from indicators.testing import entry_form, make_period, make_report
from indicators.validation import check_figure

pytestmark = pytest.mark.django_db

OPEN = datetime.date(2099, 12, 31)
TOO_BIG = "A figure too large for its indicator"

# (indicator, field, typed, a phrase of the Vietnamese message)
CASES = [
    ("INITIATIVES", "value", "1e20", "lớn hơn mọi giá trị"),
    ("INITIATIVES", "value", "1000000000001", "lớn hơn mọi giá trị"),
    ("TTHC_ONTIME", "denominator", "100000000000000", "lớn hơn mọi giá trị"),
    ("SATISFACTION", "value", "100,5", "0 đến 100"),
    ("HANDLING_DAYS", "value", "366", "lớn hơn mọi giá trị"),
    ("INITIATIVES", "value", "NaN", "không phải là số"),
    ("INITIATIVES", "value", "inf", "không phải là số"),
    ("SATISFACTION", "value", "-Infinity", "không phải là số"),
    ("INITIATIVES", "value", "-1", "không được âm"),
    ("INITIATIVES", "comment", "đã kiểm tra\x00", "ký tự điều khiển"),
    ("INITIATIVES", "comment", "số liệu\x1b[31m", "ký tự điều khiển"),
    ("INITIATIVES", "comment", "x" * 2001, "tối đa 2.000 ký tự"),
]


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


@pytest.fixture
def period():
    return make_period(2026, "Q2", closes=OPEN)


def _typed(code, field, typed):
    """The row as an officer would type it, with `typed` in `field` and sane figures elsewhere."""
    indicator = Indicator.objects.get(code=code)
    row = {"numerator": "1", "denominator": "2"} if indicator.is_ratio else {"value": "3"}
    row[field] = typed
    return indicator, row


def test_a_percentage_and_a_day_count_just_inside_their_bounds_are_kept():
    assert check_figure(Indicator.objects.get(code="SATISFACTION"), value="100").value == 100
    assert check_figure(Indicator.objects.get(code="HANDLING_DAYS"), value="365").value == 365
    assert check_figure(Indicator.objects.get(code="INITIATIVES"), value=10**12).value == 10**12
    assert check_figure(Indicator.objects.get(code="INITIATIVES"), value="1", comment="dòng 1\r\ndòng 2\tcột").comment


def test_a_float_cell_holding_nan_or_infinity_is_refused():
    for cell in (float("nan"), float("inf")):
        assert check_figure(Indicator.objects.get(code="SATISFACTION"), value=cell).errors


@pytest.mark.parametrize("code, field, typed, message", CASES)
def test_the_entry_form_refuses_it_and_the_page_still_works(client, tree, editor, period, code, field, typed, message):
    indicator, row = _typed(code, field, typed)
    prefix = {"numerator": "n", "denominator": "d", "value": "v", "comment": "c"}
    url = reverse("indicators:report-entry", args=[tree["commune_a1"].pk, period.code])
    client.force_login(editor)
    data = {**entry_form(client, url), "action": "save"}
    data.update({f"{prefix[f]}_{indicator.pk}": v for f, v in row.items()})
    r = client.post(url, data)
    assert r.status_code == 200
    assert message in r.content.decode()
    assert not ReportValue.objects.exists()
    assert client.get(url).status_code == 200


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["unit_code", "period", "indicator_code", "numerator", "denominator", "value", "comment"])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("quy2.xlsx", buffer.getvalue())


def _csv(rows):
    lines = ["unit_code;period;indicator_code;numerator;denominator;value;comment"]
    lines += [";".join("" if c is None else str(c) for c in row) for row in rows]
    return SimpleUploadedFile("quy2.csv", "\n".join(lines).encode("utf-8"))


# openpyxl cannot write control characters into an xlsx: those cases come by csv only.
IMPORT_CASES = [("csv", *case) for case in CASES] + [
    ("xlsx", *case) for case in CASES if not re.search(r"[\x00-\x1f]", case[2])
]


@pytest.mark.parametrize("kind, code, field, typed, message", IMPORT_CASES)
def test_the_import_refuses_it_by_row_and_column(tree, editor, period, kind, code, field, typed, message):
    _indicator, row = _typed(code, field, typed)
    cells = ["99101", "2026-Q2", code, row.get("numerator"), row.get("denominator"), row.get("value"), row.get("comment")]
    job = jobs.job_create(user=editor, upload=(_xlsx if kind == "xlsx" else _csv)([cells]))
    jobs.work(once=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY and not job.can_confirm
    assert any(e["row"] == 2 and e["column"] == field and message in e["message"] for e in job.errors), job.errors
    assert not ReportValue.objects.exists()


@pytest.mark.parametrize("code, field, typed, message", CASES)
def test_the_admin_refuses_it(client, tree, staff, period, code, field, typed, message):
    report = make_report(tree["commune_a1"], period, "draft")
    indicator, row = _typed(code, field, typed)
    client.force_login(staff)
    url = reverse("admin:indicators_reportvalue_add")
    r = client.post(url, {"report": report.pk, "indicator": indicator.pk, **row})
    assert r.status_code == 200
    html = re.sub(r"\s+", " ", r.content.decode())
    assert message in html
    assert not ReportValue.objects.exists()
