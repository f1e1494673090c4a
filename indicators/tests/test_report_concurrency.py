"""Two people on the same report: the later save never silently overwrites the earlier one."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from indicators.models import Indicator, Report, ReportValue
from indicators.testing import make_period
from units.models import Role
from units.testing import grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def period():
    return make_period(2026, "Q2", closes=datetime.date(2099, 12, 31))


@pytest.fixture
def colleague(django_user_model, tree):
    user = django_user_model.objects.create_user("canbo_a2", first_name="Võ Thị Hoa")
    return grant(user, tree["district_a"], Role.EDITOR)


def _form(client, url):
    """The fields the page would post back: the version and the figures as first shown."""
    html = client.get(url).content.decode()
    return {name: value for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)}


def test_a_second_save_of_the_same_figure_is_a_conflict_and_keeps_the_typing(tree, editor, colleague, period):
    ontime = Indicator.objects.get(code="TTHC_ONTIME")
    url = reverse("indicators:report-entry", args=[tree["commune_a1"].pk, period.code])
    first, second = Client(), Client()
    first.force_login(editor)
    second.force_login(colleague)
    first.post(url, {"action": "save", f"n_{ontime.pk}": "8", f"d_{ontime.pk}": "10"})  # the report exists now

    a, b = _form(first, url), _form(second, url)  # both open the page at the same version
    first.post(url, {**a, "action": "save", f"n_{ontime.pk}": "9", f"d_{ontime.pk}": "10"})
    r = second.post(url, {**b, "action": "save", f"n_{ontime.pk}": "7", f"d_{ontime.pk}": "10"})

    assert r.status_code == 409
    html = r.content.decode()
    assert "Có người khác đã lưu báo cáo này trong lúc bạn đang nhập" in html
    assert "Nguyễn Văn An" in html  # who saved first
    assert "TTHC_ONTIME" in html and "8 / 10" in html and "9 / 10" in html and "7 / 10" in html
    assert 'value="7"' in html  # the second person's typing is still in the form
    assert ReportValue.objects.get(indicator=ontime).numerator == 9  # the first save stands

    # Having seen the conflict, the second person saves again on purpose: now it goes through.
    again = _form(second, url) | {"action": "save", f"n_{ontime.pk}": "7", f"d_{ontime.pk}": "10"}
    assert second.post(url, again).status_code == 302
    assert ReportValue.objects.get(indicator=ontime).numerator == 7


def test_saves_of_different_figures_both_stand(tree, editor, colleague, period):
    ontime, online = Indicator.objects.get(code="TTHC_ONTIME"), Indicator.objects.get(code="TTHC_ONLINE")
    url = reverse("indicators:report-entry", args=[tree["commune_a1"].pk, period.code])
    first, second = Client(), Client()
    first.force_login(editor)
    second.force_login(colleague)
    first.post(url, {"action": "save", f"n_{ontime.pk}": "8", f"d_{ontime.pk}": "10"})
    a, b = _form(first, url), _form(second, url)
    first.post(url, {**a, "action": "save", f"n_{ontime.pk}": "9", f"d_{ontime.pk}": "10"})
    # The second person's page still shows 8/10 for TTHC_ONTIME and posts it back unchanged.
    r = second.post(
        url,
        {
            **b,
            "action": "save",
            f"n_{ontime.pk}": "8",
            f"d_{ontime.pk}": "10",
            f"n_{online.pk}": "5",
            f"d_{online.pk}": "10",
        },
    )
    assert r.status_code == 302
    values = {v.indicator.code: v.numerator for v in ReportValue.objects.select_related("indicator")}
    assert values == {"TTHC_ONTIME": 9, "TTHC_ONLINE": 5}  # nothing of the first save was undone
    assert Report.objects.get().version == 3  # created by the first save (1), then one more save each
