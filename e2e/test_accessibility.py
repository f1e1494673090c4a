"""axe-core on every page of the portal, on a desktop and a phone: no serious or critical violation.

axe is vendored (static/vendor/axe-core-<version>.min.js, see its README) and loaded only here,
never by a page. The pages' CSP allows no inline script, and `add_script_tag(path=…)` inserts the
file's text inline, which the CSP blocks; `add_script_tag(url=…)` with the file's same-origin
static URL is a plain <script src>, which `script-src 'self'` allows. So axe runs under the very
policy the pages ship with: no `bypass_csp`, which could hide a page that only works without it.
"""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse
from openpyxl import Workbook

from e2e.conftest import shot
from indicators import jobs
from indicators.models import ImportJob, Indicator
from indicators.testing import make_period, make_report
from plans.testing import make_plan, make_target
from scoring.testing import appraise, make_set
from units.models import Level

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE = "/static/vendor/axe-core-4.14.1.min.js"
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
BLOCKING = ("serious", "critical")

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
  }));
}"""


def _axe(page):
    """The serious and critical violations on the page as it is now."""
    page.add_script_tag(url=AXE)
    page.wait_for_function("typeof window.axe !== 'undefined'")
    return [v for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING]


def _describe(name, violations):
    lines = []
    for v in violations:
        lines.append(f"{name}: {v['id']} ({v['impact']}) — {v['help']}")
        for node in v["nodes"][:10]:
            summary = " ".join(node["summary"].split())[:300]
            lines.append(f"    {node['target']}: {summary}")
        if len(v["nodes"]) > 10:
            lines.append(f"    … and {len(v['nodes']) - 10} more")
    return lines


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["unit_code", "period", "indicator_code", "numerator", "denominator", "value", "comment"])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("bao-cao-quy-2.xlsx", buffer.getvalue())


@pytest.fixture
def portal(tree, editor, reviewer):
    """Enough data that every page shows what it shows on a working day: figures, a submitted
    report, a plan with a target, an import waiting with an error, a PAR index round."""
    period = make_period(2026, "Q2", closes=datetime.date(2099, 12, 31))
    make_report(tree["commune_a1"], period, "draft", TTHC_ONTIME=(9, 10), TTHC_ONLINE=(5, 10))
    make_report(tree["commune_a2"], period, "submitted", TTHC_ONTIME=(45, 50))
    make_report(tree["district_a"], period, "approved", TTHC_ONTIME=(45, 50))
    plan = make_plan(tree["district_a"])
    make_target(plan, "TTHC_ONTIME", 98, level=Level.COMMUNE)
    job = jobs.job_create(
        user=editor,
        upload=_xlsx([
            ["99101", "2026-Q2", "TTHC_ONTIME", 9, 10, None, None],
            ["99103", "2026-Q2", "TTHC_ONLINE", 12, 10, None, None],  # more than the whole: an error
        ]),
    )  # fmt: skip
    jobs.work(once=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY and job.errors
    cset = make_set(tree["province"])
    appraise(cset, tree["commune_a2"], {"1.1": 14, "1.2": 8, "2.1": 25, "2.2": 20}, survey={"2.3": 15})
    return {"period": period, "plan": plan, "job": job, "cset": cset}


def _inbox():
    """The reviewer's inbox, being built for the same issue: checked from the day it exists."""
    try:
        return [("inbox", "reviewer", reverse("inbox:home"))]
    except NoReverseMatch:
        return []


