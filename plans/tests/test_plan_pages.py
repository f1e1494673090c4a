import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import Indicator
from plans.models import Plan, PlanTask, Target
from plans.testing import make_plan, make_target
from units.models import Level

pytestmark = pytest.mark.django_db


@pytest.fixture
def district_plan(tree):
    plan = make_plan(tree["district_a"])
    make_target(plan, "RESULT_DIGITISED", 60, level=Level.DISTRICT)
    make_target(plan, "RESULT_DIGITISED", 55, level=Level.COMMUNE)
    PlanTask.objects.create(plan=plan, title="Rà soát TTHC", deadline=datetime.date(2020, 3, 31), status="in_progress")
    PlanTask.objects.create(plan=plan, title="Báo cáo năm", deadline=datetime.date(2099, 12, 15))
    PlanTask.objects.create(plan=plan, title="Đã xong", deadline=datetime.date(2020, 1, 1), status="done")
    return plan


def test_the_plan_page_shows_the_decision_targets_and_overdue_tasks(client, district_plan, leader):
    client.force_login(leader)
    html = client.get(reverse("plans:detail", args=[district_plan.pk])).content.decode()
    assert "12/QĐ-UBND, 15/01/2026" in html
    assert "2.026" not in html  # a year is not a thousand-grouped number
    assert "≥ 60 %" in html and "≥ 55 %" in html and "mọi xã" in html
    assert html.count("Quá hạn</span>") == 1  # the done task is not overdue, nor the future one
    assert "1 quá hạn" in html
    assert "Thêm chỉ tiêu" not in html  # a leader reads only


def test_the_plan_list_shows_only_plans_of_visible_units(client, tree, district_plan, outsider):
    other = make_plan(tree["district_b"], title="Kế hoạch của Tân Phước")
    client.force_login(outsider)
    html = client.get(reverse("plans:list")).content.decode()
    assert "Kế hoạch của Tân Phước" in html and district_plan.title not in html
    assert client.get(reverse("plans:detail", args=[district_plan.pk])).status_code == 404
    assert client.get(reverse("plans:detail", args=[other.pk])).status_code == 200


def test_an_editor_cannot_change_a_plan_and_is_told_why(client, district_plan, editor):
    client.force_login(editor)
    assert client.get(reverse("plans:detail", args=[district_plan.pk])).status_code == 200
    for url in [
        reverse("plans:edit", args=[district_plan.pk]),
        reverse("plans:target-create", args=[district_plan.pk]),
        reverse("plans:task-create", args=[district_plan.pk]),
    ]:
        r = client.get(url)
        assert r.status_code == 403
        assert "Chỉ người thẩm định" in r.content.decode()
    target = district_plan.targets.first()
    r = client.post(reverse("plans:target-delete", args=[district_plan.pk, target.pk]))
    assert r.status_code == 403 and Target.objects.filter(pk=target.pk).exists()
    assert client.get(reverse("plans:create"), {"don_vi": district_plan.unit.pk}).status_code == 403


