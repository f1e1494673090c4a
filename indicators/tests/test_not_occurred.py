""""Không phát sinh": an indicator that did not occur this quarter is said so explicitly — on the
entry page, in the template, in the admin — counted as reported and left out of roll-ups."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from indicators import jobs, selectors
from indicators.imports import TEMPLATE_COLUMNS
from indicators.models import Indicator, Report, ReportValue
from indicators.selectors import indicators_for
from indicators.testing import entry_form, make_period, make_report, seen, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def period():
    return make_period(2026, "Q2", closes=datetime.date(2099, 12, 31))


@pytest.fixture
def ontime():
    return Indicator.objects.get(code="TTHC_ONTIME")


def _url(unit, period):
    return reverse("indicators:report-entry", args=[unit.pk, period.code])


def test_an_officer_ticks_did_not_occur_and_the_report_counts_it_as_reported(client, tree, editor, period, ontime):
    unit = tree["commune_a1"]
    client.force_login(editor)
    data = entry_form(client, _url(unit, period))
    for indicator in indicators_for(unit):
        if indicator.pk == ontime.pk:
            data[f"k_{indicator.pk}"] = "1"  # no dossier this quarter
        elif indicator.is_ratio:
            data[f"n_{indicator.pk}"], data[f"d_{indicator.pk}"] = "9", "10"
        else:
            data[f"v_{indicator.pk}"] = "5"
    data["action"] = "submit"
    r = client.post(_url(unit, period), data, follow=True)
    assert "Đã gửi để thẩm định." in r.content.decode()  # complete, although one has no figure
    value = ReportValue.objects.get(report__unit=unit, indicator=ontime)
    assert value.not_occurred and value.numerator is None and value.denominator is None
    html = client.get(_url(unit, period)).content.decode()
    assert f'id="k_{ontime.pk}" name="k_{ontime.pk}" data-role="not-occurred" checked' in html
    assert "Không phát sinh trong quý" in html
    history = selectors.report_history(report=value.report)
    assert any(("không phát sinh trong quý", "—", "có") in [tuple(map(str, c)) for c in e.changes] for e in history)


def test_figures_and_did_not_occur_at_once_are_refused_with_both_kept(client, tree, editor, period, ontime):
    unit = tree["commune_a1"]
    client.force_login(editor)
    data = entry_form(client, _url(unit, period))
    data.update({f"n_{ontime.pk}": "9", f"d_{ontime.pk}": "10", f"k_{ontime.pk}": "1", "action": "save"})
    html = client.post(_url(unit, period), data).content.decode()
    assert "Hoặc nhập số liệu, hoặc chọn “không phát sinh trong quý”, không thể cả hai." in html
    assert 'value="9"' in html and f'name="k_{ontime.pk}" data-role="not-occurred" checked' in html
    assert not ReportValue.objects.exists()


def test_did_not_occur_is_left_out_of_roll_ups_and_a_figure_later_clears_it(tree, editor, period, ontime):
    make_report(tree["commune_a2"], period, "approved", TTHC_ONTIME=(9, 10))
    report = make_report(tree["commune_a1"], period, "draft")
    write(unit=tree["commune_a1"], period=period, user=editor, indicators=[ontime],
          rows={ontime.pk: {"not_occurred": True}})  # fmt: skip
    Report.objects.filter(pk=report.pk).update(status="approved")
    rollup = selectors.rollup(units=[tree["commune_a1"], tree["commune_a2"]], indicators=[ontime], periods=[period])
    figure = rollup[ontime.pk]
    assert (figure.numerator, figure.denominator, figure.units) == (9, 10, 1)  # not a 0 / 0 of a second unit
    Report.objects.filter(pk=report.pk).update(status="draft")
    write(unit=tree["commune_a1"], period=period, user=editor, indicators=[ontime],
          rows={ontime.pk: {"numerator": "3", "denominator": "4"}})  # fmt: skip
    value = ReportValue.objects.get(report=report)
    assert not value.not_occurred and value.numerator == 3


@pytest.mark.parametrize("said", [True, "1", "x", "X", "Không phát sinh", "không phát sinh", "KPS", "khong phat sinh"])
def test_every_way_of_saying_it_is_read(tree, editor, period, ontime, said):
    result = write(unit=tree["commune_a1"], period=period, user=editor, indicators=[ontime],
                   rows={ontime.pk: {"not_occurred": said}})  # fmt: skip
    assert result.ok and ReportValue.objects.get().not_occurred


@pytest.mark.parametrize("said", ["có lẽ", "2", "\x00"])
def test_anything_else_in_the_column_is_pointed_out(tree, editor, period, ontime, said):
    with translation.override("vi"):
        result = write(unit=tree["commune_a1"], period=period, user=editor, indicators=[ontime],
                       rows={ontime.pk: {"not_occurred": said}})  # fmt: skip
    assert result.errors[ontime.pk] == [("not_occurred", "Hãy ghi “không phát sinh” (hoặc x) ở đây, hoặc để trống.")]
    assert not ReportValue.objects.exists()


def test_the_template_offers_it_and_an_import_of_it_round_trips(client, tree, editor, period, ontime):
    make_report(tree["commune_a2"], period, "draft")
    write(unit=tree["commune_a2"], period=period, user=editor, indicators=[ontime],
          rows={ontime.pk: {"not_occurred": True}})  # fmt: skip
    client.force_login(editor)
    content = client.get(
        reverse("indicators:import-template"), {"don_vi": tree["district_a"].pk, "ky": period.code}
    ).content
    ws = load_workbook(io.BytesIO(content)).active
    col = {name: TEMPLATE_COLUMNS.index(name) + 1 for name in TEMPLATE_COLUMNS}
    assert ws.cell(1, col["not_occurred"]).value == "Không phát sinh trong quý"
    rows = {
        (str(ws.cell(r, col["unit_code"]).value), ws.cell(r, col["indicator_code"]).value): r
        for r in range(2, ws.max_row + 1)
    }
    kept = rows[("99103", "TTHC_ONTIME")]
    assert ws.cell(kept, col["not_occurred"]).value == "Không phát sinh"  # what is saved, shown
    said = rows[("99101", "TTHC_ONTIME")]
    cell = ws.cell(said, col["not_occurred"])
    assert cell.protection.locked is False
    assert any(cell.coordinate in dv.sqref and dv.type == "list" for dv in ws.data_validations.dataValidation)
    cell.value = "Không phát sinh"  # chosen from the drop-down
    typed = rows[("99101", "TTHC_ONLINE")]
    ws.cell(typed, col["numerator"]).value = "không phát sinh"  # or typed where the figure goes
    buffer = io.BytesIO()
    ws.parent.save(buffer)
    with translation.override("vi"):
        job = jobs.job_create(user=editor, upload=SimpleUploadedFile("mau.xlsx", buffer.getvalue()))
        jobs.work(once=True)
        job.refresh_from_db()
        assert job.counts["new"] == 2 and job.counts["unchanged"] == 1 and not job.errors, job.errors
        assert jobs.job_confirm(job=job, user=editor)
        jobs.work(once=True)
    said = ReportValue.objects.filter(report__unit=tree["commune_a1"], not_occurred=True)
    assert sorted(said.values_list("indicator__code", flat=True)) == ["TTHC_ONLINE", "TTHC_ONTIME"]


def test_the_admin_keeps_it_when_only_the_comment_changes(client, tree, staff, editor, period, ontime):
    make_report(tree["commune_a1"], period, "draft")
    write(unit=tree["commune_a1"], period=period, user=editor, indicators=[ontime],
          rows={ontime.pk: {"not_occurred": True}})  # fmt: skip
    value = ReportValue.objects.get()
    url = reverse("admin:indicators_reportvalue_change", args=[value.pk])
    client.force_login(staff)
    data = entry_form(client, url)
    data.update({"numerator": "", "denominator": "", "value": "", "comment": "Không có hồ sơ", "not_occurred": "on"})
    assert client.post(url, data).status_code == 302
    value.refresh_from_db()
    assert value.not_occurred and value.comment == "Không có hồ sơ"
    assert seen(value.report) == 3
