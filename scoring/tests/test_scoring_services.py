"""The PAR index's services check who acts themselves (through units/scoping.py), whoever calls
them: here they are called directly, with no page in front of them. Each refusal leaves
nothing written; each write that a dashboard shows bumps the data version; imports and evidence
are kept in history with the user."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from indicators.testing import make_period, make_report
from parc.lib.cache import data_version
from scoring import services
from scoring.models import CriteriaSet, Criterion, Score, Scorecard, ScoreEvidence, SurveyScore
from scoring.testing import SMALL_SET, appraise, leaf, make_set, nodes
from units.models import Level

pytestmark = pytest.mark.django_db

OUT_OF_SCOPE = "Bạn không có quyền truy cập đơn vị này."
NOT_AN_EDITOR = "Chỉ người nhập liệu hoặc người thẩm định của đơn vị mới được thay đổi."
NOT_THE_ISSUERS_REVIEWER = "Chỉ cán bộ thẩm định của Tỉnh Bình Giang làm được việc này."


@pytest.fixture
def cset(tree):
    return make_set(tree["province"])  # the province scores its communes


@pytest.fixture
def submitted(cset, tree, editor):
    """Xã Tân Hiệp's scorecard, self-assessed and submitted by district A's officer."""
    card = services.scorecard_get(user=editor, cset=cset, unit=tree["commune_a1"])
    entries = {leaf(cset, c).pk: (Decimal(5), "") for c in ("1.1", "1.2", "2.1", "2.2")}
    services.scorecard_self_assess(user=editor, scorecard=card, entries=entries)
    services.scorecard_submit(user=editor, scorecard=card)
    return Scorecard.objects.get(pk=card.pk)


def _one(cset, points=7):
    return {leaf(cset, "1.1").pk: (Decimal(points), "Giải trình")}


def _refused(message, call):
    with pytest.raises(PermissionDenied) as refused:
        call()
    assert str(refused.value) == message


# ---------------------------------------------------------------------------------------------
# Self-assessment: the unit's editors, not outsiders, viewers or the appraisers


def test_an_officer_of_another_district_cannot_write_a_communes_scorecard(cset, tree, outsider):
    unit = tree["commune_a1"]
    _refused(OUT_OF_SCOPE, lambda: services.scorecard_get(user=outsider, cset=cset, unit=unit))
    card = Scorecard.objects.get(criteria_set=cset, unit=unit)
    _refused(OUT_OF_SCOPE, lambda: services.scorecard_self_assess(user=outsider, scorecard=card, entries=_one(cset)))
    _refused(OUT_OF_SCOPE, lambda: services.scorecard_submit(user=outsider, scorecard=card))
    upload = SimpleUploadedFile("kt.pdf", b"%PDF")
    _refused(
        OUT_OF_SCOPE,
        lambda: services.evidence_add(user=outsider, scorecard=card, criterion=leaf(cset, "1.1"), upload=upload),
    )
    card.refresh_from_db()
    assert not Score.objects.exists() and card.status == Scorecard.Status.DRAFT and card.version == 0


def test_a_viewer_reads_a_scorecard_but_cannot_write_on_it(cset, tree, leader):
    card = Scorecard.objects.get(criteria_set=cset, unit=tree["commune_a1"])
    _refused(NOT_AN_EDITOR, lambda: services.scorecard_self_assess(user=leader, scorecard=card, entries=_one(cset)))
    _refused(NOT_AN_EDITOR, lambda: services.scorecard_submit(user=leader, scorecard=card))
    _refused(NOT_THE_ISSUERS_REVIEWER, lambda: services.scorecard_appraise(user=leader, scorecard=card, entries={}))
    assert not Score.objects.exists()


def test_the_issuers_reviewer_appraises_but_does_not_write_the_units_own_scores(cset, tree, reviewer):
    card = Scorecard.objects.get(criteria_set=cset, unit=tree["commune_a1"])
    with pytest.raises(PermissionDenied, match="thẩm định điểm của các đơn vị; đơn vị tự chấm"):
        services.scorecard_self_assess(user=reviewer, scorecard=card, entries=_one(cset))
    with pytest.raises(PermissionDenied):
        services.scorecard_submit(user=reviewer, scorecard=card)
    assert not Score.objects.exists()


# ---------------------------------------------------------------------------------------------
# The issuer's side: an editor where a reviewer of the issuer is needed


def test_an_editor_cannot_appraise_return_publish_reopen_or_enter_survey_points(cset, tree, editor, submitted):
    card = submitted
    _refused(
        NOT_THE_ISSUERS_REVIEWER, lambda: services.scorecard_appraise(user=editor, scorecard=card, entries=_one(cset))
    )
    _refused(NOT_THE_ISSUERS_REVIEWER, lambda: services.scorecard_return(user=editor, scorecard=card, reason="Thiếu"))
    survey = {(tree["commune_a1"].pk, leaf(cset, "2.3").pk): Decimal(15)}
    _refused(NOT_THE_ISSUERS_REVIEWER, lambda: services.survey_save(user=editor, cset=cset, entries=survey))
    _refused(NOT_THE_ISSUERS_REVIEWER, lambda: services.criteria_set_publish(user=editor, cset=cset))
    _refused(NOT_THE_ISSUERS_REVIEWER, lambda: services.criteria_set_reopen(user=editor, cset=cset, reason="Sai"))
    card.refresh_from_db()
    assert card.status == Scorecard.Status.SUBMITTED and not card.scores.filter(appraised_score__isnull=False).exists()
    assert not SurveyScore.objects.exists()
    assert CriteriaSet.objects.get(pk=cset.pk).status == CriteriaSet.Status.ISSUED


def test_an_editor_cannot_change_issue_copy_or_import_into_a_set(tree, editor):
    draft = make_set(tree["province"], issue=False)
    before = list(draft.criteria.values_list("pk", flat=True))
    draft.title = "Đổi tên"
    _refused(NOT_THE_ISSUERS_REVIEWER, lambda: services.criteria_set_save(user=editor, cset=draft))
    _refused(NOT_THE_ISSUERS_REVIEWER, lambda: services.bands_replace(user=editor, cset=draft, bands=[("A", 90)]))
    _refused(NOT_THE_ISSUERS_REVIEWER, lambda: services.criteria_replace(user=editor, cset=draft, nodes=nodes()))
    _refused(
        NOT_THE_ISSUERS_REVIEWER,
        lambda: services.criteria_import(user=editor, cset=draft, nodes=nodes(), bands=[], source="x.xlsx"),
    )
    _refused(NOT_THE_ISSUERS_REVIEWER, lambda: services.criteria_set_issue(user=editor, cset=draft))
    _refused(NOT_THE_ISSUERS_REVIEWER, lambda: services.criteria_set_copy(user=editor, source=draft))
    draft = CriteriaSet.objects.get(pk=draft.pk)
    assert draft.title != "Đổi tên" and draft.status == CriteriaSet.Status.DRAFT and draft.bands.count() == 4
    assert list(draft.criteria.values_list("pk", flat=True)) == before
    assert CriteriaSet.objects.count() == 1  # nothing copied


def test_only_reviewers_of_a_province_or_district_committee_create_a_set(tree, editor, reviewer):
    def new_set(issuer):
        return CriteriaSet(
            issuer=issuer, year=2026, level=Level.COMMUNE, title="Bộ tiêu chí", total_maximum=100,
            self_assessment_due="2026-11-15",
        )  # fmt: skip

    _refused(
        "Chỉ cán bộ thẩm định của Huyện Châu Thành làm được việc này.",
        lambda: services.criteria_set_save(user=editor, cset=new_set(tree["district_a"]), bands=[("Tốt", 80)]),
    )
    with pytest.raises(PermissionDenied, match="UBND cấp tỉnh hoặc cấp huyện"):
        services.criteria_set_save(user=reviewer, cset=new_set(tree["commune_a1"]), bands=[("Tốt", 80)])
    assert not CriteriaSet.objects.exists()
    services.criteria_set_save(user=reviewer, cset=new_set(tree["district_a"]), bands=[("Tốt", 80)])
    assert CriteriaSet.objects.get().history.first().history_user == reviewer


# ---------------------------------------------------------------------------------------------
# Dashboards: publishing and reopening show on the next load


def test_publishing_and_reopening_bump_the_data_version_and_the_cached_dashboard_follows(
    client, cset, tree, leader, reviewer
):
    for unit, points in ((tree["commune_a1"], 12), (tree["commune_a2"], 14), (tree["commune_b1"], 9)):
        appraise(cset, unit, {"1.1": points, "1.2": 8, "2.1": 25, "2.2": 20}, survey={"2.3": 15})
    client.force_login(leader)
    url = reverse("dashboards:unit", args=[tree["commune_a1"].pk])
    assert 'id="h-par-index"' not in client.get(url).content.decode()  # cached from here on
    before = data_version()
    services.criteria_set_publish(user=reviewer, cset=cset)
    assert data_version() > before
    assert 'id="h-par-index"' in client.get(url).content.decode()
    before = data_version()
    services.criteria_set_reopen(user=reviewer, cset=cset, reason="Khiếu nại của xã Tân Hiệp")
    assert data_version() > before
    assert 'id="h-par-index"' not in client.get(url).content.decode()


# ---------------------------------------------------------------------------------------------
# History with the user, also outside a request


def test_criteria_imported_into_a_set_are_kept_in_history_with_the_user_and_the_file(tree, reviewer):
    draft = make_set(tree["province"], issue=False, spec=[])
    services.criteria_import(user=reviewer, cset=draft, nodes=nodes(SMALL_SET), bands=[], source="tieu-chi-2026.xlsx")
    reason = "nhập tiêu chí từ tieu-chi-2026.xlsx: 7 tiêu chí"
    rows = Criterion.history.filter(criteria_set_id=draft.pk)
    assert rows.count() == 7
    assert {(r.history_type, r.history_user_id, r.history_change_reason) for r in rows} == {("+", reviewer.pk, reason)}
    note = draft.history.first()  # the newest row of the set's own history
    assert (note.history_user, note.history_change_reason) == (reviewer, reason)
    # Importing again replaces them: the removals are kept too, with who did it.
    services.criteria_import(user=reviewer, cset=draft, nodes=nodes(SMALL_SET), bands=[], source="lan-2.xlsx")
    removed = Criterion.history.filter(criteria_set_id=draft.pk, history_type="-")
    assert removed.count() == 7 and {r.history_user_id for r in removed} == {reviewer.pk}


def test_a_criteria_import_through_the_page_names_the_file_in_history(client, tree, reviewer):
    draft = make_set(tree["province"], issue=False, spec=[])
    wb = Workbook()
    for row in [["Mã", "Tiêu chí", "Điểm tối đa"], [1, "Chỉ đạo", 40], ["1.1", "Kế hoạch", 40], [2, "Tác động", 60]]:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    client.force_login(reviewer)
    upload = SimpleUploadedFile("bo-tieu-chi.xlsx", buffer.getvalue())
    client.post(reverse("scoring:criteria-import", args=[draft.pk]), {"file": upload})
    note = CriteriaSet.objects.get(pk=draft.pk).history.first()
    assert (note.history_user, note.history_change_reason) == (
        reviewer,
        "nhập tiêu chí từ bo-tieu-chi.xlsx: 3 tiêu chí",
    )


def test_evidence_added_and_removed_is_kept_in_history_with_the_user(cset, tree, editor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    card = services.scorecard_get(user=editor, cset=cset, unit=tree["commune_a1"])
    item = services.evidence_add(
        user=editor, scorecard=card, criterion=leaf(cset, "1.1"), upload=SimpleUploadedFile("kt.pdf", b"%PDF")
    )
    pk = item.pk  # delete() forgets it
    services.evidence_delete(user=editor, item=item)
    rows = ScoreEvidence.history.filter(id=pk).order_by("history_id")
    assert [(r.history_type, r.history_user, r.name) for r in rows] == [
        ("+", editor, "kt.pdf"),
        ("-", editor, "kt.pdf"),
    ]
    assert not ScoreEvidence.objects.exists()


def test_only_the_units_side_removes_its_evidence(cset, tree, editor, outsider, reviewer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    card = services.scorecard_get(user=editor, cset=cset, unit=tree["commune_a1"])
    item = services.evidence_add(
        user=editor, scorecard=card, criterion=leaf(cset, "1.1"), upload=SimpleUploadedFile("kt.pdf", b"%PDF")
    )
    _refused(OUT_OF_SCOPE, lambda: services.evidence_delete(user=outsider, item=item))
    with pytest.raises(PermissionDenied):
        services.evidence_delete(user=reviewer, item=item)  # the appraisers judge the evidence, not remove it
    assert ScoreEvidence.objects.filter(pk=item.pk).exists()


def test_evidence_is_only_the_units_own_report_of_the_year(cset, tree, editor):
    card = services.scorecard_get(user=editor, cset=cset, unit=tree["commune_a1"])
    other = make_report(tree["commune_a2"], make_period(2026, "Q1"), "approved", TTHC_ONTIME=(9, 10))
    with pytest.raises(Exception, match="Chỉ báo cáo năm 2026 của chính đơn vị"):
        services.evidence_add(user=editor, scorecard=card, criterion=leaf(cset, "1.1"), report=other)
    assert not ScoreEvidence.objects.exists()
