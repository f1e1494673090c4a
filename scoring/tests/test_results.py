"""Percentages, bands and ranks against a table computed by hand for ten communes."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from scoring import selectors, services
from scoring.testing import administrator, appraise, make_set
from units.models import Level
from units.testing import make_unit

pytestmark = pytest.mark.django_db

# unit: (1.1, 1.2, 2.1, 2.2, survey 2.3) — this year and last year (None: the unit is new).
SCORES_2026 = {
    "U1": (15, 10, 30, 25, 20),
    "U2": (12, 8.5, 26.24, 20, 18),
    "U3": (14, 9, 25, 20, 17),
    "U4": (12, 8.5, 26.24, 20, 18),
    "U5": (10, 7, 20, 18, 15),
    "U6": (10, 5, 20, 15.5, 14.5),
    "U7": (9, 6, 18, 15, 16.99),
    "U8": (8, 5, 15, 10, 12),
    "U9": (5, 5, 10, 10, 10),
    "U10": (14, 9, 25, 20, 17),
}
SCORES_2025 = {
    "U1": (13, 9, 27, 22, 19),
    "U2": (10, 8, 20, 18, 14),
    "U3": (14, 9, 25, 20, 17),
    "U4": (12, 8.5, 26.24, 20, 18),
    "U5": (10, 7, 20, 18, 15),
    "U6": (15, 10, 30, 25, 20),
    "U7": (9, 6, 18, 15, 16.99),
    "U8": (5, 5, 10, 10, 10),
    "U9": (8, 5, 15, 10, 12),
}
# Worked out on paper: total %, band, rank (ties share a rank, the next one skips), change in
# points and in rank since 2025 (positive: climbed).
EXPECTED = {
    "U1": ("100.00", "Tốt", 1, "10.00", 1),
    "U3": ("85.00", "Tốt", 2, "0.00", 1),
    "U10": ("85.00", "Tốt", 2, None, None),
    "U2": ("84.74", "Tốt", 4, "14.74", 1),
    "U4": ("84.74", "Tốt", 4, "0.00", 0),
    "U5": ("70.00", "Khá", 6, "0.00", -1),
    "U6": ("65.00", "Khá", 7, "-35.00", -6),
    "U7": ("64.99", "Trung bình", 8, "0.00", -1),
    "U8": ("50.00", "Trung bình", 9, "10.00", 0),
    "U9": ("40.00", "Yếu", 10, "-10.00", -2),
}


def _score(cset, unit, figures):
    a, b, c, d, survey = figures
    appraise(cset, unit, {"1.1": a, "1.2": b, "2.1": c, "2.2": d}, survey={"2.3": survey})


@pytest.fixture
def province():
    nation = make_unit("VN", "Việt Nam", Level.NATION)
    province = make_unit("88", "Tỉnh Thử", Level.PROVINCE, nation)
    units = {}
    for i in range(1, 11):
        new = datetime.date(2026, 1, 1) if i == 10 else None  # U10 was formed in 2026
        units[f"U{i}"] = make_unit(f"880{i:02d}", f"Xã U{i}", Level.COMMUNE, province, valid_from=new)
    return province, units


@pytest.fixture
def published(province):
    issuer, units = province
    last = make_set(issuer, 2025)
    for name, figures in SCORES_2025.items():
        _score(last, units[name], figures)
    services.criteria_set_publish(user=administrator(), cset=last)
    cset = make_set(issuer, 2026)
    for name, figures in SCORES_2026.items():
        _score(cset, units[name], figures)
    services.criteria_set_publish(user=administrator(), cset=cset)
    return cset, units


def test_percentages_bands_ranks_and_change_match_the_hand_computed_table(published):
    cset, units = published
    results = selectors.set_results(cset=cset)
    got = {
        r.unit.name.removeprefix("Xã "): (
            str(r.percent),
            r.band.label,
            r.rank,
            None if r.points_change is None else str(r.points_change.quantize(Decimal("0.01"))),
            r.rank_change,
        )
        for r in results.units
    }
    assert got == EXPECTED
    assert [r.unit.name for r in results.units][:3] == ["Xã U1", "Xã U10", "Xã U3"]  # rank, then name
    assert results.highest.unit == units["U1"] and results.lowest.unit == units["U9"]
    assert results.unscored == []


def test_field_percentages_are_points_over_the_field_maximum_to_two_decimals(published):
    cset, units = published
    u2 = selectors.set_results(cset=cset).for_unit(units["U2"].pk)
    direction, procedures = u2.fields
    assert (direction.points, direction.maximum, direction.percent) == (Decimal("20.5"), 25, Decimal("82.00"))
    # 26,24 + 20 + 18 survey = 64,24 of 75 = 85,6533… → 85,65 %
    assert (procedures.points, procedures.maximum, procedures.percent) == (Decimal("64.24"), 75, Decimal("85.65"))
    assert (u2.points, u2.maximum, u2.survey_points) == (Decimal("84.74"), 100, Decimal(18))


def test_fields_are_set_side_by_side_with_the_strongest_and_weakest(published):
    cset, units = published
    results = selectors.set_results(cset=cset)
    direction, procedures = results.fields
    # Means of the ten units' field percentages, worked out by hand: direction
    # (100 + 82 + 92 + 82 + 68 + 60 + 60 + 52 + 40 + 92) / 10; procedures (100 + 85,65 + 82,67 +
    # 85,65 + 70,67 + 66,67 + 66,65 + 49,33 + 40 + 82,67) / 10 = 72,996.
    assert direction.mean_percent == Decimal("72.80")
    assert procedures.mean_percent == Decimal("73.00")
    assert results.strongest_field is procedures and results.weakest_field is direction
    assert direction.lowest.unit == units["U9"] and direction.highest.unit == units["U1"]


def test_without_a_survey_the_index_is_rescaled_to_the_appraised_maximum(province):
    issuer, units = province
    cset = make_set(issuer, 2026, survey=False)
    for name in units:
        appraise(cset, units[name], {"1.1": 12, "1.2": 8.5, "2.1": 26.24, "2.2": 20})
    services.criteria_set_publish(user=administrator(), cset=cset)  # no survey points asked for
    r = selectors.set_results(cset=cset).for_unit(units["U1"].pk)
    assert results_rescaled(cset)
    # 66,74 appraised of the 80 that appraisal can give = 83,425 → 83,43 %
    assert (r.points, r.maximum, r.percent) == (Decimal("66.74"), 80, Decimal("83.43"))
    assert r.fields[1].maximum == 55 and r.fields[1].percent == Decimal("84.07")  # 46,24 / 55


def results_rescaled(cset):
    return selectors.set_results(cset=cset).rescaled


def test_publishing_waits_for_every_unit_and_every_survey_point(province):
    issuer, units = province
    cset = make_set(issuer, 2026)
    for name in list(units)[:9]:
        appraise(cset, units[name], {"1.1": 1, "1.2": 1, "2.1": 1, "2.2": 1})
    with pytest.raises(ValidationError) as refused:
        services.criteria_set_publish(user=administrator(), cset=cset)
    text = " ".join(refused.value.messages)
    assert "Xã U10" in text and "Xã U1," in text  # U10 not appraised; nobody has survey points
    cset.refresh_from_db()
    assert cset.status == "issued"


def test_competition_ranks_share_a_rank_and_skip_the_next():
    ranks = selectors.competition_ranks({"a": 90, "b": 85, "c": 85, "d": 80, "e": 80, "f": 70})
    assert ranks == {"a": 1, "b": 2, "c": 2, "d": 4, "e": 4, "f": 6}


def test_bands_take_the_highest_band_reached_and_none_below_the_lowest():
    class B:
        def __init__(self, label, m):
            self.label, self.minimum_percent = label, Decimal(m)

    national = [B("A", 90), B("B", 80), B("C", 70)]
    assert selectors.band_for(national, Decimal("90.00")).label == "A"
    assert selectors.band_for(national, Decimal("89.99")).label == "B"
    assert selectors.band_for(national, Decimal("70")).label == "C"
    assert selectors.band_for(national, Decimal("69.99")) is None


def test_results_take_the_same_few_queries_for_ten_units_as_for_one(published, province, django_assert_num_queries):
    cset, units = published
    issuer, _units = province
    single = make_set(issuer, 2027)
    appraise(single, units["U1"], {"1.1": 5, "1.2": 5, "2.1": 5, "2.2": 5}, survey={"2.3": 5})
    for one_set, count in ((cset, 10), (single, 1)):
        # The criteria, the bands, the appraised scorecards with their units, their appraised
        # scores, their survey points, and the set's units that have none.
        with django_assert_num_queries(6):
            results = selectors.set_results(cset=one_set, with_previous=False)
        assert len(results.units) == count
    # With last year's: the lookup of last year's set, then the same six for it.
    with django_assert_num_queries(13):
        selectors.set_results(cset=cset)


def test_the_dashboard_card_shows_the_units_latest_published_index_and_the_sets_it_issued(published, province):
    cset, units = published
    card = selectors.index_card(unit=units["U2"])
    assert card.results.cset == cset
    assert (card.mine.percent, card.mine.rank, card.mine.rank_change) == (Decimal("84.74"), 4, 1)
    issuer, _units = province
    summary = selectors.index_card(unit=issuer)
    assert summary.mine is None and summary.issued.cset == cset
    assert summary.issued.highest.unit == units["U1"]


def test_the_dashboard_card_ignores_results_not_yet_published(published, province):
    cset, units = published
    services.criteria_set_reopen(user=administrator(), cset=cset, reason="Khiếu nại")
    card = selectors.index_card(unit=units["U2"])
    assert card.results.cset.year == 2025  # the reopened 2026 results leave the card
    assert (card.mine.percent, card.mine.rank) == (Decimal("70.00"), 5)
    assert not selectors.index_card(unit=units["U10"])  # new in 2026: nothing published yet


def test_without_a_survey_a_field_scored_wholly_by_the_survey_drops_out(province, client, django_user_model):
    issuer, units = province
    spec = [("1", "Chỉ đạo", 40, 0), ("1.1", "Kế hoạch", 40, 0), ("2", "Tác động", 60, 60), ("2.1", "Hài lòng", 60, 60)]
    cset = make_set(issuer, 2026, spec=spec, survey=False)
    for unit in units.values():
        appraise(cset, unit, {"1.1": 30})
    services.criteria_set_publish(user=administrator(), cset=cset)
    results = selectors.set_results(cset=cset)
    assert [f.criterion.code for f in results.fields] == ["1"]
    assert (results.highest.points, results.highest.maximum, results.highest.percent) == (30, 40, Decimal("75.00"))
    reader = django_user_model.objects.create_user("doc", is_staff=True)
    client.force_login(reader)
    assert client.get(reverse("scoring:results", args=[cset.pk])).status_code == 200


def test_in_a_first_year_nobody_is_new_there_is_just_nothing_to_compare(province, client, django_user_model):
    issuer, units = province
    cset = make_set(issuer, 2026)
    for unit in units.values():
        appraise(cset, unit, {"1.1": 5, "1.2": 5, "2.1": 5, "2.2": 5}, survey={"2.3": 5})
    services.criteria_set_publish(user=administrator(), cset=cset)
    client.force_login(django_user_model.objects.create_user("doc", is_staff=True))
    html = client.get(reverse("scoring:results", args=[cset.pk])).content.decode()
    assert "mới năm nay" not in html


def test_a_correction_after_publishing_stays_listed_with_its_reason(published, client, django_user_model):
    cset, _units = published
    reviewer = django_user_model.objects.create_user("sonoivu2", first_name="Lê Châu", is_staff=True)
    client.force_login(reviewer)
    client.post(reverse("scoring:reopen", args=[cset.pk]), {"reason": "Sai điểm điều tra của xã U7"})
    client.post(reverse("scoring:publish", args=[cset.pk]))
    html = client.get(reverse("scoring:results", args=[cset.pk])).content.decode()
    assert "Điều chỉnh sau khi công bố" in html and "Lê Châu · Sai điểm điều tra của xã U7" in html


def test_with_units_still_to_appraise_the_preview_is_provisional_and_announces_no_rank(
    province, client, django_user_model
):
    """Two of three units appraised, last year published: the preview lists them by name with
    their index, says how many are done, and shows no rank, no change — on the page and in the
    export — until the results are published."""
    import io

    from openpyxl import load_workbook

    issuer, units = province
    last = make_set(issuer, 2025)
    for name, figures in SCORES_2025.items():
        _score(last, units[name], figures)
    cset = make_set(issuer, 2026)
    _score(cset, units["U2"], SCORES_2026["U1"])  # U2 would climb to first
    _score(cset, units["U3"], SCORES_2026["U9"])
    services.criteria_set_publish(user=administrator(), cset=last)
    client.force_login(django_user_model.objects.create_user("doc", is_staff=True))
    html = client.get(reverse("scoring:results", args=[cset.pk])).content.decode()
    assert "Tạm thời" in html and "Đã thẩm định 2/10 đơn vị" in html
    for word in ("Xếp hạng", "Tăng/giảm bậc", "Cao nhất", "▲", "▼"):
        assert word not in html, word
    assert html.index("Xã U2") < html.index("Xã U3")  # by name (and here also by index)
    sheet = load_workbook(io.BytesIO(client.get(reverse("scoring:results-export", args=[cset.pk])).content)).active
    headers = [c.value for c in sheet[2]]
    assert "Tăng/giảm bậc" not in headers and sheet.cell(3, 1).value is None
    assert "tạm thời" in sheet.cell(1, 1).value
    # Published: the ranking and the changes appear.
    for name in ("U1", "U4", "U5", "U6", "U7", "U8", "U9", "U10"):
        _score(cset, units[name], SCORES_2026[name])
    services.criteria_set_publish(user=administrator(), cset=cset)
    html = client.get(reverse("scoring:results", args=[cset.pk])).content.decode()
    assert "Tạm thời" not in html and "Xếp hạng" in html and "Tăng/giảm bậc" in html