def _pages(tree, portal):
    """(name, who, path): every page of the portal, seen by the user who works on it."""
    a, a1, a2 = tree["district_a"].pk, tree["commune_a1"].pk, tree["commune_a2"].pk
    plan, job, cset = portal["plan"].pk, portal["job"].pk, portal["cset"].pk
    return _inbox() + [
        ("login", None, "/dang-nhap/"),
        ("home", "editor", "/"),
        ("report-list", "editor", f"/bao-cao/?ky=2026-Q2&don_vi={a}"),
        ("report-entry", "editor", f"/bao-cao/{a1}/2026-Q2/"),
        ("report-review", "reviewer", f"/bao-cao/{a2}/2026-Q2/"),
        ("import", "editor", "/nhap-excel/"),
        ("import-job", "editor", f"/nhap-excel/{job}/"),
        ("catalogue", "editor", "/chi-tieu/"),
        ("plan-list", "editor", "/ke-hoach/"),
        ("plan-detail", "editor", f"/ke-hoach/{plan}/"),
        ("plan-form", "reviewer", f"/ke-hoach/{plan}/sua/"),  # plans are the reviewers' to write
        ("plan-task-form", "reviewer", f"/ke-hoach/{plan}/nhiem-vu/moi/"),
        ("plan-target-form", "reviewer", f"/ke-hoach/{plan}/chi-tieu/moi/"),
        ("scoring-list", "reviewer", "/chi-so-cchc/"),
        ("scoring-detail", "reviewer", f"/chi-so-cchc/{cset}/"),
        ("scorecard-self", "editor", f"/chi-so-cchc/{cset}/don-vi/{a1}/"),
        ("scorecard-appraised", "reviewer", f"/chi-so-cchc/{cset}/don-vi/{a2}/"),
        ("scoring-results", "reviewer", f"/chi-so-cchc/{cset}/ket-qua/"),
        ("scoring-survey", "reviewer", f"/chi-so-cchc/{cset}/dieu-tra/"),
        ("units-directory", "reviewer", "/don-vi/"),
        ("unit-detail", "reviewer", f"/don-vi/{a}/"),
        ("dashboard-province", "reviewer", "/bang-dieu-khien/"),
        ("dashboard-district", "reviewer", f"/bang-dieu-khien/{a}/"),
        ("password-change", "editor", "/doi-mat-khau/"),
        # Pages after a refused save: errors beside the fields, linked for screen readers.
        ("report-entry-refused", "editor", f"/bao-cao/{a1}/2026-Q2/"),
        ("plan-form-refused", "reviewer", f"/ke-hoach/{plan}/sua/"),
        ("not-found", "editor", "/khong-co-trang-nay/"),
        ("forbidden", "editor", f"/ke-hoach/{plan}/sua/"),
    ]


def _refuse_a_report(page):
    ontime = Indicator.objects.get(code="TTHC_ONTIME").pk
    page.fill(f"#n_{ontime}", "12")  # more on-time dossiers than dossiers (10)
    page.click("button[value=save]")
    page.wait_for_selector("#error-summary")


def _refuse_a_plan(page):
    page.fill("#id_title", "")
    page.fill("#id_year", "")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".invalid-feedback")


REFUSE = {"report-entry-refused": _refuse_a_report, "plan-form-refused": _refuse_a_plan}


@pytest.mark.parametrize("size", SIZES)
def test_no_page_has_a_serious_or_critical_axe_violation(
    browser, page_for, live_server, tree, editor, reviewer, portal, size
):
    phone = size == "phone"
    anonymous = browser.new_context(viewport=SIZES[size], locale="vi-VN")
    pages = {
        None: anonymous.new_page(),
        "editor": page_for(editor, phone=phone),
        "reviewer": page_for(reviewer, phone=phone),
    }
    for page in pages.values():
        page.set_viewport_size(SIZES[size])
    failures, checked = [], []
    try:
        for name, who, path in _pages(tree, portal):
            page = pages[who]
            response = page.goto(f"{live_server.url}{path}")
            expected = {"not-found": 404, "forbidden": 403}.get(name, 200)
            assert response.status == expected, f"{name}: {path} answered {response.status}"
            if name in REFUSE:
                REFUSE[name](page)
            page.wait_for_load_state("networkidle")
            violations = _axe(page)
            failures += _describe(f"{name} ({size})", violations)
            checked.append(name)
            shot(page, f"a11y-{name}-{size}")
            if name == "home" and phone:
                # The menu is folded on a phone, and axe skips what is hidden: open it and look again.
                page.click(".navbar-toggler")
                page.locator("#nav-main .nav-link").first.wait_for(state="visible")
                failures += _describe(f"home, menu open ({size})", _axe(page))
                shot(page, f"a11y-home-menu-{size}")
            if name == "home" and not phone:
                # The account menu, open (its items are hidden until then).
                page.click("#nav-main .dropdown-toggle")
                page.locator("#nav-main .dropdown-menu .dropdown-item").first.wait_for(state="visible")
                failures += _describe(f"home, account menu open ({size})", _axe(page))
    finally:
        anonymous.close()
    print(f"axe checked {len(checked)} pages ({size}): {', '.join(checked)}")
    assert not failures, "axe found serious or critical violations:\n" + "\n".join(failures)


