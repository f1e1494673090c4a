"""Quarterly figures from spreadsheets: template, checks, preview, write, limits."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from indicators import jobs
from indicators.models import ImportJob, Indicator, Report, ReportValue
from indicators.testing import make_period, make_report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def vietnamese():
    """Jobs speak their uploader's language; these tests upload as a Vietnamese user."""
    from django.utils import translation

    with translation.override("vi"):
        yield


HEADERS = ["unit_code", "period", "indicator_code", "numerator", "denominator", "value", "comment"]
OPEN = {"closes": datetime.date(2099, 12, 31)}


@pytest.fixture
def period():
    return make_period(2026, "Q2", **OPEN)


def _xlsx(rows, headers=HEADERS, merge=None, name="quy2.xlsx", sheet_title=None):
    wb = Workbook()
    ws = wb.active
    if sheet_title:
        ws.title = sheet_title
    ws.append(headers)
    for row in rows:
        ws.append(row)
    if merge:
        ws.merge_cells(merge)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def _csv(text, name="quy2.csv", bom=False):
    return SimpleUploadedFile(name, (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))


def _run(user, upload, partial=False, sheet=""):
    """Upload, check, and (when it can be) confirm and write, as the worker would."""
    job = jobs.job_create(user=user, upload=upload, partial=partial, sheet=sheet)
    jobs.work(once=True)
    job.refresh_from_db()
    if job.can_confirm:
        jobs.job_confirm(job=job, user=user)
        jobs.work(once=True)
        job.refresh_from_db()
    return job


def _errors(job):
    return [(e["row"], e["column"], e["message"]) for e in job.errors]


