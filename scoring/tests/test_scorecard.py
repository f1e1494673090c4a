"""Self-assessment, appraisal, returning, publishing and reopening a scorecard."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.testing import make_period, make_report
from scoring import services
from scoring.models import CriteriaSet, Score, Scorecard, ScoreEvidence
from scoring.testing import appraise, leaf, make_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def cset(tree):
    return make_set(tree["province"])


def _page(client, cset, unit):
    return reverse("scoring:scorecard", args=[cset.pk, unit.pk])


def _self_data(cset, action="save", version=None, **scores):
    card = Scorecard.objects.filter(criteria_set=cset, unit__code="99101").first()
    data = {"action": action, "version": version if version is not None else (card.version if card else 0)}
    for code, value in scores.items():
        pk = leaf(cset, code.replace("_", ".")).pk
        data[f"score_{pk}"] = value
        data[f"text_{pk}"] = f"Giải trình {code}"
    return data


def test_an_editor_fills_the_scorecard_with_decimal_commas_and_submits(client, cset, tree, editor):
    client.force_login(editor)
    unit = tree["commune_a1"]
    page = _page(client, cset, unit)
    r = client.post(page, _self_data(cset, **{"1_1": "12,5", "1_2": "8", "2_1": "25", "2_2": "20"}))
    assert r.status_code == 302
    card = Scorecard.objects.get(criteria_set=cset, unit=unit)
    assert card.scores.get(criterion__code="1.1").self_score == Decimal("12.5")
    r = client.post(
        page, _self_data(cset, "submit", **{"1_1": "12,5", "1_2": "8", "2_1": "25", "2_2": "20"}), follow=True
    )
    assert "Đã gửi bản tự đánh giá tới Tỉnh Bình Giang." in r.content.decode()
    card.refresh_from_db()
    assert card.status == Scorecard.Status.SUBMITTED and card.submitted_at


@pytest.mark.parametrize(
    ("typed", "message"),
    [("15,5", "vượt điểm tối đa 15,00"), ("-1", "không được nhỏ hơn 0"), ("12,555", "không có nhiều hơn 2 chữ số")],
)
def test_a_score_above_its_maximum_or_below_zero_is_refused_beside_its_field(
    client, cset, tree, editor, typed, message
):
    client.force_login(editor)
    r = client.post(_page(client, cset, tree["commune_a1"]), _self_data(cset, **{"1_1": typed, "1_2": "8"}))
    assert r.status_code == 200
    html = r.content.decode()
    field = re.search(rf'<input[^>]*name="score_{leaf(cset, "1.1").pk}"[^>]*>', html).group(0)
    assert f'value="{typed}"' in field and 'aria-invalid="true"' in field  # kept, and marked
    error = re.search(rf'id="id_score_{leaf(cset, "1.1").pk}_error">([^<]*)<', html).group(1)
    assert message in error
    assert not Score.objects.filter(self_score__isnull=False).exists()  # nothing saved, not even 1.2


def test_submitting_needs_every_criterion_scored(cset, tree, editor):
    card = services.scorecard_get(user=editor, cset=cset, unit=tree["commune_a1"])
    services.scorecard_self_assess(user=editor, scorecard=card, entries={leaf(cset, "1.1").pk: (Decimal(5), "")})
    with pytest.raises(ValidationError) as refused:
        services.scorecard_submit(user=editor, scorecard=card)
    assert refused.value.messages == ["Hãy chấm mọi tiêu chí trước khi gửi; còn thiếu: 1.2, 2.1, 2.2."]


def test_the_self_assessment_closes_at_its_deadline_unless_returned(tree, editor):
    cset = make_set(tree["province"], due=datetime.date(2026, 1, 31))
    card = services.scorecard_get(user=editor, cset=cset, unit=tree["commune_a1"])
    entries = {leaf(cset, "1.1").pk: (Decimal(5), "")}
    with pytest.raises(ValidationError, match="31/01/2026"):
        services.scorecard_self_assess(user=editor, scorecard=card, entries=entries)
    Scorecard.objects.filter(pk=card.pk).update(status=Scorecard.Status.RETURNED)  # asked for more: may answer late
    services.scorecard_self_assess(user=editor, scorecard=card, entries=entries)
    assert card.scores.get().self_score == 5


def test_an_appraised_score_that_differs_needs_a_reason(cset, tree, reviewer):
    card = appraise(cset, tree["commune_a1"], {"1.1": 12, "1.2": 8, "2.1": 25, "2.2": 20})
    entries = {leaf(cset, "1.1").pk: (Decimal(10), "")}
    with pytest.raises(ValidationError) as refused:
        services.scorecard_appraise(user=reviewer, scorecard=card, entries=entries)
    assert "1.1: hãy nêu lý do điểm thẩm định khác điểm tự chấm (12,00)." in refused.value.messages
    services.scorecard_appraise(
        user=reviewer, scorecard=card, entries={leaf(cset, "1.1").pk: (Decimal(10), "Thiếu kế hoạch kiểm tra")}
    )
    assert card.scores.get(criterion__code="1.1").appraised_score == 10
    with pytest.raises(ValidationError, match="vượt điểm tối đa"):
        services.scorecard_appraise(
            user=reviewer, scorecard=card, entries={leaf(cset, "1.1").pk: (Decimal(16), "Thưởng")}
        )


def test_a_reviewer_returns_a_scorecard_for_more_evidence_and_the_unit_reads_why(client, cset, tree, reviewer, editor):
    card = services.scorecard_get(user=editor, cset=cset, unit=tree["commune_a1"])
    services.scorecard_self_assess(
        user=editor,
        scorecard=card,
        entries={leaf(cset, c).pk: (Decimal(5), "") for c in ("1.1", "1.2", "2.1", "2.2")},
    )
    services.scorecard_submit(user=editor, scorecard=card)
    client.force_login(reviewer)
    url = reverse("scoring:scorecard-return", args=[cset.pk, tree["commune_a1"].pk])
    assert "Hãy nói đơn vị cần bổ sung hoặc sửa gì." in client.post(url, {"reason": " "}, follow=True).content.decode()
    client.post(url, {"reason": "Bổ sung kế hoạch kiểm tra CCHC"})
    card.refresh_from_db()
    assert card.status == Scorecard.Status.RETURNED
    client.force_login(editor)
    html = client.get(_page(client, cset, tree["commune_a1"])).content.decode()
    assert "Bổ sung kế hoạch kiểm tra CCHC" in html and 'name="score_' in html  # editable again


def test_after_publishing_a_change_needs_a_reopen_with_a_reason_and_stays_in_history(client, cset, tree, reviewer):
    for unit in (tree["commune_a1"], tree["commune_a2"], tree["commune_b1"]):
        appraise(cset, unit, {"1.1": 12, "1.2": 8, "2.1": 25, "2.2": 20}, survey={"2.3": 15})
    services.criteria_set_publish(user=reviewer, cset=cset)
    card = Scorecard.objects.get(criteria_set=cset, unit=tree["commune_a1"])
    one = {leaf(cset, "1.1").pk: (Decimal(11), "Sai sót khi cộng")}
    with pytest.raises(ValidationError, match="mở lại"):
        services.scorecard_appraise(user=reviewer, scorecard=card, entries=one)
    with pytest.raises(ValidationError, match="mở lại"):
        services.survey_save(
            user=reviewer, cset=cset, entries={(tree["commune_a1"].pk, leaf(cset, "2.3").pk): Decimal(1)}
        )
    client.force_login(reviewer)
    r = client.post(reverse("scoring:reopen", args=[cset.pk]), {"reason": ""}, follow=True)
    assert "Hãy nói vì sao mở lại kết quả" in r.content.decode()
    client.post(reverse("scoring:reopen", args=[cset.pk]), {"reason": "Khiếu nại của xã Tân Hiệp"})
    cset.refresh_from_db()
    assert cset.status == CriteriaSet.Status.REOPENED
    card = Scorecard.objects.get(pk=card.pk)  # as the next request would read it
    services.scorecard_appraise(user=reviewer, scorecard=card, entries=one)
    services.criteria_set_publish(user=reviewer, cset=cset)
    history = list(card.scores.get(criterion__code="1.1").history.order_by("history_date"))
    assert [h.appraised_score for h in history][-2:] == [12, 11]
    assert history[-1].appraisal_reason == "Sai sót khi cộng"
    reasons = list(cset.history.order_by("history_date").values_list("status", "reopen_reason"))
    assert ("reopened", "Khiếu nại của xã Tân Hiệp") in reasons and reasons[-1][0] == "published"


def test_evidence_is_a_file_or_a_report_or_a_plan_task_and_adding_it_keeps_the_typing(
    client, cset, tree, editor, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    report = make_report(tree["commune_a1"], make_period(2026, "Q2"), "approved", TTHC_ONTIME=(9, 10))
    client.force_login(editor)
    url = _page(client, cset, tree["commune_a1"])
    c = leaf(cset, "2.1").pk

    def post(**extra):
        return client.post(
            url, _self_data(cset, "evidence-add", **{"1_1": "12,5"}) | {"criterion": c} | extra, follow=True
        )

    post(file=SimpleUploadedFile("kiem-tra.pdf", b"%PDF"))
    assert Score.objects.get(criterion__code="1.1").self_score == Decimal("12.5")  # the typing was saved too
    post(link=f"report-{report.pk}")
    assert "Minh chứng có thể là tệp PDF" in post(file=SimpleUploadedFile("virus.exe", b"MZ")).content.decode()
    assert "Chọn một tệp hoặc một báo cáo, nhiệm vụ" in post().content.decode()
    odd = client.post(url, _self_data(cset, "evidence-add") | {"criterion": "abc"}, follow=True)
    assert odd.status_code == 200 and "Đã lưu điểm tự chấm." in odd.content.decode()  # said, not a 500
    score = Score.objects.get(criterion_id=c)
    assert [(bool(e.file), e.report_id) for e in score.evidence.all()] == [(True, None), (False, report.pk)]
    html = client.get(url).content.decode()
    file_item = score.evidence.first()
    assert reverse("scoring:evidence", args=[file_item.pk]) in html
    assert client.get(reverse("scoring:evidence", args=[file_item.pk])).status_code == 200
    client.post(url, _self_data(cset, f"evidence-remove-{file_item.pk}", **{"1_1": "13"}))
    assert score.evidence.count() == 1
    assert Score.objects.get(criterion__code="1.1").self_score == 13


def test_a_save_made_meanwhile_is_reported_not_overwritten_and_the_typing_stays(client, cset, tree, editor):
    client.force_login(editor)
    url = _page(client, cset, tree["commune_a1"])
    client.post(url, _self_data(cset, **{"1_1": "10"}))
    stale = Scorecard.objects.get(criteria_set=cset, unit=tree["commune_a1"]).version
    client.post(url, _self_data(cset, **{"1_1": "11"}))  # a colleague, from another screen
    r = client.post(url, _self_data(cset, version=stale, **{"1_1": "9,5"}))
    html = r.content.decode()
    assert "đã lưu phiếu chấm này lúc" in html and "Đã được lưu trong lúc đó: 11,00" in html
    assert 'value="9,5"' in html
    assert Score.objects.get(criterion__code="1.1").self_score == 11
    fresh = Scorecard.objects.get(criteria_set=cset, unit=tree["commune_a1"]).version
    client.post(url, _self_data(cset, version=fresh, **{"1_1": "9,5"}))  # saved again, knowingly
    assert Score.objects.get(criterion__code="1.1").self_score == Decimal("9.5")


def test_a_refused_save_shows_what_was_typed_read_only(client, tree, editor):
    cset = make_set(tree["province"], due=datetime.date(2026, 1, 31))
    client.force_login(editor)
    r = client.post(_page(client, cset, tree["commune_a1"]), _self_data(cset, **{"1_1": "13,75"}))
    html = r.content.decode()
    assert "Hạn tự đánh giá đã kết thúc ngày 31/01/2026." in html
    field = re.search(rf'<input[^>]*name="score_{leaf(cset, "1.1").pk}"[^>]*>', html).group(0)
    assert 'value="13,75"' in field and "readonly" in field
    assert not Score.objects.exists()


def test_opening_a_scorecard_creates_nothing(client, cset, tree, editor):
    Scorecard.objects.all().delete()
    client.force_login(editor)
    assert client.get(_page(client, cset, tree["commune_a1"])).status_code == 200
    assert not Scorecard.objects.exists()


def _page_version(html):
    return re.search(r'name="version" value="(\d+)"', html).group(1)


def test_after_a_typing_error_the_page_still_carries_the_version_it_was_drawn_from(client, cset, tree, editor):
    client.force_login(editor)
    url = _page(client, cset, tree["commune_a1"])
    drawn = _page_version(client.get(url).content.decode())
    client.post(url, _self_data(cset, **{"1_1": "11"}))  # a colleague saves meanwhile
    r = client.post(url, _self_data(cset, version=drawn, **{"1_1": "abc"}))
    assert _page_version(r.content.decode()) == drawn  # not the colleague's newer version
    r = client.post(url, _self_data(cset, version=drawn, **{"1_1": "9"}))
    assert "đã lưu phiếu chấm này lúc" in r.content.decode()
    assert Score.objects.get(criterion__code="1.1").self_score == 11


def test_attaching_a_file_does_not_make_a_colleagues_next_save_conflict(client, cset, tree, editor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(editor)
    url = _page(client, cset, tree["commune_a1"])
    client.post(url, _self_data(cset, **{"1_1": "11"}))
    drawn = _page_version(client.get(url).content.decode())
    evidence = _self_data(cset, "evidence-add", **{"1_1": "11"}) | {"criterion": leaf(cset, "1.1").pk}
    client.post(url, evidence | {"file": SimpleUploadedFile("a.pdf", b"%PDF")})  # scores unchanged
    client.post(url, _self_data(cset, version=drawn, **{"1_1": "12"}))
    assert Score.objects.get(criterion__code="1.1").self_score == 12


def test_enter_in_a_score_box_saves_and_never_removes_evidence(client, cset, tree, editor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(editor)
    url = _page(client, cset, tree["commune_a1"])
    evidence = _self_data(cset, "evidence-add") | {"criterion": leaf(cset, "1.1").pk}
    client.post(url, evidence | {"file": SimpleUploadedFile("a.pdf", b"%PDF")})
    html = client.get(url).content.decode()
    form = html[html.index('<form method="post" id="scores"') :]
    first_button = re.search(r"<button[^>]*>", form).group(0)
    assert 'value="save"' in first_button  # the button Enter presses
    assert 'value="evidence-remove-' in form


def test_evidence_of_another_scorecard_cannot_be_removed_and_nothing_is_saved(
    client, cset, tree, editor, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    other = services.scorecard_get(user=editor, cset=cset, unit=tree["commune_a2"])
    item = services.evidence_add(
        user=editor, scorecard=other, criterion=leaf(cset, "1.1"), upload=SimpleUploadedFile("b.pdf", b"%PDF")
    )
    client.force_login(editor)
    r = client.post(
        _page(client, cset, tree["commune_a1"]), _self_data(cset, f"evidence-remove-{item.pk}", **{"1_1": "5"})
    )
    assert r.status_code == 404
    assert ScoreEvidence.objects.filter(pk=item.pk).exists() and not Score.objects.filter(self_score=5).exists()
    for odd in ("evidence-remove-²", "evidence-remove-", "delete", ""):
        assert client.post(_page(client, cset, tree["commune_a1"]), {"action": odd, "version": 0}).status_code == 400
    assert client.post(_page(client, cset, tree["commune_a1"]), {"action": "save", "version": "x"}).status_code == 400


def test_the_reviewer_appraises_through_the_page_and_does_not_write_the_units_own_scores(
    client, cset, tree, reviewer, editor
):
    card = services.scorecard_get(user=editor, cset=cset, unit=tree["commune_a1"])
    entries = {leaf(cset, c).pk: (Decimal(5), "") for c in ("1.1", "1.2", "2.1", "2.2")}
    services.scorecard_self_assess(user=editor, scorecard=card, entries=entries)
    client.force_login(reviewer)
    url = _page(client, cset, tree["commune_a1"])
    assert client.post(url, _self_data(cset, **{"1_1": "15"})).status_code == 403  # the appraisers do not self-assess
    services.scorecard_submit(user=editor, scorecard=Scorecard.objects.get(pk=card.pk))
    version = _page_version(client.get(url).content.decode())
    data = {"action": "appraise", "version": version}
    for code in ("1.1", "1.2", "2.1", "2.2"):
        data[f"score_{leaf(cset, code).pk}"] = "5"
        data[f"text_{leaf(cset, code).pk}"] = ""
    data[f"score_{leaf(cset, '1.1').pk}"] = "4"
    r = client.post(url, data)
    assert "hãy nêu lý do điểm thẩm định khác điểm tự chấm (5,00)" in r.content.decode()
    data[f"text_{leaf(cset, '1.1').pk}"] = "Thiếu biên bản kiểm tra"
    assert client.post(url, data).status_code == 302
    card.refresh_from_db()
    assert card.status == "appraised" and card.scores.get(criterion__code="1.1").appraised_score == 4


def test_a_viewer_can_read_a_scorecard_but_not_post_to_it(client, cset, tree, leader):
    client.force_login(leader)
    url = _page(client, cset, tree["commune_a1"])
    assert client.get(url).status_code == 200
    for action in ("save", "submit", "evidence-add", "appraise"):
        assert client.post(url, {"action": action, "version": 0}).status_code == 403, action


def test_the_scorecard_downloads_as_the_unit_files_it(client, cset, tree, editor):
    import io

    from openpyxl import load_workbook

    appraise(cset, tree["commune_a1"], {"1.1": 12.5, "1.2": 8, "2.1": 25, "2.2": 20}, survey={"2.3": 15})
    client.force_login(editor)
    r = client.get(reverse("scoring:scorecard-export", args=[cset.pk, tree["commune_a1"].pk]))
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = {row[0]: row for row in ws.iter_rows(min_row=3, values_only=True)}
    assert rows["1.1"][3] == 12.5 and rows["1.1"][5] == 12.5 and rows["2.3"][7] == 15
    assert rows[None][1] == "Tổng" and rows[None][3] == 80.5  # 12,5 + 8 + 25 + 20 + 15 survey
    assert client.get(reverse("scoring:scorecard-export", args=[cset.pk, tree["commune_b1"].pk])).status_code == 404


def _submitted(cset, unit, editor, scores):
    card = services.scorecard_get(user=editor, cset=cset, unit=unit)
    entries = {leaf(cset, c).pk: (Decimal(v), "") for c, v in scores.items()}
    services.scorecard_self_assess(user=editor, scorecard=card, entries=entries)
    return services.scorecard_submit(user=editor, scorecard=Scorecard.objects.get(pk=card.pk))


def _appraisal_inputs(html):
    return dict(re.findall(r'name="score_(\d+)" id="[^"]*" value="([^"]*)"', html))


def test_the_appraisal_starts_empty_beside_the_units_score_and_one_save_does_not_accept_it(
    client, cset, tree, reviewer, editor
):
    _submitted(cset, tree["commune_a1"], editor, {"1.1": 12, "1.2": 8, "2.1": 25, "2.2": 20})
    client.force_login(reviewer)
    url = _page(client, cset, tree["commune_a1"])
    html = client.get(url).content.decode()
    assert set(_appraisal_inputs(html).values()) == {""}  # nothing pre-filled
    assert "Điểm tự chấm: <strong>12,00</strong>" in html  # the unit's score beside it
    assert "Lấy điểm tự chấm của đơn vị (12,00) cho 1.1" in html
    # Saving the untouched form marks nothing appraised.
    assert client.post(url, {"action": "appraise", "version": _page_version(html)}).status_code == 302
    card = Scorecard.objects.get(criteria_set=cset, unit=tree["commune_a1"])
    assert card.status == "submitted" and not card.scores.filter(appraised_score__isnull=False).exists()


def test_accepting_the_units_score_is_explicit_per_criterion_and_per_field(client, cset, tree, reviewer, editor):
    _submitted(cset, tree["commune_a1"], editor, {"1.1": 12, "1.2": 8, "2.1": 25, "2.2": 20})
    client.force_login(reviewer)
    url = _page(client, cset, tree["commune_a1"])
    version = _page_version(client.get(url).content.decode())
    one = leaf(cset, "1.1")
    r = client.post(url, {"action": f"accept-criterion-{one.pk}", "version": version})
    assert r.status_code == 302 and r["Location"].endswith(f"#c{one.pk}")
    card = Scorecard.objects.get(criteria_set=cset, unit=tree["commune_a1"])
    assert {s.criterion.code: s.appraised_score for s in card.scores.exclude(appraised_score=None)} == {"1.1": 12}
    assert card.status == "submitted"
    # Field 2: the reviewer typed 2.1 themselves; accepting the field fills only what is empty.
    field2 = leaf(cset, "2.1").parent
    html = client.get(url).content.decode()
    data = {"action": f"accept-field-{field2.pk}", "version": _page_version(html)}
    data[f"score_{one.pk}"] = "12"
    data[f"score_{leaf(cset, '2.1').pk}"] = "20"
    data[f"text_{leaf(cset, '2.1').pk}"] = "Thiếu 1 báo cáo"
    assert client.post(url, data).status_code == 302
    scores = {s.criterion.code: s.appraised_score for s in card.scores.exclude(appraised_score=None)}
    assert scores == {"1.1": 12, "2.1": 20, "2.2": 20}  # 1.2 (field 1) still waits for a look
    card.refresh_from_db()
    assert card.status == "submitted"
    html = client.get(url).content.decode()
    data = {"action": f"accept-criterion-{leaf(cset, '1.2').pk}", "version": _page_version(html)}
    data.update({f"score_{leaf(cset, c).pk}": v for c, v in (("1.1", "12"), ("2.1", "20"), ("2.2", "20"))})
    data[f"text_{leaf(cset, '2.1').pk}"] = "Thiếu 1 báo cáo"
    assert client.post(url, data).status_code == 302
    card.refresh_from_db()
    assert card.status == "appraised"


def test_accepting_needs_the_right_to_appraise_and_a_real_criterion(client, cset, tree, reviewer, editor):
    _submitted(cset, tree["commune_a1"], editor, {"1.1": 12, "1.2": 8, "2.1": 25, "2.2": 20})
    client.force_login(editor)
    url = _page(client, cset, tree["commune_a1"])
    assert client.post(url, {"action": f"accept-criterion-{leaf(cset, '1.1').pk}", "version": 2}).status_code == 403
    client.force_login(reviewer)
    for odd in ("accept-criterion-", "accept-criterion-x", "accept-row-1", "accept-criterion-1²"):
        assert client.post(url, {"action": odd, "version": 2}).status_code == 400
    html = client.get(url).content.decode()
    r = client.post(url, {"action": "accept-criterion-999999", "version": _page_version(html)})
    assert r.status_code == 302 and not Score.objects.filter(appraised_score__isnull=False).exists()
