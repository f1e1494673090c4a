"""Security promises: every URL refuses strangers, login is throttled, the CSP forbids inline
scripts. The URL walk (urlwalk.py) discovers patterns from the resolver, so a new view is covered
(or the walk asks for a sample of its arguments) without anyone remembering to add it."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from indicators import jobs
from parc.tests.urlwalk import patterns, portal_urls

pytestmark = pytest.mark.django_db

SECRET = "Thị trấn Tân Hiệp"  # a commune of district A: the outsider must never read its name


def test_every_page_sends_an_anonymous_visitor_to_login(client, district_a_things):
    checked = 0
    for name, _route, url in portal_urls(district_a_things):
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
    for name, route, url in portal_urls(district_a_things):
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
    for name, route in patterns():
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
