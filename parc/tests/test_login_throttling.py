"""Login throttling through the real login page (django-axes, with django-ipware for the address).

A stranger hammering an officer's username locks only the stranger's address for that name; one
address trying many names is stopped too; behind the reverse proxy, the client's address is read
from X-Forwarded-For so two clients behind nginx are not one.
"""

import pytest
from django.test import override_settings
from django.urls import reverse

OFFICE = "198.51.100.7"
STRANGER = "203.0.113.9"
NGINX = "10.0.0.5"

LOCKED_TEXT = "Đăng nhập sai quá nhiều lần"

# What settings.py sets for AXES_PROXY_COUNT=1 (one nginx in front).
BEHIND_ONE_PROXY = override_settings(
    AXES_IPWARE_META_PRECEDENCE_ORDER=("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"),
    AXES_IPWARE_PROXY_COUNT=0,
)


@pytest.fixture
def canbo(django_user_model):
    return django_user_model.objects.create_user("canbo", password="canbo-password-1")


def _login(client, username, password, **meta):
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


def _fail(client, username, times, **meta):
    return [_login(client, username, "wrong-password", **meta).status_code for _ in range(times)]


def test_a_stranger_locks_only_their_own_address_not_the_officer_at_the_office(client, canbo):
    assert _fail(client, "canbo", 5, REMOTE_ADDR=STRANGER) == [200, 200, 200, 200, 429]

    r = _login(client, "canbo", "canbo-password-1", REMOTE_ADDR=STRANGER)
    assert r.status_code == 429  # the right password too: the pair is locked
    html = r.content.decode()
    assert LOCKED_TEXT in html and "địa chỉ của máy tính này" in html
    assert "_auth_user_id" not in client.session

    r = _login(client, "canbo", "canbo-password-1", REMOTE_ADDR=OFFICE)
    assert r.status_code == 302
    assert client.session["_auth_user_id"] == str(canbo.pk)


def test_four_wrong_passwords_then_the_right_one_signs_in_and_clears_the_count(client, canbo):
    assert _fail(client, "canbo", 4, REMOTE_ADDR=OFFICE) == [200] * 4
    assert _login(client, "canbo", "canbo-password-1", REMOTE_ADDR=OFFICE).status_code == 302
    client.logout()
    # The count started again: four more mistakes still do not lock.
    assert _fail(client, "canbo", 4, REMOTE_ADDR=OFFICE) == [200] * 4


def test_one_address_trying_many_usernames_is_stopped(client, canbo):
    codes = [_login(client, f"nguoi{i}", "wrong-password", REMOTE_ADDR=STRANGER).status_code for i in range(30)]
    assert codes[:29] == [200] * 29 and codes[29] == 429
    # Now a name never tried from there is refused too, even with its right password ...
    assert _login(client, "canbo", "canbo-password-1", REMOTE_ADDR=STRANGER).status_code == 429
    # ... while the office signs in.
    assert _login(client, "canbo", "canbo-password-1", REMOTE_ADDR=OFFICE).status_code == 302


def test_signing_in_to_ones_own_account_does_not_wipe_the_count_against_another_name(client, canbo, django_user_model):
    django_user_model.objects.create_user("kexau", password="kexau-password-1")
    assert _fail(client, "canbo", 4, REMOTE_ADDR=STRANGER) == [200] * 4
    assert _login(client, "kexau", "kexau-password-1", REMOTE_ADDR=STRANGER).status_code == 302
    client.logout()
    assert _fail(client, "canbo", 1, REMOTE_ADDR=STRANGER) == [429]


@BEHIND_ONE_PROXY
def test_behind_the_proxy_two_clients_are_told_apart_by_x_forwarded_for(client, canbo):
    stranger = {"REMOTE_ADDR": NGINX, "HTTP_X_FORWARDED_FOR": STRANGER}
    office = {"REMOTE_ADDR": NGINX, "HTTP_X_FORWARDED_FOR": OFFICE}
    assert _fail(client, "canbo", 5, **stranger) == [200, 200, 200, 200, 429]
    assert _login(client, "canbo", "canbo-password-1", **office).status_code == 302


@BEHIND_ONE_PROXY
def test_behind_the_proxy_a_forged_x_forwarded_for_does_not_pick_the_address(client, canbo):
    # nginx appends the address it saw; whatever the client sent stays on the left and is ignored,
    # so the stranger cannot spend the office's count by claiming the office's address.
    forged = {"REMOTE_ADDR": NGINX, "HTTP_X_FORWARDED_FOR": f"{OFFICE}, {STRANGER}"}
    assert _fail(client, "canbo", 5, **forged) == [200, 200, 200, 200, 429]
    office = {"REMOTE_ADDR": NGINX, "HTTP_X_FORWARDED_FOR": OFFICE}
    assert _login(client, "canbo", "canbo-password-1", **office).status_code == 302


def test_without_a_proxy_x_forwarded_for_is_not_believed(client, canbo):
    # Direct connections: a client sending the header must not choose its own address.
    for i in range(5):
        _login(client, "canbo", "wrong-password", REMOTE_ADDR=STRANGER, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
    assert _login(client, "canbo", "canbo-password-1", REMOTE_ADDR=STRANGER).status_code == 429
