"""Survey points: entered in a grid or imported from a spreadsheet, all or nothing."""

import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from scoring.models import SurveyScore
from scoring.testing import leaf, make_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def cset(tree):
    return make_set(tree["province"])


def test_the_reviewer_enters_survey_points_with_decimal_commas(client, cset, tree, reviewer):
    client.force_login(reviewer)
    c = leaf(cset, "2.3")
    url = reverse("scoring:survey", args=[cset.pk])
    r = client.post(url, {f"p-{tree['commune_a1'].pk}-{c.pk}": "17,25", f"p-{tree['commune_a2'].pk}-{c.pk}": ""})
    assert r.status_code == 302
    assert SurveyScore.objects.get().points == Decimal("17.25")
    cell = f"p-{tree['commune_a1'].pk}-{c.pk}"
    for typed, message in (("21", "vượt điểm tối đa 20,00"), ("x", "“x” không phải là số.")):
        html = client.post(url, {cell: typed}).content.decode()  # 2.3 gives at most 20
        field = re.search(rf'<input[^>]*name="{cell}"[^>]*>', html).group(0)
        assert f'value="{typed}"' in field and 'aria-invalid="true"' in field  # kept in its box, and marked
        assert re.search(rf'id="{cell}-error">[^<]*{message}', html)
    assert SurveyScore.objects.get().points == Decimal("17.25")


def test_survey_points_round_trip_through_the_spreadsheet(client, cset, tree, reviewer):
    client.force_login(reviewer)
    content = client.get(reverse("scoring:survey-export", args=[cset.pk])).content
    wb = load_workbook(io.BytesIO(content))
    ws = wb.active
    assert [c.value for c in ws[1]] == [
        "Mã đơn vị",
        "Đơn vị",
        "Mã tiêu chí",
        "Tiêu chí",
        "Điểm tối đa",
        "Điểm điều tra",
    ]
    for row, points in zip(ws.iter_rows(min_row=2), ("18,5", 16, 12), strict=True):
        row[5].value = points
    buffer = io.BytesIO()
    wb.save(buffer)
    upload = SimpleUploadedFile("dieu-tra.xlsx", buffer.getvalue())
    r = client.post(reverse("scoring:survey", args=[cset.pk]), {"file": upload}, follow=True)
    assert "Đã lưu 3 điểm điều tra." in r.content.decode()
    assert sorted(SurveyScore.objects.values_list("points", flat=True)) == [12, 16, Decimal("18.5")]


def test_a_survey_file_with_a_bad_row_saves_nothing_and_names_the_row(client, cset, tree, reviewer):
    client.force_login(reviewer)
    csv = "Mã đơn vị;Mã tiêu chí;Điểm điều tra\n99101;2.3;15\n99999;2.3;10\n99103;2.3;25\n99201;1.1;3\n"
    upload = SimpleUploadedFile("dieu-tra.csv", csv.encode())
    html = client.post(reverse("scoring:survey", args=[cset.pk]), {"file": upload}, follow=True).content.decode()
    assert "Dòng 3, “Mã đơn vị”: không phải đơn vị được chấm" in html
    assert "Dòng 4, “Điểm điều tra”: 25 nằm ngoài khoảng 0 đến 20." in html
    assert "Dòng 5, “Mã tiêu chí”: không phải tiêu chí có điểm điều tra." in html
    assert not SurveyScore.objects.exists()


def test_only_the_issuers_reviewers_enter_survey_points(client, cset, editor):
    client.force_login(editor)
    assert client.get(reverse("scoring:survey", args=[cset.pk])).status_code == 403
    assert client.get(reverse("scoring:survey-export", args=[cset.pk])).status_code == 403


def test_cells_the_page_did_not_send_are_left_alone(client, cset, tree, reviewer):
    client.force_login(reviewer)
    c = leaf(cset, "2.3")
    url = reverse("scoring:survey", args=[cset.pk])
    client.post(url, {f"p-{tree['commune_a1'].pk}-{c.pk}": "17", f"p-{tree['commune_a2'].pk}-{c.pk}": "16"})
    client.post(url, {f"p-{tree['commune_a1'].pk}-{c.pk}": "18"})  # a2 not sent: kept
    assert dict(SurveyScore.objects.values_list("unit__code", "points")) == {"99101": 18, "99103": 16}
    client.post(url, {f"p-{tree['commune_a2'].pk}-{c.pk}": ""})  # sent empty: cleared
    assert list(SurveyScore.objects.values_list("unit__code", flat=True)) == ["99101"]


def test_a_large_provinces_grid_fits_in_one_post(client, cset, tree, reviewer):
    # 160 communes × 12 survey criteria is ~1,920 cells; Django's default stops at 1,000 fields.
    client.force_login(reviewer)
    c = leaf(cset, "2.3")
    data = {f"p-{9000 + i}-{c.pk}": "" for i in range(1920)} | {f"p-{tree['commune_a1'].pk}-{c.pk}": "17"}
    assert client.post(reverse("scoring:survey", args=[cset.pk]), data).status_code == 302
    assert SurveyScore.objects.get().points == 17
