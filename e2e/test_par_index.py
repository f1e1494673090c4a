"""The PAR index round, in a real browser: a district officer fills a commune's scorecard (a
score above its maximum is explained, then fixed) and submits; the province's reviewer appraises
(a different score needs a reason) and publishes; a leader reads the ranking on a phone."""

import re
from decimal import Decimal

import pytest

from e2e.conftest import shot
from scoring import services
from scoring.models import Scorecard
from scoring.testing import appraise, leaf, make_set

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_scorecard_is_filled_appraised_published_and_read(page_for, live_server, tree, editor, reviewer, leader):
    cset = make_set(tree["province"])
    for unit, points in ((tree["commune_a2"], 14), (tree["commune_b1"], 9)):
        appraise(cset, unit, {"1.1": points, "1.2": 8, "2.1": 25, "2.2": 20}, survey={"2.3": 15})
    services.survey_save(user=reviewer, cset=cset, entries={(tree["commune_a1"].pk, leaf(cset, "2.3").pk): Decimal(18)})

    officer = page_for(editor)
    officer.click("nav >> text=Chỉ số CCHC")
    officer.click(f"text={cset.title}")
    officer.locator("tr", has_text="Thị trấn Tân Hiệp").locator("a", has_text="Mở phiếu chấm").click()
    officer.wait_for_url(re.compile(r"/chi-so-cchc/\d+/don-vi/\d+/$"))
    scores = {"1.1": "15,5", "1.2": "8", "2.1": "26,24", "2.2": "20"}
    for code, value in scores.items():
        officer.fill(f"#id_score_{leaf(cset, code).pk}", value)
    officer.click("button[value=save]:not(.visually-hidden)")
    first = officer.locator(f"#c{leaf(cset, '1.1').pk}")
    assert "1.1: điểm 15,50 vượt điểm tối đa 15,00." in first.inner_text()
    assert officer.input_value(f"#id_score_{leaf(cset, '2.1').pk}") == "26,24"  # nothing typed is lost
    officer.fill(f"#id_score_{leaf(cset, '1.1').pk}", "12,5")
    officer.fill(f"#id_text_{leaf(cset, '1.1').pk}", "Kế hoạch số 12/KH-UBND ngày 10/01/2026")
    officer.click("button[value=submit]:not(.visually-hidden)")
    officer.wait_for_selector("text=Đã gửi bản tự đánh giá tới Tỉnh Bình Giang.")
    shot(officer, "4-officer-scorecard-submitted")

    boss = page_for(reviewer)
    boss.goto(officer.url)
    assert boss.input_value(f"#id_score_{leaf(cset, '1.2').pk}") == ""  # nothing accepted unseen
    boss.fill(f"#id_score_{leaf(cset, '1.1').pk}", "12")
    boss.click("button[value=appraise]:not(.visually-hidden)")
    assert "hãy nêu lý do điểm thẩm định khác điểm tự chấm (12,50)" in boss.inner_text(f"#c{leaf(cset, '1.1').pk}")
    boss.fill(f"#id_text_{leaf(cset, '1.1').pk}", "Kế hoạch ban hành chậm")
    for code in ("1.2", "2.1", "2.2"):  # the unit's own score, accepted criterion by criterion
        boss.click(f"button[value=accept-criterion-{leaf(cset, code).pk}]")
        boss.wait_for_selector("text=Đã lưu kết quả thẩm định.")
    assert Scorecard.objects.get(criteria_set=cset, unit=tree["commune_a1"]).status == "appraised"
    boss.click(f".breadcrumb >> text={cset.title}")
    boss.click("button:has-text('Công bố kết quả')")
    boss.wait_for_selector("text=Đã công bố kết quả.")

    reader = page_for(leader, phone=True)
    reader.goto(f"{live_server.url}/chi-so-cchc/{cset.pk}/ket-qua/")
    row = reader.locator("tr", has_text="Thị trấn Tân Hiệp").first  # the ranking comes first
    # 12 + 8 + 26,24 + 20 + 18 survey = 84,24 of 100: first of three (Long Định 82, Mỹ Phước 77).
    assert "1/3" in row.inner_text() and "84,24 %" in row.inner_text() and "Tốt" in row.inner_text()
    width = reader.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the results page scrolls sideways on a phone ({width}px)"
    shot(reader, "4-leader-par-index-results-phone")
