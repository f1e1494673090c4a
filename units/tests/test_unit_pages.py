import datetime
import re

import pytest
from django.urls import reverse

from units.models import Level, SuccessionKind, UnitSuccession
from units.testing import make_unit

pytestmark = pytest.mark.django_db


def _listed(html):
    """The unit names the results table links to, in order."""
    return re.findall(r'<td><a href="/don-vi/\d+/">([^<]+)</a>', html)


def _directory(client, **params):
    return client.get(reverse("units:directory"), params)


def test_the_directory_lists_only_units_in_scope(client, tree, editor):
    client.force_login(editor)
    html = _directory(client).content.decode()
    assert _listed(html) == ["Huyện Châu Thành", "Thị trấn Tân Hiệp", "Xã Long Định"]
    assert "3 đơn vị" in html


@pytest.mark.parametrize("query", ["chau thanh", "CHÂU THÀNH", "chau"])
def test_the_directory_search_ignores_accents_and_case(client, tree, reviewer, query):
    client.force_login(reviewer)
    assert _listed(_directory(client, q=query).content.decode()) == ["Huyện Châu Thành"]


def test_the_directory_finds_a_unit_by_its_code(client, tree, reviewer):
    client.force_login(reviewer)
    assert _listed(_directory(client, q="99103").content.decode()) == ["Xã Long Định"]


def test_the_d_with_a_stroke_is_searched_as_d(client, tree, reviewer):
    client.force_login(reviewer)
    assert _listed(_directory(client, q="long dinh").content.decode()) == ["Xã Long Định"]


def test_the_directory_filters_by_level_and_province(client, tree, staff):
    other = make_unit("98", "Tỉnh Khác", Level.PROVINCE, tree["nation"])
    make_unit("98101", "Xã Khác", Level.COMMUNE, other)
    client.force_login(staff)
    html = _directory(client, level="commune", province=tree["province"].pk).content.decode()
    assert _listed(html) == ["Thị trấn Tân Hiệp", "Xã Long Định", "Thị trấn Mỹ Phước"]


def test_the_directory_is_paginated(client, tree, reviewer):
    for i in range(60):
        make_unit(f"97{i:03d}", f"Xã Số {i}", Level.COMMUNE, tree["district_a"])
    client.force_login(reviewer)
    first = _directory(client, level="commune").content.decode()
    assert "Trang 1 / 2" in first
    second = _directory(client, level="commune", page=2).content.decode()
    assert "Trang 2 / 2" in second


def test_former_units_are_hidden_unless_asked_for(client, tree, reviewer):
    make_unit("99125", "Xã Tân Lý Đông", Level.COMMUNE, tree["district_a"], valid_to=datetime.date(2023, 12, 31))
    client.force_login(reviewer)
    assert "Xã Tân Lý Đông" not in _directory(client, q="tan ly").content.decode()
    assert "Xã Tân Lý Đông" in _directory(client, q="tan ly", former="on").content.decode()


def test_an_htmx_search_gets_only_the_results(client, tree, reviewer):
    client.force_login(reviewer)
    r = client.get(reverse("units:directory"), {"q": "chau"}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert 'id="results"' in html and "Huyện Châu Thành" in html
    assert "<html" not in html


def test_the_unit_page_shows_breadcrumbs_children_and_no_members_to_an_editor(client, tree, editor):
    client.force_login(editor)
    html = client.get(reverse("units:detail", args=[tree["district_a"].pk])).content.decode()
    assert "Tỉnh Bình Giang" in html  # breadcrumb, as text: the editor cannot open the province
    assert f'href="{reverse("units:detail", args=[tree["province"].pk])}"' not in html
    assert "Thị trấn Tân Hiệp" in html and "Xã Long Định" in html
    assert "Người có vai trò" not in html


def test_a_reviewer_sees_who_has_a_role_on_the_unit(client, tree, reviewer, editor):
    client.force_login(reviewer)
    html = client.get(reverse("units:detail", args=[tree["commune_a1"].pk])).content.decode()
    assert "Người có vai trò" in html
    assert "Nguyễn Văn An" in html and "Lê Minh Châu" in html


def test_a_district_editor_gets_404_for_a_unit_of_another_district(client, tree, editor):
    client.force_login(editor)
    assert client.get(reverse("units:detail", args=[tree["commune_b1"].pk])).status_code == 404
    assert client.get(reverse("units:detail", args=[tree["district_b"].pk])).status_code == 404
    assert client.get(reverse("units:detail", args=[tree["commune_a1"].pk])).status_code == 200


def test_a_merger_shows_on_both_sides(client, tree, reviewer):
    old = make_unit("99125", "Xã Tân Lý Đông", Level.COMMUNE, tree["district_a"], valid_to=datetime.date(2023, 12, 31))
    new = tree["commune_a2"]
    succession = UnitSuccession.objects.create(kind=SuccessionKind.MERGE, date=datetime.date(2024, 1, 1))
    succession.predecessors.add(old)
    succession.successors.add(new)
    client.force_login(reviewer)
    new_page = client.get(reverse("units:detail", args=[new.pk])).content.decode()
    assert "Xã Tân Lý Đông" in new_page and "01/01/2024" in new_page and "sáp nhập" in new_page
    old_page = client.get(reverse("units:detail", args=[old.pk])).content.decode()
    assert "Xã Long Định" in old_page and "không còn tồn tại" in old_page


def test_anonymous_visitors_are_sent_to_login(client, tree):
    for url in [reverse("units:directory"), reverse("units:detail", args=[tree["province"].pk])]:
        r = client.get(url)
        assert r.status_code == 302 and reverse("login") in r["Location"]


def test_the_header_lists_the_users_units(client, tree, editor):
    client.force_login(editor)
    html = client.get("/").content.decode()
    assert "Huyện Châu Thành" in html and "Người nhập liệu" in html
