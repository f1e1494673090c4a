import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from dashboards.forms import DashboardFilterForm
from dashboards.selectors import Filters, unit_dashboard
from indicators import services
from indicators.models import Indicator
from indicators.testing import make_period, make_report, seen
from plans.testing import make_plan, make_target
from units.models import Level, Role
from units.testing import grant, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def q1():
    return make_period(2026, "Q1")


@pytest.fixture
def q2():
    return make_period(2026, "Q2")


def _dash(unit, span="Q2", **filters):
    return unit_dashboard(unit=unit, filters=Filters(year=2026, span=span, **filters))


def _level(dash, level, code):
    rollups = dict(dash.levels)[level]
    return next(r for r in rollups.values() if r.indicator.code == code)


def test_the_communes_of_the_district_are_a_ratio_of_sums(tree, q2):
    make_report(tree["commune_a1"], q2, "approved", TTHC_ONTIME=(90, 100))
    make_report(tree["commune_a2"], q2, "approved", TTHC_ONTIME=(1, 10))
    dash = _dash(tree["district_a"])
    ontime = _level(dash, Level.COMMUNE, "TTHC_ONTIME")
    assert (ontime.numerator, ontime.denominator) == (91, 110)
    assert round(ontime.figure, 2) == Decimal("82.73")  # not (90 + 10) / 2 = 50


def test_a_stock_takes_the_latest_quarter_and_a_flow_sums(tree, q1, q2):
    make_report(tree["district_a"], q1, "approved", DVC_FULL_ONLINE=(60, 100), TTHC_ONTIME=(8, 10))
    make_report(tree["district_a"], q2, "approved", DVC_FULL_ONLINE=(90, 100), TTHC_ONTIME=(10, 10))
    cards = {c.indicator.code: c for c in _dash(tree["district_a"], span="H1").cards}
    assert cards["DVC_FULL_ONLINE"].now.figure == 90
    assert cards["TTHC_ONTIME"].now.figure == 90  # 18 / 20


def test_a_percent_indicator_rolls_up_as_a_marked_mean(client, tree, q2, leader):
    make_report(tree["commune_a1"], q2, "approved", SATISFACTION=90)
    make_report(tree["commune_a2"], q2, "approved", SATISFACTION=80)
    rollup = _level(_dash(tree["district_a"]), Level.COMMUNE, "SATISFACTION")
    assert rollup.figure == 85 and rollup.is_mean
    client.force_login(leader)
    html = client.get(
        reverse("dashboards:unit", args=[tree["district_a"].pk]), {"nam": 2026, "ky": "Q2"}
    ).content.decode()
    assert '85,00 % <span class="small text-body-secondary">(bình quân)</span>' in html


def test_ranking_and_met_counts_follow_targets_and_ties_share_a_rank(tree, q2):
    third = make_unit("99105", "Xã Tam Hiệp", Level.COMMUNE, tree["district_a"])
    plan = make_plan(tree["district_a"])
    make_target(plan, "TTHC_ONTIME", 98, level=Level.COMMUNE)
    make_target(plan, "TTHC_ONLINE", 50, level=Level.COMMUNE)
    make_report(tree["commune_a1"], q2, "approved", TTHC_ONTIME=(99, 100), TTHC_ONLINE=(40, 100))  # 1 met
    make_report(tree["commune_a2"], q2, "approved", TTHC_ONTIME=(98, 100), TTHC_ONLINE=(60, 100))  # 2 met
    make_report(third, q2, "approved", TTHC_ONTIME=(97, 100), TTHC_ONLINE=(55, 100))  # 1 met
    matrix = _dash(tree["district_a"], field="").matrix
    ranks = [(row.unit.name, row.rank, row.met, row.with_target) for row in matrix]
    assert ranks == [("Xã Long Định", 1, 2, 2), ("Thị trấn Tân Hiệp", 2, 1, 2), ("Xã Tam Hiệp", 2, 1, 2)]