def test_the_browsers_own_words_are_ours_in_the_pages_language(page_for, live_server, reviewer, portal, tmp_path):
    page = page_for(reviewer)
    survey = f"{live_server.url}/chi-so-cchc/{portal['cset'].pk}/dieu-tra/"
    page.goto(survey)
    field = page.locator("#survey-file")
    picker = page.locator(".file-picker", has=field)
    # The browser's "Choose File" / "No file chosen" is not drawn; ours is, in Vietnamese.
    assert field.bounding_box()["width"] <= 1
    assert picker.locator(".btn").inner_text() == "Chọn tệp"
    assert picker.locator(".file-picker-name").inner_text() == "Chưa chọn tệp"

    # Sending no file: the browser stops the form and says why, in our words.
    picker.locator("xpath=ancestor::form").locator("button[type=submit]").click()
    assert field.evaluate("e => e.validationMessage") == "Vui lòng chọn tệp."
    assert page.url == survey

    # The keyboard reaches the hidden input, and the button shows where the focus is.
    page.locator("a", has_text="Tải bảng đơn vị và tiêu chí").focus()
    page.keyboard.press("Tab")
    assert field.evaluate("e => e === document.activeElement")
    assert picker.locator(".btn").evaluate("e => getComputedStyle(e).boxShadow") != "none"

    chosen = tmp_path / "diem-dieu-tra.xlsx"
    chosen.write_bytes(b"PK")
    page.set_input_files("#survey-file", str(chosen))
    assert picker.locator(".file-picker-name").inner_text() == "diem-dieu-tra.xlsx"
    assert field.evaluate("e => e.validationMessage") == ""  # our message goes once the field is right
    shot(page, "a11y-file-picker-chosen")

    # A required field, a number that is not one, a number under its minimum (the plan form checks
    # on the server, novalidate; checkValidity asks the browser what it would say).
    page.goto(f"{live_server.url}/ke-hoach/{portal['plan'].pk}/sua/")
    page.fill("#id_title", "")
    assert page.evaluate("() => document.querySelector('#id_title').checkValidity()") is False
    assert page.locator("#id_title").evaluate("e => e.validationMessage") == "Vui lòng điền vào ô này."
    year = page.locator("#id_year")
    year.fill("")
    year.press_sequentially("1e")
    assert year.evaluate("e => (e.checkValidity(), e.validationMessage)") == "Vui lòng nhập một số."
    year.fill("-5")
    assert year.evaluate("e => (e.checkValidity(), e.validationMessage)") == "Giá trị phải từ 0 trở lên."
    year.fill("2026")
    assert year.evaluate("e => e.checkValidity()") is True

    # An English user gets English, ours too (Chromium's own would be "Please select a file.").
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(survey)
    assert page.locator(".file-picker .btn").inner_text() == "Choose a file"
    page.locator(".file-picker").locator("xpath=ancestor::form").locator("button[type=submit]").click()
    assert field.evaluate("e => e.validationMessage") == "Please choose a file."
