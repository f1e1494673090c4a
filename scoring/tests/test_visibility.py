"""Units see only their own scorecards until the results are published; afterwards every unit
of the set sees the province's results."""

import pytest
from django.urls import reverse

from scoring import services
from scoring.testing import administrator, appraise, make_set
from units.models import Role
from units.testing import grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(tree):
    cset = make_set(tree["province"])
    for unit, points in ((tree["commune_a1"], 12), (tree["commune_a2"], 14), (tree["commune_b1"], 9)):
        appraise(cset, unit, {"1.1": points, "1.2": 8, "2.1": 25, "2.2": 20}, survey={"2.3": 15})
    return cset


@pytest.fixture
def commune_officer(django_user_model, tree):
    user = django_user_model.objects.create_user("canbo_xa", password="x")
    return grant(user, tree["commune_a1"], Role.EDITOR)


def _card(cset, unit):
    return reverse("scoring:scorecard", args=[cset.pk, unit.pk])


def test_before_publishing_a_unit_sees_its_own_scorecard_only(client, scored, tree, commune_officer):
    client.force_login(commune_officer)
    assert client.get(_card(scored, tree["commune_a1"])).status_code == 200
    assert client.get(_card(scored, tree["commune_a2"])).status_code == 404
    assert client.get(_card(scored, tree["commune_b1"])).status_code == 404
    assert client.get(reverse("scoring:results", args=[scored.pk])).status_code == 403
    assert client.get(reverse("scoring:results-export", args=[scored.pk])).status_code == 403
    detail = client.get(reverse("scoring:detail", args=[scored.pk])).content.decode()
    assert "Thị trấn Tân Hiệp" in detail and "Xã Long Định" not in detail  # its own row only


def test_a_district_officer_sees_the_scorecards_of_its_communes_only(client, scored, tree, editor):
    client.force_login(editor)
    assert client.get(_card(scored, tree["commune_a2"])).status_code == 200
    assert client.get(_card(scored, tree["commune_b1"])).status_code == 404


def test_the_issuers_reviewer_sees_every_scorecard_and_a_preview_of_the_results(client, scored, tree, reviewer):
    client.force_login(reviewer)
    assert client.get(_card(scored, tree["commune_b1"])).status_code == 200
    html = client.get(reverse("scoring:results", args=[scored.pk])).content.decode()
    assert "Tạm thời" in html and "Thị trấn Mỹ Phước" in html


def test_after_publishing_every_unit_of_the_set_sees_the_provinces_results(client, scored, tree, commune_officer):
    services.criteria_set_publish(user=administrator(), cset=scored)
    client.force_login(commune_officer)
    html = client.get(reverse("scoring:results", args=[scored.pk])).content.decode()
    for name in ("Thị trấn Tân Hiệp", "Xã Long Định", "Thị trấn Mỹ Phước"):
        assert name in html
    assert client.get(reverse("scoring:results-export", args=[scored.pk])).status_code == 200
    # Results, not the other units' working papers.
    assert client.get(_card(scored, tree["commune_a2"])).status_code == 404


def test_someone_outside_the_issuer_sees_nothing_even_after_publishing(client, scored, django_user_model, tree):
    from units.testing import make_unit

    other = make_unit("77", "Tỉnh Khác", tree["province"].level, tree["nation"])
    stranger = grant(django_user_model.objects.create_user("khac", password="x"), other, Role.REVIEWER)
    services.criteria_set_publish(user=administrator(), cset=scored)
    client.force_login(stranger)
    for name in ("scoring:detail", "scoring:results", "scoring:results-export", "scoring:criteria-export"):
        assert client.get(reverse(name, args=[scored.pk])).status_code == 404, name
    assert scored.title not in client.get(reverse("scoring:list")).content.decode()