def test_the_matrix_sorts_by_an_indicator_in_its_direction(tree, q2):
    make_report(tree["commune_a1"], q2, "approved", TTHC_ONLINE=(40, 100), HANDLING_DAYS=3)
    make_report(tree["commune_a2"], q2, "approved", TTHC_ONLINE=(60, 100), HANDLING_DAYS=6)
    by_online = [r.unit.code for r in _dash(tree["district_a"], sort="TTHC_ONLINE").matrix]
    assert by_online == ["99103", "99101"]  # higher is better: highest first
    by_days = [r.unit.code for r in _dash(tree["district_a"], sort="HANDLING_DAYS").matrix]
    assert by_days == ["99101", "99103"]  # fewer days is better: lowest first


def test_completeness_names_who_reported_late_and_who_not(tree):
    past = make_period(2025, "Q2")
    a1 = make_report(tree["commune_a1"], past, "approved", TTHC_ONTIME=(9, 10))
    a1.submitted_at = datetime.datetime(2025, 6, 24, tzinfo=datetime.UTC)
    a1.save()
    dash = unit_dashboard(unit=tree["district_a"], filters=Filters(year=2025, span="Q2"))
    c = dash.completeness
    assert c["total"] == 2 and c["sent"] == 1
    assert [u.name for u in c["approved"]] == ["Thị trấn Tân Hiệp"]
    assert [u.name for u in c["missing"]] == ["Xã Long Định"]
    assert {u.name for u in c["late"]} == {"Thị trấn Tân Hiệp", "Xã Long Định"}


def test_submitted_figures_count_only_when_asked_and_are_marked(client, tree, q2, leader):
    make_report(tree["commune_a1"], q2, "approved", TTHC_ONTIME=(9, 10))
    make_report(tree["commune_a2"], q2, "submitted", TTHC_ONTIME=(1, 10))
    assert _level(_dash(tree["district_a"]), Level.COMMUNE, "TTHC_ONTIME").figure == 90
    with_pending = _level(_dash(tree["district_a"], include_submitted=True), Level.COMMUNE, "TTHC_ONTIME")
    assert with_pending.figure == 50 and with_pending.pending == 1
    client.force_login(leader)
    url = reverse("dashboards:unit", args=[tree["district_a"].pk])
    html = client.get(url, {"nam": 2026, "ky": "Q2", "gom_da_gui": "on"}).content.decode()
    assert "50,00 %*" in html and "gồm cả số liệu đã gửi chưa phê duyệt (đánh dấu *)" in html


def test_the_matrix_writes_each_cell_with_words_and_escapes_unit_names(client, tree, q2, leader):
    odd = make_unit("99107", "Xã <b>Mới</b>", Level.COMMUNE, tree["district_a"])
    make_target(make_plan(tree["district_a"]), "TTHC_ONTIME", 95, level=Level.COMMUNE)
    make_report(tree["commune_a1"], q2, "approved", TTHC_ONTIME=(99, 100))
    make_report(odd, q2, "submitted", TTHC_ONTIME=(9, 10))
    client.force_login(leader)
    url = reverse("dashboards:unit", args=[tree["district_a"].pk])
    html = client.get(url, {"nam": 2026, "ky": "Q2", "gom_da_gui": "on"}).content.decode()
    assert "Xã &lt;b&gt;Mới&lt;/b&gt;" in html and "<b>Mới</b>" not in html
    assert f'<a href="/bang-dieu-khien/{odd.pk}/?nam=2026&amp;ky=Q2&amp;gom_da_gui=on">' in html
    met = '<td class="num cell-met" title="Đạt">99,00 %<span class="visually-hidden"> — Đạt</span>'
    not_met = '<td class="num cell-not_met" title="Không đạt">90,00 %*<span class="visually-hidden"> — Không đạt'
    assert met in html and not_met in html


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, {"nam": 2026, "ky": "Q2"}).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("communes", [3, 30])
def test_the_page_costs_the_same_queries_whatever_the_number_of_communes(
    client, tree, q2, leader, settings, communes, django_assert_num_queries
):
    settings.DASHBOARD_CACHE_SECONDS = 0  # measure the computation, not the cache
    district = make_unit("993", "Thành phố Mỹ An", Level.DISTRICT, tree["province"])
    plan = make_plan(district)
    make_target(plan, "TTHC_ONTIME", 98, level=Level.COMMUNE)
    for code in ("TTHC_ONTIME", "TTHC_ONLINE"):  # the cards write each target's unit of measure
        make_target(plan, code, 90, unit=district)
    for i in range(communes):
        commune = make_unit(f"993{i:02d}", f"Phường {i}", Level.COMMUNE, district)
        make_report(commune, q2, "approved", TTHC_ONTIME=(9 + i % 2, 10), SATISFACTION=90)
    client.force_login(leader)
    # 18 queries, none of them per unit or per indicator:
    #  - request: session, user, the unit, the user's memberships (scope and header alike) (4);
    #  - read once for the filter form and the figures: the calendar, the catalogue (2);
    #  - page: breadcrumbs (1);
    #  - computation: children, targets of every year the page and its trend show (with their
    #    indicators), one roll-up of the unit's own figures for the span, the span before and
    #    each quarter of the trend, levels below (distinct levels, the ids of their reports, one
    #    roll-up grouped by level), the matrix roll-up, completeness (reports; the children are
    #    the quarter's), overdue tasks (9);
    #  - PAR index card: the unit's latest published scorecard, the latest published set it
    #    issued (none here; each found costs a fixed handful more, see scoring's tests) (2).
    with django_assert_num_queries(18):
        client.get(reverse("dashboards:unit", args=[district.pk]), {"nam": 2026, "ky": "Q2"})