def test_a_downloaded_template_filled_and_uploaded_round_trips(client, tree, editor, period):
    client.force_login(editor)
    r = client.get(reverse("indicators:import-template"), {"don_vi": tree["district_a"].pk, "ky": period.code})
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.active
    headers = [c.value for c in ws[1]]
    # Headers in the officer's language; the import reads them (or the codes) back.
    assert headers[:9] == ["Mã đơn vị", "Đơn vị", "Quý", "Mã chỉ số", "Chỉ số", "Tử số", "Mẫu số", "Giá trị", "Ghi chú"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert {row[0] for row in rows} == {"991", "99101", "99103"}
    col = {name: i for i, name in enumerate(["indicator_code" if h == "Mã chỉ số" else h for h in headers])}
    col |= {"numerator": col["Tử số"], "denominator": col["Mẫu số"], "value": col["Giá trị"]}
    for row in ws.iter_rows(min_row=2):
        code = row[col["indicator_code"]].value
        indicator = Indicator.objects.get(code=code)
        if indicator.is_ratio:
            row[col["numerator"]].value, row[col["denominator"]].value = 45, 50
        else:
            row[col["value"]].value = "99,12" if indicator.kind == "percent" else 2
    buffer = io.BytesIO()
    wb.save(buffer)
    job = _run(editor, SimpleUploadedFile("mau.xlsx", buffer.getvalue()))
    assert job.status == ImportJob.Status.DONE, job.errors or job.message
    assert job.rows_written == len(rows)
    satisfaction = ReportValue.objects.get(report__unit=tree["commune_a1"], indicator__code="SATISFACTION")
    assert satisfaction.value == Decimal("99.12")
    ontime = ReportValue.objects.get(report__unit=tree["commune_a2"], indicator__code="TTHC_ONTIME")
    assert (ontime.numerator, ontime.denominator) == (45, 50)
    assert set(Report.objects.values_list("status", flat=True)) == {"draft"}

    # Downloaded again, the template carries the saved figures back.
    again = load_workbook(
        io.BytesIO(
            client.get(
                reverse("indicators:import-template"), {"don_vi": tree["district_a"].pk, "ky": period.code}
            ).content
        )
    ).active
    saved = {(r[0], r[3]): r for r in again.iter_rows(min_row=2, values_only=True)}
    assert saved[("99103", "TTHC_ONTIME")][5:7] == (45, 50)
    assert saved[("99101", "SATISFACTION")][7] == pytest.approx(99.12)


def test_imported_values_show_in_history_as_imported_from_the_file(tree, editor, period):
    _run(editor, _xlsx([["99101", "2026-Q2", "TTHC_ONTIME", 9, 10, None, None]], name="bao-cao-q2.xlsx"))
    history = ReportValue.history.get()
    assert history.history_change_reason == "nhập từ bao-cao-q2.xlsx"
    assert history.history_user == editor
    created, touched = Report.history.order_by("history_id")  # the draft report the import created has its history too
    assert (created.history_type, created.history_user, created.status) == ("+", editor, "draft")
    assert (touched.history_type, touched.history_user, touched.version) == ("~", editor, 1)


def test_the_preview_says_new_changed_and_unchanged_with_old_and_new(tree, editor, period):
    make_report(tree["commune_a1"], period, "draft", TTHC_ONTIME=(8, 10), TTHC_ONLINE=(5, 10))
    job = jobs.job_create(
        user=editor,
        upload=_xlsx([
            ["99101", "2026-Q2", "TTHC_ONTIME", 9, 10, None, None],
            ["99101", "2026-Q2", "TTHC_ONLINE", 5, 10, None, None],
            ["99101", "2026-Q2", "WORK_ONLINE", 3, 10, None, "mới"],
        ]),
    )  # fmt: skip
    jobs.work(once=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY
    assert job.counts == {"new": 1, "changed": 1, "unchanged": 1, "errors": 0, "blank": 0}
    changed = next(c for c in job.preview if c["kind"] == "changed")
    assert (changed["old"], changed["new"]) == ("8 / 10", "9 / 10")
    assert ReportValue.objects.get(indicator__code="TTHC_ONTIME").numerator == 8  # nothing written before confirming


def test_every_error_has_its_row_column_and_a_vietnamese_message_and_nothing_is_saved(tree, editor, outsider, period):
    make_report(tree["commune_a2"], period, "approved", TTHC_ONTIME=(9, 10))
    make_period(2025, "Q1")  # closed long ago
    rows = [
        ["99101", "2026-Q2", "TTHC_ONTIME", 9, 10, None, None],  # 2: good
        ["12345", "2026-Q2", "TTHC_ONTIME", 9, 10, None, None],  # 3: unknown unit
        ["99101", "2026-Q2", "NOPE", 9, 10, None, None],  # 4: unknown indicator
        ["99201", "2026-Q2", "TTHC_ONTIME", 9, 10, None, None],  # 5: another district
        ["99103", "2026-Q2", "TTHC_ONTIME", 9, 10, None, None],  # 6: approved report
        ["99101", "2025-Q1", "TTHC_ONTIME", 9, 10, None, None],  # 7: closed period
        ["99101", "2026-Q2", "TTHC_ONLINE", 12, 10, None, None],  # 8: numerator > denominator
        ["99101", "2026-Q2", "SATISFACTION", None, None, "abc", None],  # 9: not a number
        ["99101", "2026-Q2", "TTHC_ONTIME", 8, 10, None, None],  # 10: duplicate of row 2
        ["99101", "2026-Q2", "INITIATIVES", None, None, "1.234", None],  # 11: ambiguous
    ]
    job = _run(editor, _xlsx(rows))
    assert job.status == ImportJob.Status.READY and not job.can_confirm
    errors = _errors(job)
    unknown = "Không tìm thấy mã đơn vị {}, hoặc đơn vị không thuộc phạm vi bạn được nhập liệu."
    assert (3, "unit_code", unknown.format("12345")) in errors
    assert (4, "indicator_code", "Không tìm thấy mã chỉ số NOPE.") in errors
    # Another district's unit is answered exactly as a code that does not exist.
    assert (5, "unit_code", unknown.format("99201")) in errors
    assert (
        6,
        "unit_code",
        "Báo cáo đã được phê duyệt và chỉ để xem. Người thẩm định có thể mở lại, kèm lý do.",
    ) in errors
    assert (7, "unit_code", "Kỳ báo cáo đã khóa sổ ngày 30/03/2025: nay chỉ người thẩm định mới sửa được.") in errors
    assert (8, "numerator", "Tử số (12) không được lớn hơn mẫu số (10).") in errors
    assert (9, "value", "“abc” không phải là số.") in errors
    assert (10, "indicator_code", "Dòng trùng: dòng 2 đã có cùng đơn vị, kỳ và chỉ số.") in errors
    assert (11, "value", "“1.234” có thể là số nghìn hoặc số thập phân: hãy viết 1234 hoặc 1,234.") in errors
    assert 2 not in {row for row, _c, _m in errors}
    assert ReportValue.objects.count() == 1  # only the approved report's own value, untouched
    assert ReportValue.objects.get().numerator == 9


def test_a_missing_column_is_named(tree, editor, period):
    job = _run(editor, _xlsx([["99101", "2026-Q2", "TTHC_ONTIME"]], headers=["unit_code", "period", "indicator_code"]))
    assert (1, "numerator", "Thiếu cột “numerator”.") in _errors(job)
    assert not ReportValue.objects.exists()


def test_merged_cells_in_a_key_column_are_refused(tree, editor, period):
    rows = [["99101", "2026-Q2", "TTHC_ONTIME", 9, 10, None, None], [None, "2026-Q2", "TTHC_ONLINE", 5, 10, None, None]]
    job = _run(editor, _xlsx(rows, merge="A2:A3"))
    messages = {(row, column) for row, column, _m in _errors(job)}
    assert (2, "unit_code") in messages and (3, "unit_code") in messages
    assert not ReportValue.objects.exists()


def test_partial_mode_saves_the_valid_rows_and_returns_the_rejected_ones(client, tree, editor, period):
    rows = [
        ["99101", "2026-Q2", "TTHC_ONTIME", 9, 10, None, None],
        ["99101", "2026-Q2", "TTHC_ONLINE", 12, 10, None, None],
    ]
    job = _run(editor, _xlsx(rows), partial=True)
    assert job.status == ImportJob.Status.DONE and job.rows_written == 1
    assert ReportValue.objects.get().indicator.code == "TTHC_ONTIME"
    client.force_login(editor)
    rejected = load_workbook(
        io.BytesIO(b"".join(client.get(reverse("indicators:import-rejected", args=[job.pk])).streaming_content))
    ).active
    data = list(rejected.iter_rows(values_only=True))
    assert data[0][-1] == "loi" and len(data) == 2
    assert data[1][2] == "TTHC_ONLINE" and "không được lớn hơn mẫu số" in data[1][-1]


def test_an_import_never_touches_an_approved_report_even_if_approved_after_the_preview(tree, editor, reviewer, period):
    report = make_report(tree["commune_a1"], period, "draft", TTHC_ONTIME=(8, 10))
    job = jobs.job_create(user=editor, upload=_xlsx([["99101", "2026-Q2", "TTHC_ONTIME", 9, 10, None, None]]))
    jobs.work(once=True)
    job.refresh_from_db()
    Report.objects.filter(pk=report.pk).update(status="approved")  # approved meanwhile
    jobs.job_confirm(job=job, user=editor)
    jobs.work(once=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert ReportValue.objects.get().numerator == 8


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_decimal_comma_imports_the_same_in_both_interface_languages(client, tree, editor, period, language):
    client.force_login(editor)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    upload = _csv(
        "unit_code;period;indicator_code;numerator;denominator;value;comment\n99101;2026-Q2;SATISFACTION;;;99,12;\n",
        bom=True,
    )
    r = client.post(reverse("indicators:import"), {"file": upload})
    job = ImportJob.objects.get()
    assert r["Location"] == reverse("indicators:import-job", args=[job.pk])
    jobs.work(once=True)
    client.post(reverse("indicators:import-confirm", args=[job.pk]))
    jobs.work(once=True)
    assert ReportValue.objects.get().value == Decimal("99.12")


def test_csv_with_commas_and_another_sheet_of_an_xlsx_are_read(tree, editor, period):
    job = _run(
        editor,
        _csv("unit_code,period,indicator_code,numerator,denominator,value,comment\n99101,2026-Q2,TTHC_ONTIME,9,10,,\n"),
    )
    assert job.status == ImportJob.Status.DONE
    job = _run(
        editor, _xlsx([["99103", "2026-Q2", "TTHC_ONTIME", 7, 10, None, None]], sheet_title="So lieu"), sheet="So lieu"
    )
    assert job.status == ImportJob.Status.DONE
    job = _run(editor, _xlsx([["99103", "2026-Q2", "TTHC_ONTIME", 7, 10, None, None]]), sheet="Khong co")
    assert job.status == ImportJob.Status.FAILED and "Khong co" in job.message


def test_other_formats_are_refused_with_a_message(tree, editor):
    job = jobs.job_create(user=editor, upload=SimpleUploadedFile("quy2.xls", b"\xd0\xcf\x11\xe0"))
    assert job.status == ImportJob.Status.FAILED and "Chỉ nhập được tệp .xlsx và .csv" in job.message


def test_an_oversized_file_is_refused_without_being_read(tree, editor, settings):
    settings.IMPORT_MAX_BYTES = 1024 * 1024

    class Huge(io.BytesIO):
        name = "quy2.xlsx"
        size = 5_000_000

        def read(self, *args):
            raise AssertionError("an oversized file must not be read")

    job = jobs.job_create(user=editor, upload=Huge())
    assert job.status == ImportJob.Status.FAILED
    assert job.message == "Tệp có dung lượng 4,8 MB; giới hạn là 1 MB."


def test_a_zip_bomb_is_refused_from_its_directory_alone(tree, editor):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 1024 * 1024))
    assert len(buffer.getvalue()) < 200_000
    job = jobs.job_create(user=editor, upload=SimpleUploadedFile("bom.xlsx", buffer.getvalue()))
    assert job.status == ImportJob.Status.QUEUED  # the web request never opens it …
    jobs.work(once=True)
    job.refresh_from_db()  # … the worker's child process refuses it from the zip directory
    assert job.status == ImportJob.Status.FAILED and "giải nén ra lớn hơn rất nhiều" in job.message


def test_too_many_rows_are_refused(tree, editor, settings, period):
    settings.IMPORT_MAX_ROWS = 2
    rows = [["99101", "2026-Q2", "TTHC_ONTIME", 9, 10, None, None]] * 3
    job = jobs.job_create(user=editor, upload=_xlsx(rows))
    jobs.work(once=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "nhiều hơn 2 dòng" in job.message


def test_checking_costs_the_same_queries_for_10_or_200_rows(tree, editor, period, django_assert_max_num_queries):
    from indicators.imports import plan_import
    from parc.lib.spreadsheets import open_sheet

    indicators = list(Indicator.objects.filter(kind="ratio"))
    for count in (10, 200):
        rows = [
            ["99101" if i % 2 else "99103", "2026-Q2", indicators[i % len(indicators)].code, 1, 2, None, None]
            for i in range(count)
        ]
        upload = _xlsx(rows)
        sheet = open_sheet(upload, upload.name)
        # Queries: periods, units, indicators, reports, values, the user's memberships.
        with django_assert_max_num_queries(6):
            plan_import(sheet=sheet, user=editor)


def test_a_job_is_seen_only_by_its_owner(client, tree, editor, outsider, period):
    job = jobs.job_create(user=editor, upload=_xlsx([["99101", "2026-Q2", "TTHC_ONTIME", 9, 10, None, None]]))
    other = Client()
    other.force_login(outsider)
    assert other.get(reverse("indicators:import-job", args=[job.pk])).status_code == 404
    assert other.post(reverse("indicators:import-confirm", args=[job.pk])).status_code == 404
    client.force_login(editor)
    page = client.get(reverse("indicators:import-job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page  # waiting: the page follows the progress


def test_the_template_shades_what_to_fill_locks_the_rest_and_checks_figures_as_typed(client, tree, editor, period):
    client.force_login(editor)
    r = client.get(reverse("indicators:import-template"), {"don_vi": tree["district_a"].pk, "ky": period.code})
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = {(row[0].value, row[3].value): row for row in ws.iter_rows(min_row=2)}
    ratio, percent = rows[("99101", "TTHC_ONTIME")], rows[("99101", "SATISFACTION")]
    numerator, value = 5, 7  # 0-based: Tử số, Giá trị
    assert ratio[numerator].fill.start_color.rgb.endswith("FFF4C2") and not ratio[numerator].protection.locked
    assert ratio[value].protection.locked and ratio[value].fill.start_color.rgb.endswith("E7E7E7")
    assert not percent[value].protection.locked and ratio[0].protection.locked  # key columns stay locked
    assert ws.protection.sheet
    checks = {(dv.type, dv.formula1, dv.formula2): str(dv.sqref).split() for dv in ws.data_validations.dataValidation}
    assert ratio[numerator].coordinate in checks[("whole", "0", None)]  # whole counts
    assert percent[value].coordinate in checks[("decimal", "0", "100")]  # 0–100, checked by Excel as it is typed


def test_rows_of_the_template_left_empty_are_not_errors(client, tree, editor, period):
    client.force_login(editor)
    r = client.get(reverse("indicators:import-template"), {"don_vi": tree["district_a"].pk, "ky": period.code})
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.active
    filled = 0
    for row in ws.iter_rows(min_row=2):
        if row[3].value == "TTHC_ONTIME":  # the officer fills one indicator for each unit, nothing else
            row[5].value, row[6].value = 9, 10
            filled += 1
    buffer = io.BytesIO()
    wb.save(buffer)
    job = jobs.job_create(user=editor, upload=SimpleUploadedFile("mau.xlsx", buffer.getvalue()))
    jobs.work(once=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY and not job.errors
    assert job.counts["new"] == filled == 3 and job.counts["blank"] == ws.max_row - 1 - filled
    assert job.can_confirm


def test_a_template_can_be_had_for_any_begun_quarter_and_a_wrong_choice_is_said(client, tree, editor):
    old = make_period(2024, "Q1", closes=datetime.date(2024, 3, 30))
    future = make_period(datetime.date.today().year + 1, "Q4")
    client.force_login(editor)
    page = client.get(reverse("indicators:import")).content.decode()
    assert f'value="{old.code}"' in page and f'value="{future.code}"' not in page
    r = client.get(reverse("indicators:import-template"), {"don_vi": tree["district_a"].pk, "ky": old.code})
    assert r.status_code == 200
    r = client.get(reverse("indicators:import-template"), {"don_vi": tree["district_a"].pk, "ky": future.code})
    assert r.status_code == 200 and "is-invalid" in r.content.decode()  # the form again, the choice marked


def test_an_error_names_the_unit_the_indicator_and_the_column_as_the_officer_reads_them(client, tree, editor, period):
    job = _run(editor, _xlsx([["99101", "2026-Q2", "TTHC_ONTIME", 12, 10, None, None]]))
    error = job.errors[0]
    assert (error["unit"], error["column_label"]) == ("Thị trấn Tân Hiệp", "Tử số")
    assert error["indicator"] == Indicator.objects.get(code="TTHC_ONTIME").name_vi
    client.force_login(editor)
    page = client.get(reverse("indicators:import-job", args=[job.pk])).content.decode()
    assert "<td>Thị trấn Tân Hiệp</td>" in page and "<td>Tử số</td>" in page


def test_after_the_preview_the_officer_may_cancel_and_nothing_is_saved(client, tree, editor, outsider, period):
    job = jobs.job_create(user=editor, upload=_xlsx([["99101", "2026-Q2", "TTHC_ONTIME", 9, 10, None, None]]))
    jobs.work(once=True)
    client.force_login(editor)
    page = client.get(reverse("indicators:import-job", args=[job.pk])).content.decode()
    assert "Xác nhận và lưu" in page and "Hủy lần nhập này" in page  # both next steps offered
    other = Client()
    other.force_login(outsider)
    assert other.post(reverse("indicators:import-cancel", args=[job.pk])).status_code == 404
    page = client.post(reverse("indicators:import-cancel", args=[job.pk]), follow=True).content.decode()
    assert "Đã hủy lần nhập: không có gì được lưu." in page
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED and "Xác nhận và lưu" not in page
    assert "Tải tệp khác lên" in page  # the way on
    # Cancelled is final: no confirm, no second cancel, the worker leaves it, nothing written.
    assert not jobs.job_confirm(job=job, user=editor)
    page = client.post(reverse("indicators:import-cancel", args=[job.pk]), follow=True).content.decode()
    assert "Lần nhập này không thể hủy được nữa." in page
    assert jobs.work(once=True) == 0 and not ReportValue.objects.exists()


def test_a_job_being_written_cannot_be_cancelled(tree, editor, period):
    job = jobs.job_create(user=editor, upload=_xlsx([["99101", "2026-Q2", "TTHC_ONTIME", 9, 10, None, None]]))
    jobs.work(once=True)
    jobs.job_confirm(job=job, user=editor)
    assert not jobs.job_cancel(job=job, user=editor)  # confirmed: the worker owns it now
    jobs.work(once=True)
    assert ReportValue.objects.count() == 1


def test_a_template_for_a_quarter_the_officer_may_no_longer_change_says_why_instead_of_an_empty_file(
    client, tree, editor
):
    closed = make_period(2025, "Q1")  # closed long ago for editors
    client.force_login(editor)
    r = client.get(reverse("indicators:import-template"), {"don_vi": tree["district_a"].pk, "ky": closed.code})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/html")
    html = r.content.decode()
    assert "Kỳ báo cáo đã khóa sổ ngày 30/03/2025" in html
    assert 'aria-invalid="true"' in html
