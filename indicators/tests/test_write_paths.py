"""Every path that writes figures × every state a report can be in: one documented answer each.

The paths: the entry form, the spreadsheet import (checked, then confirmed), the admin's change
form, its delete, its bulk delete and its history revert, and the status services. The states:
draft, submitted, returned, approved, a closed period (an editor; reviewers and administrators
may still change it) and out of scope (an officer of another district; administrators have no
"out of scope": their scope is everything, so the admin rows of that column are the officer's
404 on the admin itself).

| state        | form, import, admin (change, delete, bulk delete, revert) |
|--------------|-----------------------------------------------------------|
| draft        | written                                                    |
| returned     | written, and the report is a draft again                  |
| submitted    | refused: "waits for review"                                |
| approved     | refused: "approved and read-only"                          |
| closed       | editor refused ("closed on …"); administrator written      |
| out of scope | form 404, import refused per row, admin 302 to the login   |
"""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from indicators import jobs, services
from indicators.models import ImportJob, Indicator, Report, ReportStatus, ReportValue
from indicators.testing import entry_form, make_period, make_report, seen
from parc.lib.cache import data_version

pytestmark = pytest.mark.django_db

OPEN = datetime.date(2099, 12, 31)
PATHS = ["form", "import", "admin_change", "admin_delete", "admin_bulk_delete", "admin_revert"]
STATES = ["draft", "returned", "submitted", "approved", "closed", "out_of_scope"]
REFUSAL = {
    "submitted": "đã gửi và đang chờ thẩm định",
    "approved": "đã được phê duyệt",
    "closed": "đã khóa sổ",
}


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


def _report(tree, state):
    unit = tree["commune_b1"] if state == "out_of_scope" else tree["commune_a1"]
    if state == "closed":
        period = make_period(2025, "Q1", closes=datetime.date(2025, 4, 1))
        status = "draft"
    else:
        period = make_period(2026, "Q2", closes=OPEN)
        status = "draft" if state == "out_of_scope" else state
    report = make_report(unit, period, status, TTHC_ONTIME=(8, 10))
    if state == "returned":
        report.return_reason = "Kiểm tra lại"
        report.save()
    # The value has a history row to revert to: 7 / 10 before today's 8 / 10.
    value = report.values.get()
    value.numerator = 7
    value.save()
    value.numerator = 8
    value.save()
    return report


def _xlsx(report, numerator):
    wb = Workbook()
    ws = wb.active
    ws.append(["unit_code", "period", "indicator_code", "numerator", "denominator", "value", "comment"])
    ws.append([report.unit.code, report.period.code, "TTHC_ONTIME", numerator, 10, None, None])
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("quy.xlsx", buffer.getvalue())


def _attempt(path, report, editor, outsider, staff):
    """Try to change TTHC_ONTIME of `report` to 9 / 10 (or delete it) through `path`; return
    (http status or job status, text the user was shown)."""
    actor = editor  # an officer of district A; the out-of-scope report is district B's
    ontime = Indicator.objects.get(code="TTHC_ONTIME")
    value = report.values.get()
    client = Client()
    if path == "form":
        client.force_login(actor)
        url = reverse("indicators:report-entry", args=[report.unit.pk, report.period.code])
        if client.get(url).status_code == 404:
            return 404, ""
        data = {**entry_form(client, url), "action": "save", f"n_{ontime.pk}": "9", f"d_{ontime.pk}": "10"}
        r = client.post(url, data, follow=True)
        return r.redirect_chain[0][1] if r.redirect_chain else r.status_code, r.content.decode()
    if path == "import":
        job = jobs.job_create(user=actor, upload=_xlsx(report, 9))
        jobs.work(once=True)
        job.refresh_from_db()
        if job.status == ImportJob.Status.READY and jobs.job_confirm(job=job, user=actor):
            jobs.work(once=True)
            job.refresh_from_db()
        return job.status, " ".join(e["message"] for e in job.errors) + job.message
    # The admin: administrators only (an officer is sent to the admin's login page).
    user = editor if report.unit.code == "99201" else staff
    client.force_login(user)
    if path == "admin_change":
        url = reverse("admin:indicators_reportvalue_change", args=[value.pk])
        page = entry_form(client, url)
        r = client.post(
            url, {**page, "report": report.pk, "indicator": ontime.pk, "numerator": "9", "denominator": "10"}
        )
    elif path == "admin_delete":
        r = client.post(reverse("admin:indicators_reportvalue_delete", args=[value.pk]), {"post": "yes"})
    elif path == "admin_bulk_delete":
        r = client.post(
            reverse("admin:indicators_reportvalue_changelist"),
            {"action": "delete_selected", "_selected_action": [value.pk], "post": "yes"},
        )
    else:  # admin_revert: back to the 7 / 10 of an earlier history row
        first = value.history.order_by("history_id").first()
        url = reverse("admin:indicators_reportvalue_simple_history", args=[value.pk, first.history_id])
        page = entry_form(client, url)
        r = client.post(
            url, {**page, "report": report.pk, "indicator": ontime.pk, "numerator": "7", "denominator": "10"}
        )
    return r.status_code, r.content.decode()