def test_a_communes_page_asks_nothing_about_units_below_it(
    client, tree, q1, q2, leader, settings, django_assert_num_queries
):
    settings.DASHBOARD_CACHE_SECONDS = 0
    make_report(tree["commune_a1"], q1, "approved", TTHC_ONTIME=(8, 10))
    make_report(tree["commune_a1"], q2, "approved", TTHC_ONTIME=(9, 10))
    client.force_login(leader)
    # 12 queries: session, user, the unit, memberships (4); calendar, catalogue (2);
    # breadcrumbs (1); targets, one roll-up of the commune's own figures (this quarter, the one
    # before, the trend), overdue tasks (3); PAR index card (2). No children, levels or
    # completeness: a commune has no committees below it.
    with django_assert_num_queries(12):
        response = client.get(reverse("dashboards:unit", args=[tree["commune_a1"].pk]), {"nam": 2026, "ky": "Q2"})
    body = response.content.decode()
    assert "90,00 %" in body
    assert 'id="h-matrix"' not in body and 'id="h-levels"' not in body


def test_a_cached_dashboard_shows_fresh_figures_after_an_approval(client, tree, q2, leader, reviewer, editor):
    report = make_report(tree["commune_a1"], q2, "submitted", TTHC_ONTIME=(9, 10))
    url = reverse("dashboards:unit", args=[tree["district_a"].pk])
    client.force_login(leader)
    first = client.get(url, {"nam": 2026, "ky": "Q2"}).content.decode()
    assert "90,00 %" not in first
    with CaptureQueriesContext(connection) as cached:
        client.get(url, {"nam": 2026, "ky": "Q2"})
    assert len(cached.captured_queries) < 15  # served from the cache
    services.report_approve(report=report, seen_version=seen(report), user=reviewer)
    assert "90,00 %" in client.get(url, {"nam": 2026, "ky": "Q2"}).content.decode()


def test_a_cached_dashboard_follows_a_renamed_indicator_and_a_new_year(client, tree, q2, leader, staff):
    url = reverse("dashboards:unit", args=[tree["district_a"].pk])
    client.force_login(leader)
    assert "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn" in client.get(url, {"nam": 2026, "ky": "Q2"}).content.decode()
    indicator = Indicator.objects.get(code="TTHC_ONTIME")
    admin = Client()
    admin.force_login(staff)
    change = reverse("admin:indicators_indicator_change", args=[indicator.pk])
    form = {f.name: getattr(indicator, f.attname) for f in Indicator._meta.concrete_fields if f.name != "id"}
    form = {k: ("on" if v is True else v) for k, v in form.items() if v not in (False, None)}
    form["name_vi"] = "Tỷ lệ hồ sơ giải quyết đúng hạn và trước hạn"
    assert admin.post(change, form).status_code == 302  # the administrator renames it in the admin
    assert "Tỷ lệ hồ sơ giải quyết đúng hạn và trước hạn" in client.get(url, {"nam": 2026, "ky": "Q2"}).content.decode()
    call_command("open_year", "2027", stdout=io.StringIO())  # bulk-creates: no signals
    assert '<option value="2027"' in client.get(url, {"nam": 2026, "ky": "Q2"}).content.decode()


