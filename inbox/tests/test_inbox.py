"""The reviewer's inbox: everything waiting at every level below, filters, one click to each
page, and approving several reports at once through the approval service."""

import datetime
import re

import pytest
from django.urls import reverse

from indicators.models import Report, ReportStatus
from indicators.testing import make_period, make_report
from scoring import services as scoring_services
from scoring.testing import leaf, make_set
from units.models import Role
from units.testing import grant

pytestmark = pytest.mark.django_db

INBOX = "/viec-cho-xu-ly/"


@pytest.fixture
def quarters(tree):
    return {
        "2025-Q4": make_period(2025, "Q4", closes=datetime.date(2099, 12, 31)),
        "2026-Q2": make_period(2026, "Q2", closes=datetime.date(2099, 12, 31)),
    }


@pytest.fixture
def waiting(tree, quarters, editor):
    """Submitted reports at the province's every level, one returned, one approved."""
    q2, q4 = quarters["2026-Q2"], quarters["2025-Q4"]
    reports = {
        "a1": make_report(tree["commune_a1"], q2, "submitted", TTHC_ONTIME=(9, 10)),
        "a2": make_report(tree["commune_a2"], q2, "submitted", TTHC_ONTIME=(8, 10)),
        "b1": make_report(tree["commune_b1"], q2, "submitted", TTHC_ONTIME=(7, 10)),
        "district_a": make_report(tree["district_a"], q2, "submitted", TTHC_ONTIME=(5, 10)),
        "old": make_report(tree["commune_b1"], q4, "submitted", TTHC_ONTIME=(1, 10)),
        "returned": make_report(tree["district_b"], q2, "returned"),
        "approved": make_report(tree["province"], q2, "approved"),
    }
    Report.objects.filter(pk=reports["a1"].pk).update(submitted_by=editor)
    return reports


def _names(html):
    return re.findall(r'<a href="/bao-cao/\d+/[\w-]+/">([^<]+)</a>', html)


def test_a_provincial_reviewer_sees_every_submitted_report_below_and_each_is_one_click_away(
    client, reviewer, waiting, tree
):
    client.force_login(reviewer)
    html = client.get(INBOX).content.decode()
    assert sorted(_names(html)) == sorted(
        ["Thị trấn Tân Hiệp", "Xã Long Định", "Thị trấn Mỹ Phước", "Huyện Châu Thành", "Thị trấn Mỹ Phước"]
    )
    # The link goes to the report's own page, where the review panel is at the top.
    report_page = reverse("indicators:report-entry", args=[tree["commune_a1"].pk, "2026-Q2"])
    assert f'href="{report_page}"' in html
    assert "Huyện Tân Phước" not in _names(html)  # returned: waits for its officer, not for the reviewer
    assert client.get(report_page).status_code == 200


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?ky=2025-Q4", ["Thị trấn Mỹ Phước"]),  # an earlier year's quarter
        ("?nam=2025", ["Thị trấn Mỹ Phước"]),
        ("?ky=2026-Q2&cap=district", ["Huyện Châu Thành"]),
        ("?ky=2026-Q2&cap=commune", ["Thị trấn Tân Hiệp", "Xã Long Định", "Thị trấn Mỹ Phước"]),
        ("?trang_thai=returned", ["Huyện Tân Phước"]),
        ("?trang_thai=approved", ["Tỉnh Bình Giang"]),
    ],
)
def test_the_inbox_filters_by_quarter_year_level_and_status(client, reviewer, waiting, query, expected):
    client.force_login(reviewer)
    assert sorted(_names(client.get(INBOX + query).content.decode())) == sorted(expected)


def test_the_district_filter_narrows_to_one_district(client, reviewer, waiting, tree):
    client.force_login(reviewer)
    html = client.get(f"{INBOX}?ky=2026-Q2&huyen={tree['district_a'].pk}").content.decode()
    assert sorted(_names(html)) == ["Huyện Châu Thành", "Thị trấn Tân Hiệp", "Xã Long Định"]


@pytest.mark.parametrize(
    "query", ["?ky=2099-Q9", "?nam=abc", "?cap=nation", "?huyen=99999999", "?trang_thai=draft", "?page=-1", "?ky=%00"]
)
def test_odd_filters_fall_back_to_everything_waiting_and_never_fail(client, reviewer, waiting, query):
    client.force_login(reviewer)
    r = client.get(INBOX + query)
    assert r.status_code == 200


def test_a_district_editor_sees_only_what_waits_in_their_district(client, editor, outsider, waiting):
    client.force_login(outsider)  # editor of district B: its returned report waits for them
    html = client.get(INBOX + "?trang_thai=returned").content.decode()
    assert _names(html) == ["Huyện Tân Phước"]
    assert _names(client.get(INBOX).content.decode()) == []  # an editor reviews nothing
    # Another district's filter value is not offered, and typed in it shows nothing of it.
    client.force_login(editor)
    assert "Huyện Tân Phước" not in client.get(INBOX + "?trang_thai=returned").content.decode()


