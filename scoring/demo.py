"""Demo PAR index: the demo province (99) scores its districts with a criteria set shaped like
the 2017 provincial method (eight fields, 100 points, satisfaction by survey). Last year's set
and the year before are published (appraised, with survey points, ranked); this year's is open: some districts have
self-assessed, one has submitted, one has been appraised. Scores come from a seeded generator,
so every run makes the same numbers; a set that already exists is left alone."""

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from parc.demo import ADMIN, ensure_user
from scoring import services, tree
from scoring.models import CriteriaSet, Scorecard
from units.models import AdministrativeUnit, Kind, Level, Membership, Role

# code, title, maximum, of which by survey
CRITERIA = [
    ("1", "Công tác chỉ đạo, điều hành cải cách hành chính", 10, 0),
    ("1.1", "Kế hoạch CCHC năm", 2, 0),
    ("1.2", "Báo cáo CCHC định kỳ", 2, 0),
    ("1.3", "Kiểm tra công tác CCHC", 2, 0),
    ("1.4", "Tuyên truyền CCHC", 2, 0),
    ("1.5", "Sáng kiến, giải pháp mới trong CCHC", 2, 0),
    ("2", "Xây dựng và tổ chức thực hiện văn bản quy phạm pháp luật", 10, 0),
    ("2.1", "Rà soát, hệ thống hóa văn bản QPPL", 5, 0),
    ("2.2", "Tổ chức thực hiện và kiểm tra văn bản QPPL", 5, 0),
    ("3", "Cải cách thủ tục hành chính", 14.5, 0),
    ("3.1", "Công khai thủ tục hành chính", 4, 0),
    ("3.2", "Kết quả giải quyết thủ tục hành chính", 6.5, 0),
    ("3.2.1", "Tỷ lệ hồ sơ giải quyết đúng hạn", 4, 0),
    ("3.2.2", "Số hóa hồ sơ, kết quả giải quyết TTHC", 2.5, 0),
    ("3.3", "Tiếp nhận, xử lý phản ánh, kiến nghị", 4, 0),
    ("4", "Cải cách tổ chức bộ máy hành chính nhà nước", 11, 0),
    ("4.1", "Sắp xếp, kiện toàn tổ chức bộ máy", 6, 0),
    ("4.2", "Thực hiện quy định về phân cấp quản lý", 5, 0),
    ("5", "Xây dựng và nâng cao chất lượng đội ngũ cán bộ, công chức", 16, 0),
    ("5.1", "Vị trí việc làm và cơ cấu ngạch công chức", 6, 0),
    ("5.2", "Đào tạo, bồi dưỡng cán bộ, công chức", 5, 0),
    ("5.3", "Kỷ luật, kỷ cương hành chính", 5, 0),
    ("6", "Cải cách tài chính công", 7, 0),
    ("6.1", "Quản lý, sử dụng ngân sách", 4, 0),
    ("6.2", "Tự chủ của đơn vị sự nghiệp công lập", 3, 0),
    ("7", "Hiện đại hóa hành chính", 16, 0),
    ("7.1", "Ứng dụng công nghệ thông tin", 6, 0),
    ("7.2", "Dịch vụ công trực tuyến", 6, 0),
    ("7.3", "Áp dụng ISO 9001 trong hoạt động", 4, 0),
    ("8", "Tác động của cải cách hành chính", 15.5, 10),
    ("8.1", "Sự hài lòng của người dân, tổ chức (điều tra xã hội học)", 10, 10),
    ("8.2", "Tác động đến phát triển kinh tế - xã hội", 5.5, 0),
]
BANDS = [("Tốt", Decimal(80)), ("Khá", Decimal(70)), ("Trung bình", Decimal(50)), ("Yếu", Decimal(0))]
QUARTER = Decimal("0.25")
# The demo's third district has no officer of its own until its scorecard is filled in.
LOGINS = [("canbo.993", "editor: Thành phố Mỹ An (fills in its PAR index scorecard)")]


def _quarter_points(value):
    """Scores are given in quarter points, as appraisal teams do."""
    return (value / QUARTER).quantize(Decimal(1), rounding=ROUND_HALF_UP) * QUARTER


def _member(unit, role):
    """Who acts for `unit` in the demo: its first member with `role`; a district without an
    editor gets one (canbo.<code>), a province without a reviewer is served by the administrator.
    The services check who acts, as they do for a person at the keyboard."""
    found = Membership.objects.filter(unit=unit, role=role).select_related("user").order_by("pk").first()
    if found is not None:
        return found.user
    if role == Role.REVIEWER:
        return ensure_user(**ADMIN)[0]
    user, _created = ensure_user(username=f"canbo.{unit.code}", first_name=f"Cán bộ {unit.name}")
    Membership.objects.get_or_create(user=user, unit=unit, role=role)
    return user


