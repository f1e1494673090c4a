"""Factories for PAR index tests."""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model

from scoring import services, tree
from scoring.models import CriteriaSet
from units.models import Level, Role
from units.testing import grant

# code, title, maximum, survey part — a small set of 100 points in two fields, one leaf scored by
# the survey.
SMALL_SET = [
    ("1", "Công tác chỉ đạo, điều hành", 25, 0),
    ("1.1", "Kế hoạch CCHC", 15, 0),
    ("1.2", "Báo cáo CCHC", 10, 0),
    ("2", "Thủ tục hành chính và hiện đại hóa", 75, 20),
    ("2.1", "Hồ sơ giải quyết đúng hạn", 30, 0),
    ("2.2", "Dịch vụ công trực tuyến", 25, 0),
    ("2.3", "Sự hài lòng của người dân", 20, 20),
]
BANDS = [("Tốt", 80), ("Khá", 65), ("Trung bình", 50), ("Yếu", 0)]


def nodes(spec=SMALL_SET):
    return [tree.Node(code, title, Decimal(str(m)), Decimal(str(s))) for code, title, m, s in spec]


def administrator():
    """Someone for the factories to act as where the issuer's reviewers act: staff manage every
    set (the services check who acts, so a factory must say who it is)."""
    user, _created = get_user_model().objects.get_or_create(username="factory-admin", defaults={"is_staff": True})
    return user


def officer(unit):
    """An editor of `unit` (created once), who self-assesses its scorecards in the factories."""
    user, created = get_user_model().objects.get_or_create(username=f"factory-officer-{unit.code}")
    return grant(user, unit, Role.EDITOR) if created else user


def make_set(issuer, year=2026, level=Level.COMMUNE, spec=SMALL_SET, issue=True, survey=True, due=None, total=100):
    by = administrator()
    cset = CriteriaSet.objects.create(
        issuer=issuer,
        year=year,
        level=level,
        title=f"Bộ tiêu chí chỉ số CCHC cấp xã năm {year}",
        total_maximum=Decimal(total),
        survey=survey,
        self_assessment_due=due or datetime.date(2099, 12, 31),  # open whatever today is
    )
    services.bands_replace(user=by, cset=cset, bands=[(label, Decimal(m)) for label, m in BANDS])
    if spec:
        services.criteria_replace(user=by, cset=cset, nodes=nodes(spec))
    if issue:
        services.criteria_set_issue(user=by, cset=cset)
    return cset


def leaf(cset, code):
    return cset.criteria.get(code=code)


def appraise(cset, unit, scores, survey=None):
    """Self-assess, submit and appraise `unit` with the same scores: {"1.1": 12, …}; survey
    points {"2.3": 18}. The unit's factory officer self-assesses, the factory administrator
    appraises."""
    own, by = officer(unit), administrator()
    card = services.scorecard_get(user=own, cset=cset, unit=unit)
    entries = {leaf(cset, code).pk: (Decimal(str(v)), "") for code, v in scores.items()}
    services.scorecard_self_assess(user=own, scorecard=card, entries=entries)
    services.scorecard_submit(user=own, scorecard=card)
    services.scorecard_appraise(user=by, scorecard=card, entries=entries)
    if survey:
        services.survey_save(
            user=by, cset=cset, entries={(unit.pk, leaf(cset, code).pk): Decimal(str(v)) for code, v in survey.items()}
        )
    card.refresh_from_db()
    return card
