"""The officer's and the reviewer's quarter in a real browser (issue 16): the template filled with
three figures and uploaded; the reviewer's inbox, two clicks to a commune's report, five approved
at once, a scorecard appraised by accepting the unit's scores explicitly. Desktop and phone."""

import datetime
import re

import pytest
from openpyxl import load_workbook

from e2e.conftest import ARTIFACTS, shot
from indicators import jobs
from indicators.imports import TEMPLATE_COLUMNS
from indicators.models import Report, ReportStatus, ReportValue
from indicators.testing import make_period, make_report
from scoring import services as scoring_services
from scoring.models import Scorecard
from scoring.testing import leaf, make_set

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def quarter(tree):
    return make_period(2026, "Q2", closes=datetime.date(2099, 12, 31))


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_an_officer_fills_three_figures_in_the_template_and_uploads_it(
    page_for, live_server, tree, editor, quarter, tmp_path, phone
):
    page = page_for(editor, phone=phone)
    if not phone:
        page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/nhap-excel/")
    page.select_option("select[name=don_vi]", str(tree["district_a"].pk))
    page.select_option("select[name=ky]", "2026-Q2")
    with page.expect_download() as download:
        page.click("button:has-text('Tải tệp mẫu (.xlsx)')")
    path = tmp_path / "mau.xlsx"
    download.value.save_as(path)

    # The officer types three figures and leaves every other row as it came.
    wb = load_workbook(path)
    ws = wb.active
    col = {name: TEMPLATE_COLUMNS.index(name) + 1 for name in TEMPLATE_COLUMNS}
    wanted = {("99101", "TTHC_ONTIME"): (9, 10), ("99103", "TTHC_ONTIME"): (7, 8), ("991", "TTHC_ONLINE"): (30, 40)}
    filled = 0
    for row in range(2, ws.max_row + 1):
        key = (str(ws.cell(row, col["unit_code"]).value), ws.cell(row, col["indicator_code"]).value)
        if key in wanted:
            assert ws.cell(row, col["numerator"]).protection.locked is False  # a cell to fill
            ws.cell(row, col["numerator"]).value, ws.cell(row, col["denominator"]).value = wanted[key]
            filled += 1
    assert filled == 3 and ws.protection.sheet  # the rest is locked (without a password)
    wb.save(path)

    page.set_input_files("input[type=file][name=file]", str(path))
    page.click("button:has-text('Kiểm tra tệp')")
    page.wait_for_url(re.compile(r"/nhap-excel/\d+/$"))
    assert jobs.work(once=True) == 1  # the worker, as `manage.py import_worker` runs it
    confirm = page.locator("button:has-text('Xác nhận và lưu')")
    confirm.wait_for(timeout=15_000)  # htmx follows the job until the preview is ready
    main = page.inner_text("main")
    assert "mới: 3" in main and "dòng có lỗi: 0" in main.lower()
    assert page.locator("button:has-text('Hủy lần nhập này')").count() == 1  # the other way on
    confirm.click()
    assert jobs.work(once=True) == 1
    page.wait_for_selector("text=Đã ghi 3 số liệu dưới dạng nháp.", timeout=15_000)
    saved = {
        (v.report.unit.code, v.indicator.code): (int(v.numerator), int(v.denominator))
        for v in ReportValue.objects.select_related("report__unit", "indicator")
    }
    assert saved == wanted
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= (390 if phone else 1366), f"the job page scrolls sideways ({width}px)"
    shot(page, f"16-officer-template-uploaded-{'phone' if phone else 'desktop'}")