def _expected_change(path):
    return {"admin_delete": None, "admin_bulk_delete": None, "admin_revert": 7}.get(path, 9)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("path", PATHS)
def test_every_write_path_gives_the_documented_answer_in_every_state(path, state, tree, editor, outsider, staff):
    report = _report(tree, state)
    version = report.version
    answer, text = _attempt(path, report, editor, outsider, staff)
    report.refresh_from_db()
    value = ReportValue.objects.filter(report=report).first()
    admin = path.startswith("admin")
    written = state in ("draft", "returned") or (state == "closed" and admin)
    if state == "out_of_scope":
        written = False
        expected = {"form": 404, "import": ImportJob.Status.READY}.get(path, 302)  # import: refused rows
        assert answer == expected
        if path == "import":
            # the same answer as a code that does not exist: nothing said about other districts
            assert "Không tìm thấy mã đơn vị 99201, hoặc đơn vị không thuộc phạm vi bạn được nhập liệu" in text
    elif written:
        assert answer in (302, ImportJob.Status.DONE), text[:2000]
    else:
        # the form and the admin re-show the page or answer 403; an import's preview keeps the
        # refusal beside its row and cannot be confirmed
        assert answer in (200, 403, ImportJob.Status.FAILED, ImportJob.Status.READY), answer
        if not admin:
            assert REFUSAL[state] in text
    if written:
        expected_figure = _expected_change(path)
        if expected_figure is None:
            assert value is None
        else:
            assert value.numerator == expected_figure
        assert report.version == version + 1
        if state == "returned":
            assert report.status == ReportStatus.DRAFT  # returned → draft once changed
    else:
        assert value is not None and value.numerator == 8  # untouched
        assert report.version == version
        assert report.status == ("draft" if state in ("closed", "out_of_scope") else state)


def test_the_admin_cannot_revert_a_reports_status_from_its_history(client, tree, staff, reviewer):
    period = make_period(2026, "Q2", closes=OPEN)
    report = make_report(tree["commune_a1"], period, "submitted", TTHC_ONTIME=(8, 10))
    report = services.report_approve(report=report, user=reviewer, seen_version=seen(report))
    submitted = report.history.filter(status="submitted").order_by("history_id").first()
    client.force_login(staff)
    url = reverse("admin:indicators_report_simple_history", args=[report.pk, submitted.history_id])
    assert client.get(url).status_code == 200  # it can be read …
    r = client.post(url, {})
    assert r.status_code == 403  # … never reverted: approved stays approved
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED


def test_a_reverted_figure_is_written_by_the_service_with_its_reason(client, tree, staff):
    report = _report(tree, "draft")
    value = report.values.get()
    client.force_login(staff)
    first = value.history.order_by("history_id").first()
    url = reverse("admin:indicators_reportvalue_simple_history", args=[value.pk, first.history_id])
    page = entry_form(client, url)
    r = client.post(
        url, {**page, "report": report.pk, "indicator": value.indicator_id, "numerator": "7", "denominator": "10"}
    )
    assert r.status_code == 302
    latest = value.history.order_by("-history_id").first()
    assert (latest.numerator, latest.history_user, latest.history_change_reason) == (7, staff, "khôi phục từ lịch sử")


