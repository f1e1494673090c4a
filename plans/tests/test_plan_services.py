"""Plans, tasks and targets are written by reviewers of the plan's unit or a unit above it: the
services check it themselves, whoever calls them (here: directly, with no page in front). Each
write bumps the dashboards' data version and is kept in history with the user."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from indicators.models import Indicator
from indicators.testing import make_period
from parc.lib.cache import data_version
from plans import services
from plans.models import Plan, PlanTask, Target
from plans.testing import make_plan, make_target
from units.models import Level, Role
from units.testing import grant

pytestmark = pytest.mark.django_db

OUT_OF_SCOPE = "Bạn không có quyền truy cập đơn vị này."
NOT_A_REVIEWER = "Chỉ người thẩm định của đơn vị này hoặc đơn vị cấp trên mới được thực hiện."


@pytest.fixture
def plan(tree):
    plan = make_plan(tree["district_a"])
    make_target(plan, "TTHC_ONTIME", 98, level=Level.COMMUNE)
    PlanTask.objects.create(plan=plan, title="Rà soát TTHC", deadline=datetime.date(2026, 6, 30))
    return plan


def _new_target(plan, value=60):
    indicator = Indicator.objects.get(code="RESULT_DIGITISED")
    return Target(plan=plan, indicator=indicator, comparator="gte", value=Decimal(value), level=Level.DISTRICT)


def _writes(plan):
    """Every plan service, as (name, call(user)), on fresh objects each time."""
    return [
        ("plan_save", lambda user: services.plan_save(user=user, plan=Plan.objects.get(pk=plan.pk))),
        (
            "plan_save (new)",
            lambda user: services.plan_save(user=user, plan=Plan(unit=plan.unit, year=2027, title="Kế hoạch 2027")),
        ),
        ("task_save", lambda user: services.task_save(user=user, task=PlanTask(plan=plan, title="Kiểm tra"))),
        ("task_delete", lambda user: services.task_delete(user=user, task=plan.tasks.get())),
        ("target_save", lambda user: services.target_save(user=user, target=_new_target(plan))),
        ("target_delete", lambda user: services.target_delete(user=user, target=plan.targets.get())),
    ]


def _snapshot(plan):
    return (
        list(Plan.objects.values_list("pk", "title", "year")),
        list(PlanTask.objects.values_list("pk", "title")),
        list(Target.objects.values_list("pk", "value", "level")),
    )


@pytest.mark.parametrize(
    ("who", "message"), [("outsider", OUT_OF_SCOPE), ("editor", NOT_A_REVIEWER), ("leader", NOT_A_REVIEWER)]
)
def test_outsiders_viewers_and_editors_are_refused_by_every_plan_service_and_nothing_is_written(
    request, plan, who, message
):
    user = request.getfixturevalue(who)
    before, version = _snapshot(plan), data_version()
    for name, write in _writes(plan):
        with pytest.raises(PermissionDenied) as refused:
            write(user)
        assert str(refused.value) == message, name
    assert _snapshot(plan) == before and data_version() == version


def test_a_reviewer_of_one_district_cannot_move_anothers_target_into_their_plan(tree, plan, django_user_model):
    district_reviewer = grant(django_user_model.objects.create_user("pnv_a"), tree["district_a"], Role.REVIEWER)
    theirs = make_target(make_plan(tree["district_b"]), "TTHC_ONLINE", 50, level=Level.COMMUNE)
    theirs.plan = plan  # into district A's plan, which this reviewer may change
    with pytest.raises(PermissionDenied):
        services.target_save(user=district_reviewer, target=theirs)
    assert Target.objects.get(pk=theirs.pk).plan.unit == tree["district_b"]


@pytest.mark.parametrize("index", range(6))
def test_every_plan_write_by_a_reviewer_bumps_the_data_version_and_keeps_who_did_it(plan, reviewer, index):
    name, write = _writes(plan)[index]
    before = data_version()
    written = write(reviewer)
    assert data_version() > before, name
    model = {"plan": Plan, "task": PlanTask, "target": Target}[name.split("_")[0]]
    latest = model.history.order_by("-history_id").first()
    assert latest.history_user == reviewer, name
    if written is not None:
        assert latest.id == written.pk


def test_a_target_saved_by_the_service_shows_on_the_cached_dashboard_at_once(client, tree, plan, leader, reviewer):
    make_period(2026, "Q2")
    url = reverse("dashboards:unit", args=[tree["district_a"].pk])
    client.force_login(leader)
    assert "≥ 61,5 %" not in client.get(url, {"nam": 2026, "ky": "Q2"}).content.decode()  # now cached
    services.target_save(user=reviewer, target=_new_target(plan, value="61.5"))
    assert "≥ 61,5 %" in client.get(url, {"nam": 2026, "ky": "Q2"}).content.decode()


def test_a_change_made_in_the_admin_bumps_the_data_version(client, plan, staff):
    client.force_login(staff)
    target = plan.targets.get()
    before = data_version()
    client.post(reverse("admin:plans_target_delete", args=[target.pk]), {"post": "yes"})
    assert not Target.objects.filter(pk=target.pk).exists() and data_version() > before
