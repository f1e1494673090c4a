import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_home_page_sends_an_anonymous_visitor_to_login(client):
    r = client.get("/")
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("login"))
    assert "next=/" in r["Location"]


def test_the_admin_sends_an_anonymous_visitor_to_login(client):
    r = client.get("/admin/")
    assert r.status_code == 302
    assert "login" in r["Location"]


def test_the_login_page_is_in_vietnamese_by_default(client):
    r = client.get(reverse("login"))
    assert r.status_code == 200
    html = r.content.decode()
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html
    assert 'name="username"' in html


def test_a_wrong_password_is_explained_in_vietnamese_and_keeps_the_username(client, alice):
    r = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in html
    assert 'value="alice"' in html
    assert "_auth_user_id" not in client.session


def test_a_signed_in_user_sees_the_home_page_in_vietnamese(client, alice):
    client.force_login(alice)
    r = client.get("/")
    assert r.status_code == 200
    html = r.content.decode()
    assert '<html lang="vi">' in html
    assert "Chào mừng, Alice" in html
    assert "Đăng xuất" in html


def test_switching_to_english_shows_the_same_page_in_english_and_back(client, alice):
    client.force_login(alice)
    r = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    html = r.content.decode()
    assert r.redirect_chain[-1][0] == "/"
    assert '<html lang="en">' in html
    assert "Welcome, Alice" in html
    assert "Log out" in html

    r = client.post(reverse("set_language"), {"language": "vi", "next": "/"}, follow=True)
    assert "Chào mừng, Alice" in r.content.decode()


def test_the_language_can_be_switched_on_the_login_page(client):
    r = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")}, follow=True)
    assert r.status_code == 200
    assert "Log in to PARC" in r.content.decode()


def test_logging_in_lands_on_the_home_page(client, alice):
    r = client.post(reverse("login"), {"username": "alice", "password": "alice-password-1"})
    assert r.status_code == 302
    assert r["Location"] == reverse("home")


def test_logging_out_needs_a_post_and_ends_the_session(client, alice):
    client.force_login(alice)
    r = client.post(reverse("logout"))
    assert r.status_code == 302
    assert client.get("/").status_code == 302


def test_the_password_change_page_has_the_portal_look_and_works(client, alice):
    client.force_login(alice)
    r = client.get(reverse("password_change"))
    html = r.content.decode()
    assert r.status_code == 200
    assert "bg-parc" in html  # our header, not the admin's
    assert "Đổi mật khẩu" in html

    r = client.post(
        reverse("password_change"),
        {"old_password": "alice-password-1", "new_password1": "Cai-cach-2026!", "new_password2": "Cai-cach-2026!"},
    )
    assert r.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("Cai-cach-2026!")


def test_a_bad_password_change_says_why_beside_the_field(client, alice):
    client.force_login(alice)
    r = client.post(reverse("password_change"), {"old_password": "nope", "new_password1": "x", "new_password2": "y"})
    html = r.content.decode()
    assert r.status_code == 200
    assert 'aria-invalid="true"' in html
    assert "id_old_password_error" in html


def test_the_admin_is_for_staff_only(client, alice, staff):
    client.force_login(alice)
    assert client.get("/admin/").status_code == 302
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200


def test_pages_load_nothing_from_another_host(client, alice):
    client.force_login(alice)
    for url in ["/", reverse("password_change")]:
        html = client.get(url).content.decode()
        refs = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert refs, url
        assert not [r for r in refs if re.match(r"(https?:)?//", r)], url


def test_an_english_browser_still_gets_vietnamese_until_the_user_switches(client, alice):
    client.force_login(alice)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in html


def test_the_language_buttons_name_each_language_in_itself(client):
    html = client.get(reverse("login")).content.decode()
    assert 'lang="en">English</button>' in html
    assert "Tiếng Việt" in html


def test_the_health_check_answers_without_an_account_or_a_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        r = client.get("/healthz")
    assert r.status_code == 200 and r.content == b"ok"