def test_a_stale_revert_page_is_a_conflict_not_an_overwrite(client, tree, staff, editor):
    report = _report(tree, "draft")
    value = report.values.get()
    client.force_login(staff)
    first = value.history.order_by("history_id").first()
    url = reverse("admin:indicators_reportvalue_simple_history", args=[value.pk, first.history_id])
    page = entry_form(client, url)  # the administrator opens the revert page …
    ontime = Indicator.objects.get(code="TTHC_ONTIME")
    officer = Client()
    officer.force_login(editor)  # … the officer saves 6 / 10 meanwhile …
    entry = reverse("indicators:report-entry", args=[report.unit.pk, report.period.code])
    officer.post(entry, {**entry_form(officer, entry), "action": "save", f"n_{ontime.pk}": "6", f"d_{ontime.pk}": "10"})
    r = client.post(url, {**page, "report": report.pk, "indicator": ontime.pk, "numerator": "7", "denominator": "10"})
    assert r.status_code == 200 and "Có người đã lưu số liệu này sau khi bạn mở trang" in r.content.decode()
    assert ReportValue.objects.get(pk=value.pk).numerator == 6  # the officer's figure stands


# ---------------------------------------------------------------------------------------------
# The rules, each with a test that fails when its check is taken out


def test_a_stale_tab_cannot_approve_figures_nobody_reviewed(tree, editor, reviewer):
    period = make_period(2026, "Q2", closes=OPEN)
    report = make_report(tree["commune_a1"], period, "submitted", TTHC_ONTIME=(8, 10))
    looked_at = seen(report)  # the reviewer opens the report …
    services.report_return(report=report, user=reviewer, reason="Sai mẫu số", seen_version=looked_at)
    ontime = Indicator.objects.get(code="TTHC_ONTIME")
    services.report_values_write(
        user=editor, unit=report.unit, period=period, changes={ontime.pk: {"numerator": "1", "denominator": "10"}},
        indicators=[ontime], base_version=seen(report), source="form",
    )  # fmt: skip
    services.report_submit(report=report, user=editor, indicators=[], seen_version=seen(report))
    with pytest.raises(services.Refused, match="đã thay đổi sau khi bạn mở"):
        with translation.override("vi"):
            services.report_approve(report=report, user=reviewer, seen_version=looked_at)  # … in a stale tab
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_a_first_save_over_a_report_created_meanwhile_merges_or_conflicts(tree, editor):
    period = make_period(2026, "Q2", closes=OPEN)
    ontime, online = Indicator.objects.get(code="TTHC_ONTIME"), Indicator.objects.get(code="TTHC_ONLINE")
    make_report(tree["commune_a1"], period, "draft", TTHC_ONTIME=(8, 10))  # someone's first save
    # Another tab opened the page when there was no report (version 0) and typed another figure:
    merged = services.report_values_write(
        user=editor, unit=tree["commune_a1"], period=period, changes={online.pk: {"numerator": "5", "denominator": "10"}},
        indicators=[online], base_version=0, source="form",
    )  # fmt: skip
    assert merged.ok and {v.indicator.code for v in merged.report.values.all()} == {"TTHC_ONTIME", "TTHC_ONLINE"}
    # … or the same figure, differently: a conflict naming both, nothing saved.
    clash = services.report_values_write(
        user=editor, unit=tree["commune_a1"], period=period, changes={ontime.pk: {"numerator": "7", "denominator": "10"}},
        indicators=[ontime], base_version=0, source="form",
    )  # fmt: skip
    assert clash.conflict and clash.conflict[0][3][:2] == (8, 10)
    assert ReportValue.objects.get(indicator=ontime).numerator == 8


