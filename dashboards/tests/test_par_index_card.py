"""The unit dashboard's yearly card: the latest published PAR index, never unpublished scores."""

import pytest
from django.urls import reverse

from scoring import services
from scoring.testing import administrator, appraise, make_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(tree):
    cset = make_set(tree["province"], 2026)
    for unit, points in ((tree["commune_a1"], 12), (tree["commune_a2"], 14), (tree["commune_b1"], 9)):
        appraise(cset, unit, {"1.1": points, "1.2": 8, "2.1": 25, "2.2": 20}, survey={"2.3": 15})
    return cset


def _dashboard(client, unit):
    return client.get(reverse("dashboards:unit", args=[unit.pk])).content.decode()


def test_the_card_appears_once_the_results_are_published(client, scored, tree, leader):
    client.force_login(leader)
    assert 'id="h-par-index"' not in _dashboard(client, tree["commune_a1"])
    services.criteria_set_publish(user=administrator(), cset=scored)  # bumps the data version: cached pages refresh
    html = _dashboard(client, tree["commune_a1"])
    # 12 + 8 + 25 + 20 + 15 = 80 of 100: second behind Long Định (82), ahead of Mỹ Phước (77).
    assert 'id="h-par-index"' in html and "80,00 %" in html and "Xếp thứ 2/3" in html and "Tốt" in html
    assert reverse("scoring:results", args=[scored.pk]) in html
    province = _dashboard(client, tree["province"])
    assert "Cao nhất: <strong>Xã Long Định</strong> 82,00 %" in province
    assert "Thấp nhất: <strong>Thị trấn Mỹ Phước</strong> 77,00 %" in province