def test_the_inbox_lists_scorecards_waiting_for_appraisal(client, reviewer, editor, tree):
    cset = make_set(tree["province"])
    card = scoring_services.scorecard_get(user=editor, cset=cset, unit=tree["commune_a1"])
    entries = {leaf(cset, c).pk: (5, "") for c in ("1.1", "1.2", "2.1", "2.2")}
    scoring_services.scorecard_self_assess(user=editor, scorecard=card, entries=entries)
    scoring_services.scorecard_submit(user=editor, scorecard=card)
    client.force_login(reviewer)
    html = client.get(INBOX).content.decode()
    assert reverse("scoring:scorecard", args=[cset.pk, tree["commune_a1"].pk]) in html
    client.force_login(editor)  # the unit's side does not appraise
    assert reverse("scoring:scorecard", args=[cset.pk, tree["commune_a1"].pk]) not in client.get(INBOX).content.decode()


def test_the_inbox_takes_the_same_queries_for_one_report_as_for_many(
    client, reviewer, waiting, tree, quarters, django_assert_max_num_queries
):
    from units.testing import make_unit

    client.force_login(reviewer)
    client.get(INBOX)  # warm the session and memberships
    with django_assert_max_num_queries(14) as one:
        client.get(INBOX)
    for i in range(30):
        unit = make_unit(f"9919{i:02d}", f"Xã Thử {i}", parent=tree["district_a"])
        make_report(unit, quarters["2026-Q2"], "submitted", TTHC_ONTIME=(1, 2))
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = client.get(INBOX).content.decode()
    assert "Xã Thử 29" in html


# ---------------------------------------------------------------------------------------------
# Approving several at once


def _choices(html):
    return re.findall(r'name="bao_cao" value="(\d+:\d+)"', html)


def test_a_reviewer_approves_five_reports_at_once_and_the_ineligible_are_named(
    client, reviewer, waiting, tree, editor, django_user_model
):
    # The reviewer submitted one report themselves; another changes after the list was drawn.
    grant(reviewer, tree["commune_b1"], Role.REVIEWER)
    Report.objects.filter(pk=waiting["b1"].pk).update(submitted_by=reviewer)
    client.force_login(reviewer)
    html = client.get(INBOX).content.decode()
    chosen = _choices(html)
    assert len(chosen) == 5
    Report.objects.filter(pk=waiting["a2"].pk).update(version=99)  # the officer saved meanwhile
    r = client.post(reverse("inbox:approve"), {"bao_cao": chosen, "tiep": "?ky=2026-Q2"}, follow=True)
    assert r.redirect_chain[-1][0] == INBOX + "?ky=2026-Q2"
    page = r.content.decode()
    assert "Đã phê duyệt 3 báo cáo." in page
    assert "Chưa phê duyệt: Xã Long Định, Quý II/2026: Báo cáo đã thay đổi sau khi bạn mở" in page
    assert "Chưa phê duyệt: Thị trấn Mỹ Phước, Quý II/2026: Bạn đã tự gửi báo cáo này" in page
    statuses = dict(Report.objects.values_list("pk", "status"))
    assert statuses[waiting["a1"].pk] == statuses[waiting["district_a"].pk] == statuses[waiting["old"].pk] == "approved"
    assert statuses[waiting["a2"].pk] == statuses[waiting["b1"].pk] == "submitted"
    approved = Report.objects.get(pk=waiting["a1"].pk)
    assert approved.reviewed_by == reviewer and approved.history.first().history_user == reviewer


def test_approving_many_refuses_what_the_user_may_not_approve_and_reveals_nothing(
    client, editor, outsider, waiting
):
    client.force_login(outsider)  # district B's editor: not a reviewer, and A is out of scope
    chosen = [f"{waiting['b1'].pk}:{waiting['b1'].version}", f"{waiting['a1'].pk}:{waiting['a1'].version}"]
    page = client.post(reverse("inbox:approve"), {"bao_cao": chosen}, follow=True).content.decode()
    assert f"Không tìm thấy báo cáo số {waiting['a1'].pk}." in page and "Thị trấn Tân Hiệp" not in page
    assert "Chưa phê duyệt: Thị trấn Mỹ Phước, Quý II/2026: Chỉ người thẩm định của đơn vị này" in page
    assert not Report.objects.filter(status=ReportStatus.APPROVED).exclude(pk=waiting["approved"].pk).exists()


@pytest.mark.parametrize(
    "posted",
    [{}, {"bao_cao": ""}, {"bao_cao": "1"}, {"bao_cao": "x:1"}, {"bao_cao": "1:-1"}, {"bao_cao": "1:1:1"}, {"bao_cao": "１:1"}],
)
def test_odd_choices_approve_nothing(client, reviewer, waiting, posted):
    client.force_login(reviewer)
    r = client.post(reverse("inbox:approve"), posted, follow=True)
    assert r.status_code == 200 and "Hãy chọn các báo cáo cần phê duyệt." in r.content.decode()
    assert Report.objects.filter(status="approved").count() == 1


@pytest.mark.parametrize("back", ["//evil.example/", "https://evil.example/", "?x=1\r\nSet-Cookie: a=b", "/admin/"])
def test_the_way_back_stays_on_the_inbox(client, reviewer, waiting, back):
    client.force_login(reviewer)
    r = client.post(reverse("inbox:approve"), {"bao_cao": [], "tiep": back})
    assert r["Location"] == INBOX


def test_the_inbox_needs_a_login_and_approving_needs_post(client, reviewer):
    assert client.get(INBOX).status_code == 302
    client.force_login(reviewer)
    assert client.get(reverse("inbox:approve")).status_code == 405