@pytest.fixture
def waiting(tree, quarter, editor):
    """Five reports submitted at two levels, and one commune's scorecard submitted."""
    for unit in ("commune_a1", "commune_a2", "commune_b1", "district_a", "district_b"):
        report = make_report(tree[unit], quarter, "submitted", TTHC_ONTIME=(9, 10))
        Report.objects.filter(pk=report.pk).update(submitted_by=editor, submitted_at=datetime.datetime.now(datetime.UTC))
    cset = make_set(tree["province"])
    card = scoring_services.scorecard_get(user=editor, cset=cset, unit=tree["commune_a1"])
    scores = {"1.1": 12, "1.2": 8, "2.1": 25, "2.2": 20}
    scoring_services.scorecard_self_assess(
        user=editor, scorecard=card, entries={leaf(cset, c).pk: (v, "") for c, v in scores.items()}
    )
    scoring_services.scorecard_submit(user=editor, scorecard=card)
    return cset


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_a_reviewer_reaches_a_commune_report_from_the_inbox_approves_five_and_appraises(
    page_for, live_server, tree, reviewer, waiting, phone
):
    size = "phone" if phone else "desktop"
    page = page_for(reviewer, phone=phone)
    if not phone:
        page.set_viewport_size(DESKTOP)
    else:
        page.click(".navbar-toggler")  # the menu, folded on a phone
    # Two clicks: the inbox, then the commune.
    page.click("nav >> text=Việc chờ xử lý")
    page.wait_for_url(re.compile(r"/viec-cho-xu-ly/$"))
    shot(page, f"16-reviewer-inbox-{size}")
    page.click("table >> a:text-is('Thị trấn Tân Hiệp')")
    page.wait_for_url(re.compile(rf"/bao-cao/{tree['commune_a1'].pk}/2026-Q2/$"))
    approve = page.locator("main button:has-text('Phê duyệt')").first
    assert approve.bounding_box()["y"] < 900, "the review actions are at the top of the report"

    page.go_back()
    page.wait_for_url(re.compile(r"/viec-cho-xu-ly/$"))
    page.check("#choose-all")
    assert page.locator("input.inbox-choice:checked").count() == 5
    page.click("button:has-text('Phê duyệt các báo cáo đã chọn')")
    page.wait_for_selector("text=Đã phê duyệt 5 báo cáo.")
    assert Report.objects.filter(status=ReportStatus.APPROVED).count() == 5
    assert "Không có gì ở đây." in page.inner_text("main")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= (390 if phone else 1366), f"the inbox scrolls sideways ({width}px)"

    # The scorecard waits in the same inbox; its appraisal starts empty beside the unit's scores.
    page.click("a:has-text('Thẩm định')")
    page.wait_for_url(re.compile(r"/chi-so-cchc/\d+/don-vi/\d+/$"))
    cset = waiting
    assert page.input_value(f"#id_score_{leaf(cset, '1.1').pk}") == ""
    page.fill(f"#id_score_{leaf(cset, '1.1').pk}", "11")
    page.fill(f"#id_text_{leaf(cset, '1.1').pk}", "Thiếu biên bản kiểm tra")
    page.click(f"button[value=accept-field-{leaf(cset, '1.1').parent_id}]")
    page.wait_for_selector("text=Đã lưu kết quả thẩm định.")
    card = Scorecard.objects.get(criteria_set=cset, unit=tree["commune_a1"])
    assert card.status == "submitted"  # field 2 is still unlooked at
    page.click(f"button[value=accept-field-{leaf(cset, '2.1').parent_id}]")
    page.wait_for_selector("text=Đã lưu kết quả thẩm định.")
    card.refresh_from_db()
    scores = {s.criterion.code: s.appraised_score for s in card.scores.all()}
    assert card.status == "appraised" and scores == {"1.1": 11, "1.2": 8, "2.1": 25, "2.2": 20}
    shot(page, f"16-reviewer-appraised-{size}")


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_an_officer_says_an_indicator_did_not_occur_and_its_figures_step_aside(
    page_for, live_server, tree, editor, quarter, phone
):
    from indicators.models import Indicator

    ontime = Indicator.objects.get(code="TTHC_ONTIME").pk
    page = page_for(editor, phone=phone)
    if not phone:
        page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/bao-cao/{tree['commune_a1'].pk}/2026-Q2/")
    page.fill(f"#n_{ontime}", "12")
    page.check(f"#k_{ontime}")
    assert page.is_disabled(f"#n_{ontime}") and page.is_disabled(f"#d_{ontime}")
    page.uncheck(f"#k_{ontime}")
    assert page.input_value(f"#n_{ontime}") == "12"  # set aside, not lost
    page.check(f"#k_{ontime}")
    page.click("button[value=save]")
    page.wait_for_selector("text=Đã lưu.")
    assert ReportValue.objects.get(indicator_id=ontime).not_occurred
    assert page.is_checked(f"#k_{ontime}") and page.is_disabled(f"#n_{ontime}")
    shot(page, f"16-officer-did-not-occur-{'phone' if phone else 'desktop'}")
    page.locator("#row-TTHC_ONTIME").screenshot(path=str(ARTIFACTS / f"16-did-not-occur-row-{'phone' if phone else 'desktop'}.png"))
