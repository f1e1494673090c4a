"""A hostile spreadsheet in a real browser: the officer uploads it on /nhap-excel/, the page
waits for the worker, then says in Vietnamese why nothing was read — on a desktop and a phone."""

import datetime

import pytest

from e2e.conftest import shot
from indicators import jobs
from indicators.models import ImportJob
from indicators.testing import make_period
from indicators.tests.test_hostile_files import GOOD_ROW, HEADER, sheet_xml, xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_an_officer_uploads_a_hostile_file_and_is_told_why_in_vietnamese(
    page_for, live_server, tree, editor, tmp_path, phone
):
    make_period(2026, "Q2", closes=datetime.date(2099, 12, 31))
    hostile = tmp_path / "bao-cao-quy-2.xlsx"
    hostile.write_bytes(xlsx(sheet=sheet_xml([HEADER, GOOD_ROW], dimension="A1:XFD150000")))
    page = page_for(editor, phone=phone)
    if not phone:
        page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/nhap-excel/")
    page.set_input_files("input[type=file][name=file]", str(hostile))
    page.locator("form[enctype='multipart/form-data'] button[type=submit]").last.click()
    page.wait_for_url(lambda url: "/nhap-excel/" in url and url.rstrip("/").split("/")[-1].isdigit())
    assert jobs.work(once=True) == 1  # the worker, as `manage.py import_worker` runs it
    page.wait_for_selector("text=Tệp có ô nằm ngoài cột thứ 50", timeout=15_000)  # htmx follows the job
    assert ImportJob.objects.get().status == ImportJob.Status.FAILED
    assert page.locator("button", has_text="Xác nhận").count() == 0
    assert page.locator("a", has_text="Tải tệp khác lên").count() == 1  # the way on
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= (390 if phone else 1366)  # nothing sticks out sideways
    shot(page, f"hostile-upload-{'phone' if phone else 'desktop'}")
