"""Security promises: every URL refuses strangers, login is throttled, the CSP forbids inline
scripts. The URL walk discovers patterns from the resolver, so a new view is covered (or the
test asks for a sample of its arguments) without anyone remembering to add it."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from indicators import jobs
from indicators.models import Evidence
from indicators.testing import make_period, make_report
from plans.models import PlanTask
from plans.testing import make_plan, make_target
from scoring import services
from scoring.testing import leaf, make_set
from units.models import Level

pytestmark = pytest.mark.django_db

PUBLIC = {"login", "set_language", "logout", "healthz"}  # reachable without an account
SECRET = "Thị trấn Tân Hiệp"  # a commune of district A: the outsider must never read its name


def _patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else None, prefix + str(entry.pattern)


@pytest.fixture
def district_a_things(tree, editor, settings, tmp_path):
    """One of everything that belongs to district A."""
    settings.MEDIA_ROOT = tmp_path
    period = make_period(2026, "Q2", closes=datetime.date(2099, 12, 31))
    plan = make_plan(tree["district_a"], document=SimpleUploadedFile("kh.pdf", b"%PDF"))
    target = make_target(plan, "TTHC_ONTIME", 98, level=Level.COMMUNE)
    task = PlanTask.objects.create(plan=plan, title="Rà soát")
    report = make_report(tree["commune_a1"], period, "submitted", TTHC_ONTIME=(9, 10))
    evidence = Evidence.objects.create(
        value=report.values.get(), name="bb.pdf", file=SimpleUploadedFile("bb.pdf", b"%PDF")
    )
    job = jobs.job_create(user=editor, upload=SimpleUploadedFile("q.csv", b"unit_code;period\n"))
    cset = make_set(tree["district_a"])  # district A scores its communes
    card = services.scorecard_get(user=editor, cset=cset, unit=tree["commune_a1"])
    score_evidence = services.evidence_add(
        user=editor, scorecard=card, criterion=leaf(cset, "1.1"), upload=SimpleUploadedFile("kt.pdf", b"%PDF")
    )
    return {
        "pk": tree["commune_a1"].pk,
        "unit_pk": tree["commune_a1"].pk,
        "period_code": period.code,
        "action": "duyet",
        "plan": plan.pk,
        "task_pk": task.pk,
        "target_pk": target.pk,
        "evidence": evidence.pk,
        "job": job.pk,
        "criteria_set": cset.pk,
        "score_evidence": score_evidence.pk,
    }


# For each URL name: which sample object its <pk> means (other arguments are named alike).
PK_MEANS = {
    "units:detail": "pk",
    "plans:detail": "plan",
    "plans:edit": "plan",
    "plans:document": "plan",
    "plans:task-create": "plan",
    "plans:task-edit": "plan",
    "plans:task-delete": "plan",
    "plans:target-create": "plan",
    "plans:target-edit": "plan",
    "plans:target-delete": "plan",
    "indicators:evidence": "evidence",
    "indicators:import-job": "job",
    "indicators:import-confirm": "job",
    "indicators:import-rejected": "job",
    "dashboards:unit": "pk",
    "dashboards:export": "pk",
    "scoring:evidence": "score_evidence",
}
# Every other scoring URL's <pk> is the criteria set.
PK_MEANS_BY_NAMESPACE = {"scoring": "criteria_set"}


def _url_for(name, route, things):
    kwargs = {}
    for arg in re.findall(r"<(?:\w+:)?(\w+)>", route):
        if arg == "pk":
            means = PK_MEANS.get(name) or PK_MEANS_BY_NAMESPACE.get(name.partition(":")[0])
            assert means, f"{name}: say in PK_MEANS which object its <pk> is"
            kwargs[arg] = things[means]
        else:
            assert arg in things, f"{name}: add a sample for <{arg}> to district_a_things"
            kwargs[arg] = things[arg]
    return reverse(name, kwargs=kwargs)


def _portal_urls(things):
    for name, route in _patterns():
        if name is None or name.startswith("admin:") or route.startswith("admin/") or name in PUBLIC:
            continue
        yield name, route, _url_for(name, route, things)


def test_every_page_sends_an_anonymous_visitor_to_login(client, district_a_things):
    checked = 0
    for name, _route, url in _portal_urls(district_a_things):
        for method in (client.get, client.post):
            r = method(url)
            assert r.status_code in (302, 405), (name, r.status_code)
            if r.status_code == 302:
                assert r["Location"].startswith(reverse("login")), (name, r["Location"])
        checked += 1
    assert checked >= 25


def test_an_officer_of_another_district_sees_and_changes_nothing_of_district_a(client, outsider, district_a_things):
    client.force_login(outsider)
    objects = set(district_a_things)
    for name, route, url in _portal_urls(district_a_things):
        names_an_object = bool(re.search(r"<", route))
        for method in ("get", "post"):
            r = getattr(client, method)(url)
            if names_an_object:
                assert r.status_code in (403, 404, 405), (name, method, r.status_code)
            else:
                assert r.status_code in (200, 302, 403, 404, 405), (name, method, r.status_code)
            body = b"".join(r.streaming_content) if r.streaming else r.content
            assert SECRET.encode() not in body, (name, method)
    assert objects


def test_a_user_without_staff_cannot_use_the_admin(client, outsider):
    client.force_login(outsider)
    for name, route in _patterns():
        if (
            not (name or "").startswith("admin:")
            or "<" in route
            or "(" in route
            or name in ("admin:login", "admin:logout")
        ):
            continue
        r = client.get(reverse(name))
        assert r.status_code in (302, 404), (name, r.status_code)
        if r.status_code == 302:
            assert "/admin/login/" in r["Location"]


def test_login_locks_after_five_failures_for_that_user_and_address(client, alice):
    for _ in range(5):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    r = client.post(reverse("login"), {"username": "alice", "password": "alice-password-1"}, REMOTE_ADDR="10.0.0.1")
    assert r.status_code == 429
    assert "Tài khoản bị khóa trên máy này trong 15 phút" in r.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not locked out for that user.
    other = Client()
    r = other.post(reverse("login"), {"username": "alice", "password": "alice-password-1"}, REMOTE_ADDR="10.0.0.2")
    assert r.status_code == 302


def test_four_failures_then_success_clears_the_count(client, alice):
    for _ in range(4):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"}, REMOTE_ADDR="10.0.0.3")
    assert (
        client.post(
            reverse("login"), {"username": "alice", "password": "alice-password-1"}, REMOTE_ADDR="10.0.0.3"
        ).status_code
        == 302
    )


def test_pages_carry_a_csp_without_inline_scripts(client, district_a_things, editor):
    client.force_login(editor)
    for url in ["/", reverse("dashboards:unit", args=[district_a_things["pk"]]), reverse("indicators:import")]:
        r = client.get(url, follow=True)
        policy = r["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        html = r.content.decode()
        inline = [s for s in re.findall(r"<script([^>]*)>", html) if "src=" not in s and "application/json" not in s]
        assert not inline, url
        assert ' style="' not in html, url  # inline styles are refused too


def test_uploads_are_limited_in_size_and_type(client, tree, editor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from indicators.services import evidence_problem

    assert evidence_problem(SimpleUploadedFile("a.exe", b"MZ")) is not None
    big = SimpleUploadedFile("a.pdf", b"0")
    big.size = 11 * 1024 * 1024
    assert evidence_problem(big) is not None
    assert evidence_problem(SimpleUploadedFile("a.pdf", b"%PDF")) is None
    job = jobs.job_create(user=editor, upload=SimpleUploadedFile("a.xls", b"\xd0\xcf"))
    assert job.status == "failed"