def test_an_outsider_gets_404_on_every_plan_url(client, district_plan, outsider):
    client.force_login(outsider)
    task = district_plan.tasks.first()
    target = district_plan.targets.first()
    for url in [
        reverse("plans:edit", args=[district_plan.pk]),
        reverse("plans:document", args=[district_plan.pk]),
        reverse("plans:task-edit", args=[district_plan.pk, task.pk]),
        reverse("plans:target-edit", args=[district_plan.pk, target.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("plans:task-delete", args=[district_plan.pk, task.pk])).status_code == 404
    assert client.get(reverse("plans:create"), {"don_vi": district_plan.unit.pk}).status_code == 404


def test_a_reviewer_creates_a_plan_with_a_document(client, tree, reviewer, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(reviewer)
    r = client.post(
        reverse("plans:create") + f"?don_vi={tree['commune_a1'].pk}",
        {
            "year": 2026,
            "title": "Kế hoạch CCHC năm 2026",
            "decision_number": "435/QĐ-UBND",
            "decision_date": "31/01/2026",
            "status": "issued",
            "document": SimpleUploadedFile("ke-hoach.pdf", b"%PDF-1.4 demo", content_type="application/pdf"),
        },
    )
    assert r.status_code == 302
    plan = Plan.objects.get(unit=tree["commune_a1"], year=2026)
    assert plan.decision == "435/QĐ-UBND, 31/01/2026"
    download = client.get(reverse("plans:document", args=[plan.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 demo"


def test_the_plan_form_explains_each_error(client, tree, reviewer):
    make_plan(tree["district_a"], year=2026)
    client.force_login(reviewer)
    r = client.post(
        reverse("plans:create") + f"?don_vi={tree['district_a'].pk}",
        {"year": 2026, "title": "", "status": "issued", "decision_date": "31/02/2026"},
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert "Hãy sửa các ô được đánh dấu" in html
    assert 'id="id_title_error"' in html
    assert 'id="id_decision_date_error"' in html


def test_an_issued_plan_needs_a_decision(client, tree, reviewer):
    client.force_login(reviewer)
    r = client.post(
        reverse("plans:create") + f"?don_vi={tree['district_a'].pk}",
        {"year": 2027, "title": "KH 2027", "status": "issued"},
    )
    assert "cần có số và ngày quyết định" in r.content.decode()
    assert not Plan.objects.filter(year=2027).exists()


def test_a_target_accepts_a_decimal_comma_and_refuses_impossible_values(client, district_plan, reviewer):
    client.force_login(reviewer)
    url = reverse("plans:target-create", args=[district_plan.pk])
    online = Indicator.objects.get(code="TTHC_ONLINE")
    r = client.post(url, {"indicator": online.pk, "comparator": "gte", "value": "55,5", "level": "commune"})
    assert r.status_code == 302
    assert district_plan.targets.get(indicator=online).value == pytest.approx(55.5)

    ontime = Indicator.objects.get(code="TTHC_ONTIME")
    html = client.post(
        url, {"indicator": ontime.pk, "comparator": "gte", "value": "120", "level": "commune"}
    ).content.decode()
    assert "Chỉ tiêu tỷ lệ phần trăm nằm trong khoảng 0 đến 100" in html
    html = client.post(
        url, {"indicator": ontime.pk, "comparator": "gte", "value": "abc", "level": "commune"}
    ).content.decode()
    assert "Hãy nhập một số" in html
    html = client.post(url, {"indicator": ontime.pk, "comparator": "gte", "value": "98"}).content.decode()
    assert "Hãy chọn chỉ tiêu áp dụng cho ai" in html
    html = client.post(
        url, {"indicator": online.pk, "comparator": "gte", "value": "60", "level": "commune"}
    ).content.decode()
    assert "đã có chỉ tiêu" in html
    html = client.post(
        url, {"indicator": ontime.pk, "comparator": "gte", "value": "98", "level": "province"}
    ).content.decode()
    assert "chỉ đặt chỉ tiêu cho cấp của mình" in html
    assert district_plan.targets.filter(indicator=ontime).count() == 0


def test_a_target_for_a_unit_outside_the_plan_is_refused(client, tree, district_plan, reviewer):
    client.force_login(reviewer)
    online = Indicator.objects.get(code="TTHC_ONLINE")
    r = client.post(
        reverse("plans:target-create", args=[district_plan.pk]),
        {"indicator": online.pk, "comparator": "gte", "value": "60", "unit": tree["commune_b1"].pk},
    )
    assert r.status_code == 200 and "id_unit_error" in r.content.decode()
    assert not district_plan.targets.filter(unit=tree["commune_b1"]).exists()


def test_a_reviewer_adds_edits_and_deletes_a_task(client, district_plan, tree, reviewer):
    client.force_login(reviewer)
    r = client.post(
        reverse("plans:task-create", args=[district_plan.pk]),
        {
            "title": "Số hóa hồ sơ",
            "lead_unit": tree["commune_a1"].pk,
            "deadline": "30/06/2026",
            "status": "in_progress",
        },
    )
    assert r.status_code == 302
    task = district_plan.tasks.get(title="Số hóa hồ sơ")
    assert task.deadline == datetime.date(2026, 6, 30)
    r = client.post(
        reverse("plans:task-edit", args=[district_plan.pk, task.pk]),
        {"title": "Số hóa hồ sơ", "deadline": "30/06/2026", "status": "done", "result_reference": "BC 12/BC-UBND"},
    )
    task.refresh_from_db()
    assert task.status == "done" and task.history.count() == 2
    client.post(reverse("plans:task-delete", args=[district_plan.pk, task.pk]))
    assert not PlanTask.objects.filter(pk=task.pk).exists()


def test_target_changes_are_kept_in_history_with_who_made_them(client, district_plan, reviewer):
    client.force_login(reviewer)
    target = district_plan.targets.get(level=Level.COMMUNE)
    client.post(
        reverse("plans:target-edit", args=[district_plan.pk, target.pk]),
        {"indicator": target.indicator.pk, "comparator": "gte", "value": "57", "level": "commune"},
    )
    latest = target.history.first()
    assert latest.value == 57 and latest.history_user == reviewer
    assert target.history.last().value == 55


def test_a_plan_document_of_another_type_or_too_large_is_refused(client, tree, reviewer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(reviewer)
    url = reverse("plans:create") + f"?don_vi={tree['commune_a1'].pk}"
    data = {"year": 2026, "title": "KH", "status": "draft"}
    html = client.post(url, {**data, "document": SimpleUploadedFile("virus.exe", b"MZ")}).content.decode()
    assert "id_document_error" in html
    big = SimpleUploadedFile("kh.pdf", b"%PDF" + b"0" * (20 * 1024 * 1024 + 1))
    html = client.post(url, {**data, "document": big}).content.decode()
    assert "lớn hơn 20 MB" in html
    assert not Plan.objects.exists()