def test_a_leader_of_one_district_gets_404_for_another_district_and_its_export(client, tree, django_user_model):
    leader_b = grant(django_user_model.objects.create_user("lanhdao_b"), tree["district_b"], Role.VIEWER)
    client.force_login(leader_b)
    assert client.get(reverse("dashboards:unit", args=[tree["district_a"].pk])).status_code == 404
    assert client.get(reverse("dashboards:export", args=[tree["district_a"].pk])).status_code == 404
    assert client.get(reverse("dashboards:unit", args=[tree["district_b"].pk])).status_code == 200


def test_the_export_has_the_pages_numbers_with_vietnamese_headers(client, tree, q2, leader):
    make_report(tree["commune_a1"], q2, "approved", TTHC_ONTIME=(90, 100))
    make_report(tree["commune_a2"], q2, "approved", TTHC_ONTIME=(1, 10))
    make_report(tree["district_a"], q2, "approved", TTHC_ONTIME=(45, 50))
    client.force_login(leader)
    r = client.get(reverse("dashboards:export", args=[tree["district_a"].pk]), {"nam": 2026, "ky": "Q2"})
    assert r["Content-Disposition"].endswith('-2026-Q2.xlsx"')
    wb = load_workbook(io.BytesIO(r.content))
    cards = wb["Chỉ số"]
    headers = [c.value for c in cards[2]]
    assert headers[:3] == ["Mã chỉ số", "Chỉ số", "Kết quả"]
    ontime = next(row for row in cards.iter_rows(min_row=3, values_only=True) if row[0] == "TTHC_ONTIME")
    assert ontime[2] == 90 and ontime[3] == 45 and ontime[4] == 50
    matrix = wb["Đơn vị trực thuộc"]
    rows = {row[2]: row for row in matrix.iter_rows(min_row=2, values_only=True)}
    column = [c.value for c in matrix[1]].index("TTHC_ONTIME")
    assert rows["Thị trấn Tân Hiệp"][column] == 90 and rows["Xã Long Định"][column] == 10


def test_exported_text_that_looks_like_a_formula_stays_text(client, tree, q2, staff):
    make_unit("99199", '=HYPERLINK("http://x")', Level.COMMUNE, tree["district_a"])
    client.force_login(staff)
    r = client.get(reverse("dashboards:export", args=[tree["district_a"].pk]), {"nam": 2026, "ky": "Q2"})
    matrix = load_workbook(io.BytesIO(r.content))["Đơn vị trực thuộc"]
    cell = next(c for row in matrix.iter_rows(min_row=2) for c in row if c.value == '=HYPERLINK("http://x")')
    assert cell.data_type == "s"


def test_filters_live_in_the_url_and_links_keep_them(client, tree, q2, leader):
    client.force_login(leader)
    html = client.get(
        reverse("dashboards:unit", args=[tree["province"].pk]), {"nam": 2026, "ky": "H1", "linh_vuc": "digital"}
    ).content.decode()
    assert f'href="/bang-dieu-khien/{tree["district_a"].pk}/?nam=2026&amp;ky=H1&amp;linh_vuc=digital"' in html
    card = '<div class="small fw-semibold">{}'
    assert card.format("Tỷ lệ hồ sơ TTHC nộp trực tuyến") in html  # a digital-government indicator
    assert card.format("Tỷ lệ hồ sơ TTHC giải quyết đúng hạn") not in html  # a procedures one


def test_the_form_defaults_to_the_latest_quarter_that_is_due():
    make_period(2026, "Q1")
    form = DashboardFilterForm(None)
    filters = form.filters()
    assert (filters.year, filters.span) == (2026, "Q1")