def test_confirming_an_import_never_overwrites_a_figure_saved_after_the_preview(tree, editor, reviewer):
    period = make_period(2026, "Q2", closes=OPEN)
    report = make_report(tree["commune_a1"], period, "draft", TTHC_ONTIME=(8, 10))
    job = jobs.job_create(user=editor, upload=_xlsx(report, 9))
    jobs.work(once=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY
    ontime = Indicator.objects.get(code="TTHC_ONTIME")
    services.report_values_write(  # the reviewer corrects the figure through the form meanwhile
        user=reviewer, unit=report.unit, period=period, changes={ontime.pk: {"numerator": "6", "denominator": "10"}},
        indicators=[ontime], base_version=seen(report), source="form",
    )  # fmt: skip
    assert jobs.job_confirm(job=job, user=editor)
    jobs.work(once=True)
    job.refresh_from_db()
    assert ReportValue.objects.get(indicator=ontime).numerator == 6  # the reviewer's figure stands
    assert job.status == ImportJob.Status.READY  # the preview is offered again …
    assert "Lê Minh Châu" in job.message and "Thị trấn Tân Hiệp" in job.message  # … naming who changed what
    assert job.preview[0]["old"].startswith("6 / 10")  # as things are now
    assert jobs.job_confirm(job=job, user=editor)  # confirming the new preview writes it
    jobs.work(once=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and ReportValue.objects.get(indicator=ontime).numerator == 9


def test_an_import_checks_the_locks_again_when_it_writes(tree, editor, reviewer):
    period = make_period(2026, "Q2", closes=OPEN)
    report = make_report(tree["commune_a1"], period, "draft", TTHC_ONTIME=(8, 10))
    job = jobs.job_create(user=editor, upload=_xlsx(report, 9))
    jobs.work(once=True)
    Report.objects.filter(pk=report.pk).update(status="approved")  # approved after the preview, same version
    assert jobs.job_confirm(job=job, user=jobs.ImportJob.objects.get(pk=job.pk).user)
    jobs.work(once=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "đã được phê duyệt" in job.errors[0]["message"]
    assert ReportValue.objects.get().numerator == 8


@pytest.mark.parametrize("path", ["form", "import"])
def test_a_returned_report_is_a_draft_again_once_changed(path, tree, editor, outsider, staff):
    report = _report(tree, "returned")
    _attempt(path, report, editor, outsider, staff)
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


@pytest.mark.parametrize("path", ["form", "import", "admin_change", "admin_delete"])
def test_every_write_path_refreshes_cached_dashboards(path, tree, editor, outsider, staff):
    report = _report(tree, "draft")
    before = data_version()
    _attempt(path, report, editor, outsider, staff)
    assert data_version() > before


def test_status_changes_refresh_cached_dashboards(tree, editor, reviewer):
    period = make_period(2026, "Q2", closes=OPEN)
    report = make_report(tree["commune_a1"], period, "submitted", TTHC_ONTIME=(8, 10))
    before = data_version()
    services.report_approve(report=report, user=reviewer, seen_version=seen(report))
    assert data_version() > before


def test_nothing_but_the_service_writes_report_values():
    """A code scan: ReportValue rows are written only in indicators/services.py (its bulk
    writes for imports included). Tests' factories aside, and the demo loader: it makes up a past (quarters
    approved long ago, back-dated submissions) that no user wrote, and never runs on a real
    database."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    writes = re.compile(
        r"ReportValue(\.objects\.(create|update|bulk_create|bulk_update|filter\(.*\)\.(update|delete))|\()"
    )
    allowed = {
        "indicators/services.py", "indicators/testing.py", "indicators/models.py",
        "indicators/demo.py",
    }  # fmt: skip
    offenders = []
    for path in root.rglob("*.py"):
        rel = path.relative_to(root).as_posix()
        if rel.startswith((".venv", "bench/")) or "/tests/" in rel or "/migrations/" in rel or rel in allowed:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if writes.search(line) or re.search(r"\bvalue\.save\(\)|values\.all\(\)\.delete\(\)", line):
                offenders.append(f"{rel}:{number}: {line.strip()}")
    assert offenders == []


def test_the_bulk_writer_checks_figures_it_is_handed_unless_check_figure_passed_them_as_they_are(tree, editor):
    from decimal import Decimal

    from indicators.validation import check_figure

    period = make_period(2026, "Q2", closes=OPEN)
    ontime = Indicator.objects.get(code="TTHC_ONTIME")
    good = check_figure(ontime, numerator="9", denominator="10")
    bad = (Decimal(10) ** 20, Decimal(10) ** 20, None, "", False)
    both = (Decimal(9), Decimal(10), None, "", True)  # figures and "did not occur" at once

    def change(new, checked=None):
        unit = tree["commune_a1"]
        return services.Change(2, unit, period, ontime, "new", None, new, None, checked)

    # none, or one made for other figures
    for hostile in (change(bad), change(bad, checked=good), change(both), change(both, checked=good)):
        with pytest.raises(services.WriteRefused):
            services.report_values_write_many(
                user=editor, changes=[hostile], base_versions={}, source="import", reason="x"
            )
    assert not ReportValue.objects.exists()
    written = services.report_values_write_many(
        user=editor, changes=[change(good.figures, checked=good)], base_versions={}, source="import", reason="x"
    )
    assert written == 1 and ReportValue.objects.get().numerator == 9


# The status services in every state: (who acts, the answer). "ok" moves the report on (and its
# version); any other answer is a refusal whose words are checked, and nothing moves.
STATUS_ANSWERS = {
    "submit": {  # by the district's officer
        "draft": "ok",
        "returned": "ok",
        "submitted": "đang chờ thẩm định",
        "approved": "đã được phê duyệt",
        "closed": "đã khóa sổ",
        "out_of_scope": "nằm ngoài các đơn vị bạn được nhập liệu",
    },
    "approve": {  # by the province's reviewer
        "draft": "cần báo cáo ở trạng thái đã gửi",
        "returned": "cần báo cáo ở trạng thái đã gửi",
        "submitted": "ok",
        "approved": "cần báo cáo ở trạng thái đã gửi",
        "closed": "cần báo cáo ở trạng thái đã gửi",
        "out_of_scope": "ok",  # the province's reviewer reviews district B too
    },
    "return": {
        "draft": "cần báo cáo ở trạng thái đã gửi",
        "returned": "cần báo cáo ở trạng thái đã gửi",
        "submitted": "ok",
        "approved": "cần báo cáo ở trạng thái đã gửi",
        "closed": "cần báo cáo ở trạng thái đã gửi",
        "out_of_scope": "ok",
    },
    "reopen": {
        "draft": "cần báo cáo ở trạng thái đã phê duyệt",
        "returned": "cần báo cáo ở trạng thái đã phê duyệt",
        "submitted": "cần báo cáo ở trạng thái đã phê duyệt",
        "approved": "ok",
        "closed": "cần báo cáo ở trạng thái đã phê duyệt",
        "out_of_scope": "cần báo cáo ở trạng thái đã phê duyệt",
    },
}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("step", list(STATUS_ANSWERS))
def test_every_status_service_gives_the_documented_answer_in_every_state(step, state, tree, editor, reviewer):
    report = _report(tree, state)
    if state == "out_of_scope" and step in ("approve", "return"):
        report.status = "submitted"  # district B's submitted report: the province reviews it
        report.save()
    before = (report.status, report.version)
    ontime = Indicator.objects.get(code="TTHC_ONTIME")
    calls = {
        "submit": lambda: services.report_submit(
            report=report, user=editor, indicators=[ontime], seen_version=seen(report)
        ),
        "approve": lambda: services.report_approve(report=report, user=reviewer, seen_version=seen(report)),
        "return": lambda: services.report_return(
            report=report, user=reviewer, reason="Thiếu số liệu", seen_version=seen(report)
        ),
        "reopen": lambda: services.report_reopen(
            report=report, user=reviewer, reason="Sửa theo thanh tra", seen_version=seen(report)
        ),
    }
    expected = STATUS_ANSWERS[step][state]
    if expected == "ok":
        moved = calls[step]()
        assert (moved.status, moved.version) != before and moved.version == before[1] + 1
    else:
        with pytest.raises(services.Refused, match=expected):
            calls[step]()
        report.refresh_from_db()
        assert (report.status, report.version) == before


def test_a_figure_of_an_indicator_the_units_level_does_not_report_is_refused_by_the_writer(tree, editor):
    period = make_period(2026, "Q2", closes=OPEN)
    not_for_communes = Indicator.objects.filter(for_commune=False).first()
    inactive = Indicator.objects.get(code="INITIATIVES")
    inactive.active = False
    inactive.save()
    result = services.report_values_write(
        user=editor, unit=tree["commune_a1"], period=period,
        changes={not_for_communes.pk: {"value": "5", "numerator": "5", "denominator": "5"}, inactive.pk: {"value": "1"}},
        indicators=[not_for_communes, inactive], base_version=0, source="admin",
    )  # fmt: skip
    assert set(result.errors) == {not_for_communes.pk, inactive.pk} and not ReportValue.objects.exists()


def test_a_preview_with_errors_cannot_be_confirmed_unless_the_valid_rows_were_asked_for(tree, editor):
    make_period(2026, "Q2", closes=OPEN)
    upload = SimpleUploadedFile("q.csv", b"unit_code;period;indicator_code;numerator;denominator;value;comment\n"
                                b"99101;2026-Q2;TTHC_ONTIME;12;10;;\n99101;2026-Q2;TTHC_ONLINE;1;10;;\n")  # fmt: skip
    job = jobs.job_create(user=editor, upload=upload)
    jobs.work(once=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY and job.errors
    assert not jobs.job_confirm(job=job, user=editor)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY
