"""The criteria set: its tree must add up, it imports from and exports to xlsx, and next year's
is copied from this year's with one action."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from parc.lib.spreadsheets import open_sheet
from scoring import selectors, services, spreadsheets
from scoring import tree as criteria_tree
from scoring.models import CriteriaSet
from scoring.testing import SMALL_SET, administrator, make_set, nodes

pytestmark = pytest.mark.django_db


def test_a_branch_whose_children_do_not_add_up_is_refused_with_the_branch_named(tree):
    cset = make_set(tree["province"], issue=False, spec=[])
    spec = [row if row[0] != "2.2" else ("2.2", "Dịch vụ công trực tuyến", 24.5, 0) for row in SMALL_SET]
    with pytest.raises(ValidationError) as refused:
        services.criteria_replace(user=administrator(), cset=cset, nodes=nodes(spec))
    assert refused.value.messages == [
        "Nhánh 2 “Thủ tục hành chính và hiện đại hóa”: các tiêu chí con cộng lại được 74,50, "
        "không bằng điểm tối đa 75,00."
    ]
    assert not cset.criteria.exists()  # nothing half-written


def test_the_fields_must_add_up_to_the_total_the_issuer_gave(tree):
    cset = make_set(tree["province"], issue=False)
    cset.total_maximum = 110
    cset.save()
    with pytest.raises(ValidationError) as refused:
        services.criteria_set_issue(user=administrator(), cset=cset)
    assert "Các lĩnh vực cộng lại được 100,00, không bằng tổng điểm 110,00 của bộ tiêu chí." in refused.value.messages
    cset.refresh_from_db()
    assert cset.status == CriteriaSet.Status.DRAFT and not cset.scorecards.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("2.3", "Sự hài lòng", 20, 15), "Nhánh 2 “Thủ tục hành chính và hiện đại hóa”: phần điều tra"),
        (("2.3", "Sự hài lòng", 20, 25), "2.3 “Sự hài lòng”: phần điều tra phải nằm trong khoảng 0"),
        (("2.3", "Sự hài lòng", 0, 0), "2.3 “Sự hài lòng”: điểm tối đa phải lớn hơn 0."),
        (("3.1", "Lạc chỗ", 5, 0), "tiêu chí 3.1 không có tiêu chí cha 3 trong bộ."),
        (("1.1", "Trùng mã", 15, 0), "mã 1.1 được dùng hai lần."),
    ],
)
def test_other_broken_trees_are_refused_with_the_criterion_named(tree, change, message):
    spec = [row for row in SMALL_SET if row[0] != change[0] or change[1] == "Trùng mã"] + [change]
    problems = tree_problems(spec)
    assert any(message in p for p in problems), problems


def tree_problems(spec):
    return criteria_tree.problems(nodes(spec), Decimal(100))


def test_a_sound_set_is_issued_and_every_scored_unit_gets_a_scorecard(tree):
    cset = make_set(tree["province"])
    assert cset.status == CriteriaSet.Status.ISSUED
    assert set(cset.scorecards.values_list("unit__code", flat=True)) == {"99101", "99103", "99201"}


def _upload(ws_rows, name="tieu-chi.xlsx"):
    wb = Workbook()
    for row in ws_rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_criteria_exported_to_xlsx_import_back_into_an_equal_tree(tree):
    source = make_set(tree["province"])
    content = spreadsheets.criteria_workbook(cset=source, rows=selectors.criteria_tree(cset=source))
    assert load_workbook(io.BytesIO(content))["Xếp loại"]["A2"].value == "Tốt"
    sheet = open_sheet(io.BytesIO(content), "tieu-chi.xlsx")
    read, errors = spreadsheets.criteria_from_sheet(sheet)
    assert errors == []
    assert [(n.code, n.title, n.maximum, n.survey_maximum) for n in read] == [
        (code, title, Decimal(m), Decimal(s)) for code, title, m, s in SMALL_SET
    ]


def test_the_import_page_replaces_a_draft_sets_criteria(client, tree, reviewer):
    cset = make_set(tree["province"], issue=False, spec=[])
    client.force_login(reviewer)
    rows = [["Mã", "Tiêu chí", "Điểm tối đa", "Trong đó điều tra"], [1, "Chỉ đạo", 40, None], ["1.1", "Kế hoạch", "14,5", None],
            ["1.2", "Báo cáo", 25.5, None], [2, "Tác động", 60, 60]]  # fmt: skip
    r = client.post(reverse("scoring:criteria-import", args=[cset.pk]), {"file": _upload(rows)}, follow=True)
    assert "4 tiêu chí đã được nhập." in r.content.decode()
    assert cset.criteria.get(code="1.1").maximum == Decimal("14.5")
    assert cset.criteria.get(code="1.2").parent.code == "1"


def test_an_import_with_bad_rows_writes_nothing_and_names_each_row(client, tree, reviewer):
    cset = make_set(tree["province"], issue=False)
    client.force_login(reviewer)
    rows = [["Mã", "Tiêu chí", "Điểm tối đa"], [1, "Chỉ đạo", 40], ["1.1", "", "abc"], ["1.2", "Báo cáo", "1.234"],
            [2, "Tác động", 60]]  # fmt: skip
    html = client.post(reverse("scoring:criteria-import", args=[cset.pk]), {"file": _upload(rows)}, follow=True)
    html = html.content.decode()
    assert "Không có gì được nhập." in html
    assert "Dòng 3, “Tiêu chí”" in html and "Dòng 3, “Điểm tối đa”: “abc” không phải là số." in html
    assert "Dòng 4, “Điểm tối đa”: “1.234” có thể là hàng nghìn hoặc số thập phân" in html
    assert cset.criteria.count() == len(SMALL_SET)  # the old tree is untouched


def test_an_import_is_refused_once_the_set_is_issued(client, tree, reviewer):
    cset = make_set(tree["province"])
    client.force_login(reviewer)
    rows = [["Mã", "Tiêu chí", "Điểm tối đa"], [1, "Tất cả", 100]]
    html = client.post(reverse("scoring:criteria-import", args=[cset.pk]), {"file": _upload(rows)}, follow=True)
    assert "Chỉ thay được tiêu chí của bộ tiêu chí dự thảo." in html.content.decode()
    assert cset.criteria.count() == len(SMALL_SET)


def test_next_years_set_is_copied_with_one_action(client, tree, reviewer):
    cset = make_set(tree["province"], 2026, due=datetime.date(2026, 11, 15))
    client.force_login(reviewer)
    r = client.post(reverse("scoring:copy", args=[cset.pk]))
    copy = CriteriaSet.objects.get(year=2027)
    assert r["Location"] == reverse("scoring:detail", args=[copy.pk])
    assert copy.status == CriteriaSet.Status.DRAFT and copy.title == "Bộ tiêu chí chỉ số CCHC cấp xã năm 2027"
    assert copy.self_assessment_due == datetime.date(2027, 11, 15)
    assert [(c.code, c.maximum, c.survey_maximum, c.parent and c.parent.code) for c in copy.criteria.all()] == [
        (c.code, c.maximum, c.survey_maximum, c.parent and c.parent.code) for c in cset.criteria.all()
    ]
    assert [(b.label, b.minimum_percent) for b in copy.bands.all()] == [
        (b.label, b.minimum_percent) for b in cset.bands.all()
    ]
    again = client.post(reverse("scoring:copy", args=[cset.pk]), follow=True)
    assert "đã có bộ tiêu chí năm 2027" in again.content.decode()


def test_bands_are_read_from_lines_and_bad_ones_are_explained():
    assert services.parse_bands("Tốt: 80\nKhá: 65,5\n\nA ≥ 90") == [("Tốt", 80), ("Khá", Decimal("65.5")), ("A", 90)]
    for text in ("Tốt 80", "Tốt: 80\nKhá: 80", "Tốt: 120", "Tốt: 80\nTốt: 60", ""):
        with pytest.raises(ValidationError):
            services.parse_bands(text)


def test_a_reviewer_creates_a_set_from_the_form(client, tree, reviewer):
    client.force_login(reviewer)
    data = {
        "issuer": tree["province"].pk, "year": 2026, "level": "commune", "title": "Bộ tiêu chí xã 2026",
        "decision": "", "total_maximum": "100", "survey": "on", "self_assessment_due": "15/11/2026",
        "bands": "Tốt: 80\nKhá: 65",
    }  # fmt: skip
    r = client.post(reverse("scoring:create"), data)
    cset = CriteriaSet.objects.get()
    assert r["Location"] == reverse("scoring:detail", args=[cset.pk])
    assert [b.label for b in cset.bands.all()] == ["Tốt", "Khá"]
    data["level"] = "province"  # not below the issuer
    data["year"] = 2027
    r = client.post(reverse("scoring:create"), data)
    assert "Bộ tiêu chí chấm điểm các đơn vị cấp dưới đơn vị ban hành." in r.content.decode()


def test_an_editor_cannot_create_or_change_a_set(client, tree, editor):
    cset = make_set(tree["province"])
    client.force_login(editor)
    assert client.get(reverse("scoring:create")).status_code == 403
    assert client.post(reverse("scoring:issue", args=[cset.pk])).status_code == 403
    assert client.post(reverse("scoring:publish", args=[cset.pk])).status_code == 403


def test_an_exported_set_imports_into_a_new_draft_with_its_bands(client, tree, reviewer):
    source = make_set(tree["province"], 2025)
    client.force_login(reviewer)
    content = client.get(reverse("scoring:criteria-export", args=[source.pk])).content
    draft = CriteriaSet.objects.create(
        issuer=tree["province"], year=2026, level="commune", title="Mới", total_maximum=100,
        self_assessment_due=datetime.date(2026, 11, 15),
    )  # fmt: skip
    html = client.post(
        reverse("scoring:criteria-import", args=[draft.pk]),
        {"file": SimpleUploadedFile("bo.xlsx", content)},
        follow=True,
    ).content.decode()
    assert "7 tiêu chí đã được nhập." in html and "Tốt: 80; Khá: 65; Trung bình: 50; Yếu: 0" in html
    assert services.criteria_set_problems(cset=draft) == []


def test_bad_bands_in_the_file_refuse_the_whole_import(client, tree, reviewer):
    draft = make_set(tree["province"], issue=False, spec=[])
    wb = Workbook()
    wb.active.append(["Mã", "Tiêu chí", "Điểm tối đa"])
    wb.active.append([1, "Tất cả", 100])
    bands = wb.create_sheet("Xếp loại")
    bands.append(["Xếp loại", "Từ (%)"])
    bands.append(["Tốt", 120])
    buffer = io.BytesIO()
    wb.save(buffer)
    client.force_login(reviewer)
    html = client.post(
        reverse("scoring:criteria-import", args=[draft.pk]), {"file": SimpleUploadedFile("bo.xlsx", buffer.getvalue())},
        follow=True,
    ).content.decode()  # fmt: skip
    assert "Trang “Xếp loại”: Mức xếp loại bắt đầu trong khoảng 0 đến 100 %." in html
    assert not draft.criteria.exists()


def test_an_issued_sets_title_can_change_but_not_its_bands(client, tree, reviewer):
    cset = make_set(tree["province"])
    client.force_login(reviewer)
    data = {
        "title": "Bộ tiêu chí xã 2026 (sửa tên)", "decision": "", "self_assessment_due": "15/11/2026",
        "bands": "Tốt: 80\nKhá: 65\nTrung bình: 50\nYếu: 0",
    }  # fmt: skip
    r = client.post(reverse("scoring:edit", args=[cset.pk]), data)
    assert r.status_code == 302
    cset.refresh_from_db()
    assert cset.title == "Bộ tiêu chí xã 2026 (sửa tên)" and cset.total_maximum == 100
    r = client.post(reverse("scoring:edit", args=[cset.pk]), data | {"bands": "A: 90", "title": "Khác"})
    assert "Bộ tiêu chí đã ban hành: mức xếp loại cố định như các tiêu chí." in r.content.decode()
    cset.refresh_from_db()
    assert cset.title == "Bộ tiêu chí xã 2026 (sửa tên)" and cset.bands.count() == 4  # nothing half-saved


def test_rows_of_a_file_may_come_in_any_order_children_still_land_under_their_parents(client, tree, reviewer):
    cset = make_set(tree["province"], issue=False, spec=[])
    client.force_login(reviewer)
    rows = [["Mã", "Tiêu chí", "Điểm tối đa"], ["1.1", "Kế hoạch", 40], ["2", "Tác động", 60], ["1", "Chỉ đạo", 40],
            ["2.1", "Hài lòng", 60]]  # fmt: skip
    client.post(reverse("scoring:criteria-import", args=[cset.pk]), {"file": _upload(rows)})
    assert cset.criteria.get(code="1.1").parent == cset.criteria.get(code="1")
    assert [c.code for c in cset.criteria.all()] == ["2", "2.1", "1", "1.1"]  # fields in the file's order
    services.bands_replace(user=reviewer, cset=cset, bands=[("Tốt", 80)])
    services.criteria_set_issue(user=reviewer, cset=cset)
    assert [f.criterion.code for f in selectors.set_results(cset=cset).fields] == ["2", "1"]


def test_points_and_bands_with_more_than_two_decimals_are_refused():
    spec = [
        ("1", "Một", "33.333", 0),
        ("1.1", "Hai", "33.333", 0),
        ("2", "Ba", "66.667", 0),
        ("2.1", "Bốn", "66.667", 0),
    ]
    problems = criteria_tree.problems(nodes(spec), Decimal(100))
    assert "1 “Một”: điểm có tối đa hai chữ số thập phân." in problems
    with pytest.raises(ValidationError, match="tối đa hai chữ số thập phân"):
        services.parse_bands("Tốt: 80,125")


def test_a_draft_set_is_seen_by_its_issuers_reviewers_only(client, tree, reviewer, editor):
    draft = make_set(tree["province"], issue=False)
    client.force_login(editor)
    assert client.get(reverse("scoring:detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("scoring:criteria-export", args=[draft.pk])).status_code == 404
    assert draft.title not in client.get(reverse("scoring:list")).content.decode()
    client.force_login(reviewer)
    assert client.get(reverse("scoring:detail", args=[draft.pk])).status_code == 200
