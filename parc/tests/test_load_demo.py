import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def _snapshot():
    from django.apps import apps

    return {m._meta.label: m.objects.count() for m in apps.get_models()}


def test_load_demo_prints_the_logins_and_a_second_run_changes_nothing(capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "admin" in out and "parc-demo-2026" in out
    first = _snapshot()
    admin = get_user_model().objects.get(username="admin")
    password_hash = admin.password

    call_command("load_demo")
    assert _snapshot() == first
    admin.refresh_from_db()
    assert admin.password == password_hash
    assert admin.is_staff and admin.check_password("parc-demo-2026")
