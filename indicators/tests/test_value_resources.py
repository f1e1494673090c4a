import datetime

import pytest
import tablib

from indicators.models import ReportValue
from indicators.resources import ReportValueResource
from indicators.testing import make_period, make_report
from units.models import Membership
from units.resources import MembershipResource

pytestmark = pytest.mark.django_db

HEADERS = ["unit_code", "period", "indicator_code", "numerator", "denominator", "value", "comment"]


def test_report_values_export_by_codes(tree):
    make_report(tree["commune_a1"], make_period(2026, "Q2"), "approved", TTHC_ONTIME=(9, 10))
    exported = ReportValueResource().export()
    assert exported.headers == [*HEADERS, "not_occurred"]  # an import may leave that column out
    assert exported[0][:3] == ("99101", "2026-Q2", "TTHC_ONTIME")


def test_the_admin_import_of_values_refuses_a_row_of_an_approved_report(tree, staff):
    period = make_period(2026, "Q2", closes=datetime.date(2099, 12, 31))
    make_report(tree["commune_a1"], period, "approved", TTHC_ONTIME=(9, 10))
    data = tablib.Dataset(
        ["99101", "2026-Q2", "TTHC_ONTIME", 1, 10, None, None],
        ["99103", "2026-Q2", "TTHC_ONTIME", 5, 10, None, None],
        headers=HEADERS,
    )
    result = ReportValueResource().import_data(data, dry_run=False, user=staff, file_name="q2.xlsx")
    assert result.has_validation_errors()
    assert [row.number for row in result.invalid_rows] == [2]
    assert ReportValue.objects.get().numerator == 9  # untouched, and the good row was not saved either


def test_the_admin_import_of_values_writes_drafts_with_history(tree, staff):
    make_period(2026, "Q2", closes=datetime.date(2099, 12, 31))
    data = tablib.Dataset(["99103", "2026-Q2", "TTHC_ONTIME", 5, 10, None, None], headers=HEADERS)
    preview = ReportValueResource().import_data(data, dry_run=True, user=staff, file_name="q2.xlsx")
    assert [r.import_type for r in preview.rows] == ["new"] and not ReportValue.objects.exists()
    ReportValueResource().import_data(data, dry_run=False, user=staff, file_name="q2.xlsx")
    value = ReportValue.objects.get()
    assert value.report.status == "draft" and value.history.get().history_change_reason.endswith("q2.xlsx")


def test_memberships_import_by_username_and_unit_code(tree, editor):
    data = tablib.Dataset(["canbo_a", "99201", "viewer"], headers=["username", "unit_code", "role"])
    result = MembershipResource().import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Membership.objects.filter(user=editor, unit=tree["commune_b1"], role="viewer").exists()


def _admin_import(client, rows):
    """Upload a csv on the admin's import page, as an administrator does: it becomes a job that
    the worker checks (a dry run of the resource); returns the job, ready for confirmation."""
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from indicators import jobs
    from indicators.models import ImportJob

    text = ",".join(HEADERS) + "\n" + "\n".join(",".join("" if c is None else str(c) for c in r) for r in rows)
    url = reverse("admin:indicators_reportvalue_import")
    page = client.get(url).content.decode()
    csv_format = re.search(r'<option value="(\d+)">csv</option>', page).group(1)
    r = client.post(
        url, {"format": csv_format, "import_file": SimpleUploadedFile("q2.csv", text.encode()), "resource": "0"}
    )
    job = ImportJob.objects.latest("pk")
    assert r.status_code == 302 and r["Location"] == reverse("indicators:import-job", args=[job.pk])
    assert ReportValue.objects.filter(numerator=9).count() == 0  # nothing written by the request
    jobs.work(once=True)
    job.refresh_from_db()
    return job


def _confirm(client, job):
    from django.urls import reverse

    from indicators import jobs

    assert client.post(reverse("indicators:import-confirm", args=[job.pk])).status_code == 302
    jobs.work(once=True)
    job.refresh_from_db()
    return job


def test_the_admin_import_confirm_never_overwrites_a_figure_saved_after_its_preview(client, tree, staff, reviewer):
    from django.urls import reverse
    from django.utils import translation

    from indicators import services
    from indicators.models import ImportJob, Indicator
    from indicators.testing import seen

    period = make_period(2026, "Q2", closes=datetime.date(2099, 12, 31))
    report = make_report(tree["commune_a1"], period, "draft", TTHC_ONTIME=(8, 10))
    client.force_login(staff)
    with translation.override("vi"):
        job = _admin_import(client, [["99101", "2026-Q2", "TTHC_ONTIME", 9, 10, None, None]])
    assert job.status == ImportJob.Status.READY and job.versions == [[report.unit_id, period.pk, report.version]]
    assert job.preview[0]["kind"] == "update"
    page = client.get(reverse("indicators:import-job", args=[job.pk])).content.decode()
    assert reverse("admin:indicators_reportvalue_changelist") in page  # the way back to the admin list
    ontime = Indicator.objects.get(code="TTHC_ONTIME")
    services.report_values_write(  # the reviewer corrects the figure through the form meanwhile
        user=reviewer, unit=report.unit, period=period, changes={ontime.pk: {"numerator": "6", "denominator": "10"}},
        indicators=[ontime], base_version=seen(report), source="form",
    )  # fmt: skip
    job = _confirm(client, job)
    assert job.status == ImportJob.Status.FAILED
    assert "Thị trấn Tân Hiệp (2026-Q2) đã thay đổi sau khi xem trước (do Lê Minh Châu lưu)" in job.errors[0]["message"]
    assert ReportValue.objects.get().numerator == 6  # the reviewer's figure stands
    # Imported again, the same file goes through, as the administrator.
    job = _confirm(client, _admin_import(client, [["99101", "2026-Q2", "TTHC_ONTIME", 9, 10, None, None]]))
    assert job.status == ImportJob.Status.DONE and job.rows_written == 1
    value = ReportValue.objects.get()
    assert value.numerator == 9 and value.history.latest("history_id").history_user == staff


def test_the_admin_import_refuses_a_file_whose_format_is_not_the_one_chosen(client, tree, staff):
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse
    from django.utils import translation

    from indicators.models import ImportJob

    client.force_login(staff)
    url = reverse("admin:indicators_reportvalue_import")
    xlsx = re.search(r'<option value="(\d+)">xlsx</option>', client.get(url).content.decode()).group(1)
    with translation.override("vi"):
        r = client.post(
            url, {"format": xlsx, "import_file": SimpleUploadedFile("q2.csv", b"a,b\n1,2\n"), "resource": "0"}
        )
    assert r.status_code == 200 and "Hãy chọn định dạng đúng với tệp" in r.content.decode()
    assert not ImportJob.objects.exists()


def test_the_admin_import_cannot_be_processed_inside_the_request(client, tree, staff):
    from django.urls import reverse

    client.force_login(staff)
    r = client.post(reverse("admin:indicators_reportvalue_process_import"), {"import_file_name": "x", "format": "1"})
    assert r.status_code == 302 and r["Location"] == reverse("admin:indicators_reportvalue_import")
