"""The three journeys of issue 8, in a real browser."""

import datetime
import re

import pytest

from e2e.conftest import shot
from indicators.models import Indicator, Report
from indicators.testing import make_period, make_report
from plans.testing import make_plan, make_target
from units.models import Level

# The live server needs committed data (transaction=True); serialized_rollback brings back the
# catalogue of the data migration that the flush between tests removes.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def quarter(tree):
    period = make_period(2026, "Q2", closes=datetime.date(2099, 12, 31))
    plan = make_plan(tree["district_a"])
    make_target(plan, "TTHC_ONTIME", 98, level=Level.COMMUNE)
    return period


def _fill_everything(page):
    for field in page.locator("input[name^='n_']").all():
        field.fill("9")
    for field in page.locator("input[name^='d_']").all():
        field.fill("10")
    for field in page.locator("input[name^='v_']").all():
        field.fill("5")


def test_an_officer_enters_a_communes_figures_fixes_a_mistake_and_submits(page_for, live_server, tree, editor, quarter):
    page = page_for(editor)
    page.click("nav >> text=Báo cáo")
    page.click("text=Quý II/2026")
    row = page.locator("tr", has_text="Thị trấn Tân Hiệp")
    row.locator("a", has_text="Nhập").click()
    page.wait_for_url(re.compile(r"/bao-cao/\d+/2026-Q2/$"))

    _fill_everything(page)
    ontime = Indicator.objects.get(code="TTHC_ONTIME").pk
    page.fill(f"#n_{ontime}", "12")  # more on-time dossiers than dossiers: a mistake
    row = page.locator("#row-TTHC_ONTIME")
    # Said at once, before saving, instead of a percentage over 100:
    assert row.locator("output").inner_text() == "—"
    assert row.locator("[data-role=hint]").inner_text() == "Tử số lớn hơn mẫu số."
    page.fill(f"#d_{ontime}", "-10")  # a negative count
    assert row.locator("[data-role=hint]").inner_text() == "Số liệu không được âm."
    assert row.locator("output").inner_text() == "—"
    page.fill(f"#d_{ontime}", "1.234")  # a thousand, or one point two three four?
    assert "Có thể là số nghìn hoặc số thập phân" in row.locator("[data-role=hint]").inner_text()
    page.fill(f"#d_{ontime}", "10")
    page.click("button[value=save]")
    assert "Tử số (12) không được lớn hơn mẫu số (10)." in row.inner_text()
    summary = page.locator("#error-summary")  # a summary at the top, each refused row linked
    assert "1 dòng chưa được lưu" in summary.inner_text()
    assert summary.evaluate("e => e === document.activeElement")
    summary.locator("a[href='#row-TTHC_ONTIME']").click()
    assert page.input_value(f"#n_{ontime}") == "12"  # the typing is still there

    page.fill(f"#n_{ontime}", "9")
    page.click("button[value=submit]")
    page.wait_for_selector("text=Đã gửi để thẩm định.")
    report = Report.objects.get(unit=tree["commune_a1"], period=quarter)
    assert report.status == "submitted" and report.values.count() == len(page.locator(".entry-row").all())
    shot(page, "1-officer-submitted")


def test_a_reviewer_returns_the_officer_fixes_and_the_reviewer_approves(
    page_for, live_server, tree, editor, reviewer, quarter
):
    figures = {i.code: ((9, 10) if i.is_ratio else 5) for i in Indicator.objects.for_level(Level.COMMUNE)}
    report = make_report(tree["commune_a1"], quarter, "submitted", **figures)
    Report.objects.filter(pk=report.pk).update(submitted_by=editor)
    url = f"{live_server.url}/bao-cao/{tree['commune_a1'].pk}/2026-Q2/"

    boss = page_for(reviewer)
    boss.goto(url)
    boss.fill("#return-reason", "Số hồ sơ đúng hạn chưa khớp sổ theo dõi")
    boss.click("text=Trả lại cán bộ")
    boss.wait_for_selector("text=Đã trả lại báo cáo cho cán bộ.")

    officer = page_for(editor)
    officer.goto(f"{live_server.url}/bao-cao/?ky=2026-Q2&don_vi={tree['district_a'].pk}")
    assert "Số hồ sơ đúng hạn chưa khớp sổ theo dõi" in officer.inner_text("main")
    officer.goto(url)
    assert "Số hồ sơ đúng hạn chưa khớp sổ theo dõi" in officer.inner_text(".alert-warning")
    ontime = Indicator.objects.get(code="TTHC_ONTIME").pk
    officer.fill(f"#n_{ontime}", "10")
    officer.click("button[value=submit]")
    officer.wait_for_selector("text=Đã gửi để thẩm định.")

    boss.goto(url)
    boss.click("text=Phê duyệt")
    boss.wait_for_selector("text=Đã phê duyệt báo cáo.")
    officer.goto(url)
    assert officer.locator("input[name^='n_']").count() == 0  # read-only now
    assert "Báo cáo đã được phê duyệt và chỉ để xem" in officer.inner_text("main")
    shot(officer, "2-approved-read-only")


def test_a_leader_reads_the_province_on_a_phone_drills_down_switches_language_and_exports(
    page_for, live_server, tree, leader, quarter
):
    make_report(tree["district_a"], quarter, "approved", TTHC_ONTIME=(45, 50))
    make_report(tree["commune_a1"], quarter, "approved", TTHC_ONTIME=(99, 100))
    make_report(tree["commune_a2"], quarter, "approved", TTHC_ONTIME=(90, 100))
    page = page_for(leader, phone=True)
    page.goto(f"{live_server.url}/bang-dieu-khien/")
    page.wait_for_selector("h1:has-text('Tỉnh Bình Giang')")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sticks out sideways

    page.locator("table.matrix a", has_text="Huyện Châu Thành").click()
    page.wait_for_selector("h1:has-text('Huyện Châu Thành')")
    assert "94,50 %" in page.inner_text("main")  # communes together: 189 / 200
    assert page.locator("nav[aria-label='Đường dẫn'] a", has_text="Tỉnh Bình Giang").count() == 1

    for language, heading in (("en", "Key indicators"), ("vi", "Chỉ số chính")):
        page.click(".navbar-toggler")
        switch = page.locator(f"button[lang={language}]")
        switch.wait_for(state="visible")  # the menu has finished opening
        with page.expect_navigation():
            switch.click()
        page.wait_for_selector(f"h2:has-text('{heading}')")
        assert page.locator("html").get_attribute("lang") == language

    with page.expect_download() as download:
        page.click("text=Xuất Excel")
    assert download.value.suggested_filename.startswith("bang-dieu-khien-991-2026-Q2")
    shot(page, "3-leader-district-phone")
