"""The settings' promises, checked in fresh processes (settings are read once per process)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

BASE_DIR = Path(__file__).resolve().parents[2]
STRONG_KEY = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyzABCDEF"


def _manage(*args, **env):
    dropped = {"SECRET_KEY", "DEBUG", "PRODUCTION", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    clean["PARC_ENV_FILE"] = "/nonexistent"  # a developer's .env must not change what is tested
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=120
    )


def test_it_refuses_to_start_with_debug_off_and_no_secret_key():
    result = _manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_refuses_the_development_key_in_production_even_with_debug_on():
    result = _manage("check", DEBUG="1", PRODUCTION="1")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_starts_with_a_development_key_when_debug_is_on():
    result = _manage("check", DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_check_deploy_is_clean_in_production_mode():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        PRODUCTION="1",
        DEBUG="0",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="parc.example.gov.vn",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_without_the_production_flag():
    # The flag is what makes the difference: without it HTTPS settings stay off for local use.
    result = _manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="0", SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout


def test_debug_is_off_unless_set():
    result = _manage("shell", "-c", "from django.conf import settings; print(settings.DEBUG)", SECRET_KEY=STRONG_KEY)
    assert result.stdout.strip().splitlines()[-1] == "False", result.stderr


@pytest.mark.django_db
def test_whitenoise_serves_hashed_static_files_in_production_mode(tmp_path, alice):
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages, DEBUG=False):
        call_command("collectstatic", "--noinput", verbosity=0)
        client = Client()  # a new client loads the middleware, so WhiteNoise indexes tmp_path
        client.force_login(alice)
        html = client.get("/").content.decode()
        # Pages point at hashed names on this server, never at a CDN.
        css = next(part.split('"')[0] for part in html.split('href="')[1:] if "bootstrap" in part)
        assert css.startswith("/static/vendor/bootstrap-5.3.9.min.") and css.endswith(".css")
        response = client.get(css, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip"
        assert "max-age=315360000" in response["Cache-Control"]  # hashed: cached for ever
        assert client.get("/static/vendor/does-not-exist.js").status_code == 404


def test_every_app_of_ours_is_in_the_suite():
    """An app whose tests pytest never collects is an app whose tests CI never runs."""
    import configparser
    from pathlib import Path

    from django.apps import apps
    from django.conf import settings

    config = configparser.ConfigParser()
    config.read(Path(settings.BASE_DIR) / "pytest.ini")
    collected = set(config["pytest"]["testpaths"].split())
    ours = {a.name for a in apps.get_app_configs() if Path(a.path).parent == Path(settings.BASE_DIR)}
    assert ours <= collected, sorted(ours - collected)