def _make_set(issuer, year, due):
    reviewer = _member(issuer, Role.REVIEWER)
    cset = CriteriaSet(
        issuer=issuer,
        year=year,
        level=Level.DISTRICT,
        title=f"Bộ chỉ số CCHC cấp huyện năm {year}",
        decision=f"Quyết định số {120 + year % 10}/QĐ-UBND ngày 20/02/{year}",
        total_maximum=Decimal(100),
        survey=True,
        self_assessment_due=due,
    )
    services.criteria_set_save(user=reviewer, cset=cset, bands=BANDS)
    services.criteria_replace(
        user=reviewer,
        cset=cset,
        nodes=[tree.Node(c, t, Decimal(str(m)), Decimal(str(s))) for c, t, m, s in CRITERIA],
    )
    services.criteria_set_issue(user=reviewer, cset=cset)
    return cset


def _scores(cset, unit, rng):
    """(self, appraised) per scorable leaf: units score themselves a little generously."""
    strength = rng.uniform(0.62, 0.93)
    entries, appraisal = {}, {}
    for leaf in cset.criteria.filter(children__isnull=True, survey_maximum=0):
        own = _quarter_points(leaf.maximum * Decimal(str(min(1.0, strength + rng.uniform(-0.15, 0.12)))))
        entries[leaf.pk] = (own, f"Đã thực hiện theo kế hoạch; kèm báo cáo số {rng.randint(10, 99)}/BC-UBND.")
        cut = _quarter_points(own * Decimal(str(rng.choice([0, 0, 0, 0.1, 0.25]))))
        appraisal[leaf.pk] = (own - cut, "Chưa đủ tài liệu kiểm chứng cho một phần nội dung." if cut else "")
    return entries, appraisal


def _fill(cset, unit, rng, stage):
    officer, reviewer = _member(unit, Role.EDITOR), _member(cset.issuer, Role.REVIEWER)
    card = services.scorecard_get(user=officer, cset=cset, unit=unit)
    entries, appraisal = _scores(cset, unit, rng)
    services.scorecard_self_assess(user=officer, scorecard=card, entries=entries)
    if stage in ("submitted", "appraised"):
        services.scorecard_submit(user=officer, scorecard=card)
    if stage == "appraised":
        services.scorecard_appraise(user=reviewer, scorecard=card, entries=appraisal)
        survey = cset.criteria.get(code="8.1")
        services.survey_save(
            user=reviewer,
            cset=cset,
            entries={(unit.pk, survey.pk): _quarter_points(Decimal(str(rng.uniform(6.5, 9.5))))},
        )


def load(stdout=None):
    province = AdministrativeUnit.objects.filter(code="99", level=Level.PROVINCE).first()
    summary = {"criteria sets created": 0}
    if province is None:
        return summary
    today = timezone.localdate()
    year = today.year
    districts = list(
        AdministrativeUnit.objects.filter(parent=province, level=Level.DISTRICT, kind=Kind.COMMITTEE).order_by("code")
    )
    rng = random.Random(9)
    for past in (year - 2, year - 1):
        if CriteriaSet.objects.filter(issuer=province, year=past, level=Level.DISTRICT).exists():
            continue
        # Filled as it was that year, before its deadline; then the deadline it had is set.
        done = _make_set(province, past, today + datetime.timedelta(days=1))
        for unit in districts:
            _fill(done, unit, rng, "appraised")
        CriteriaSet.objects.filter(pk=done.pk).update(self_assessment_due=datetime.date(past, 11, 30))
        services.criteria_set_publish(user=_member(province, Role.REVIEWER), cset=done)
        summary["criteria sets created"] += 1
    if not CriteriaSet.objects.filter(issuer=province, year=year, level=Level.DISTRICT).exists():
        due = max(today + datetime.timedelta(days=20), datetime.date(year, 12, 10))
        cset = _make_set(province, year, due)
        stages = ["draft", "submitted", "appraised"]  # Châu Thành (the demo editor) is still filling in
        for unit, stage in zip(districts, stages, strict=False):
            _fill(cset, unit, rng, stage)
        summary["criteria sets created"] += 1
    summary["scorecards"] = Scorecard.objects.filter(criteria_set__issuer=province).count()
    return summary
