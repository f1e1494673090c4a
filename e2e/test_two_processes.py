"""Two app processes (gunicorn) on two ports, one PostgreSQL database and one Redis: what one
process writes, the other shows at once, cached dashboards included; an import started through
one is followed on the other. Marked `deploy`: .ci/run runs it with the services of the machine.
"""

import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("PARC_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("PARC_REDIS_URL", "redis://127.0.0.1:6379/15")
PORTS = (8471, 8472)

pytestmark = pytest.mark.deploy

SETUP = """
import datetime
from django.contrib.auth import get_user_model
from indicators.testing import make_period, make_report
from units.models import Role
from units.testing import grant, make_tree
tree = make_tree()
User = get_user_model()
def user(name, unit, role):
    u = User.objects.create_user(name, password=name + "-password-1")
    return grant(u, unit, role)
editor = user("canbo_a", tree["district_a"], Role.EDITOR)
user("sonoivu", tree["province"], Role.REVIEWER)
user("lanhdao", tree["province"], Role.VIEWER)
period = make_period(2026, "Q2", closes=datetime.date(2099, 12, 31))
report = make_report(tree["commune_a1"], period, "submitted", TTHC_ONTIME=(87, 100))
report.submitted_by = editor
report.save()
print(tree["district_a"].pk, tree["commune_a1"].pk)
"""


class Browser:
    """Just enough of a browser: cookies, CSRF token, form posts."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, url):
        with self.opener.open(url, timeout=30) as r:
            return r.read().decode()

    def post(self, url, data, files=None):
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        fields = {**data, "csrfmiddlewaretoken": token}
        if files:
            boundary = uuid.uuid4().hex
            body = b""
            for name, value in fields.items():
                body += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            for name, (filename, content) in files.items():
                body += (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n\r\n'.encode()
                    + content
                    + b"\r\n"
                )
            body += f"--{boundary}--\r\n".encode()
            headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        else:
            body = urllib.parse.urlencode(fields).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
        request = urllib.request.Request(url, data=body, headers={**headers, "Referer": url}, method="POST")
        with self.opener.open(request, timeout=30) as r:
            return r.geturl(), r.read().decode()

    def login(self, base, username):
        self.get(f"{base}/dang-nhap/")
        final, _ = self.post(f"{base}/dang-nhap/", {"username": username, "password": f"{username}-password-1"})
        assert not final.endswith("/dang-nhap/"), f"{username} could not log in"


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    database = f"parc_multi_{os.getpid()}"
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{database}",
        "REDIS_URL": REDIS,
        "SECRET_KEY": "multi-process-test-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "MEDIA_ROOT": str(tmp_path_factory.mktemp("media")),
        "DASHBOARD_CACHE_SECONDS": "600",
    }
    python = sys.executable
    subprocess.run(
        ["psql", f"{PG}/postgres", "-c", f"DROP DATABASE IF EXISTS {database}"], check=True, capture_output=True
    )
    subprocess.run(["psql", f"{PG}/postgres", "-c", f"CREATE DATABASE {database}"], check=True, capture_output=True)
    subprocess.run([python, "-c", f"import redis; redis.Redis.from_url('{REDIS}').flushdb()"], check=True)
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run(
        [python, "manage.py", "shell", "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    district, commune = out.stdout.strip().splitlines()[-1].split()
    gunicorn = str(Path(python).with_name("gunicorn"))
    processes = [
        subprocess.Popen(
            [gunicorn, "parc.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2", "--log-level", "warning"], cwd=ROOT, env=env
        )
        for port in PORTS
    ]
    bases = [f"http://127.0.0.1:{port}" for port in PORTS]
    try:
        for base in bases:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/dang-nhap/", timeout=2)
                    break
                except OSError:
                    time.sleep(0.2)
        yield {"a": bases[0], "b": bases[1], "district": district, "commune": commune, "env": env}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)
        subprocess.run(["psql", f"{PG}/postgres", "-c", f"DROP DATABASE IF EXISTS {database}"], capture_output=True)


def test_an_approval_through_one_process_shows_at_once_on_the_others_cached_dashboard(servers):
    leader, reviewer = Browser(), Browser()
    leader.login(servers["b"], "lanhdao")
    dashboard = f"{servers['b']}/bang-dieu-khien/{servers['district']}/?nam=2026&ky=Q2"
    assert "87,00 %" not in leader.get(dashboard)  # submitted only: not counted yet
    leader.get(dashboard)  # now served from the shared cache

    reviewer.login(servers["a"], "sonoivu")
    report_page = reviewer.get(f"{servers['a']}/bao-cao/{servers['commune']}/2026-Q2/")
    seen = re.search(r'name="version" value="(\d+)"', report_page).group(1)  # the version the reviewer looked at
    final, html = reviewer.post(f"{servers['a']}/bao-cao/{servers['commune']}/2026-Q2/duyet/", {"version": seen})
    assert "Đã phê duyệt báo cáo." in html

    assert "87,00 %" in leader.get(dashboard)  # the other process's cache knew at once


def test_an_import_started_through_one_process_is_followed_on_the_other(servers):
    officer = Browser()
    officer.login(servers["a"], "canbo_a")
    officer.get(f"{servers['a']}/nhap-excel/")
    csv = b"unit_code;period;indicator_code;numerator;denominator;value;comment\n99103;2026-Q2;TTHC_ONTIME;9;10;;\n"
    final, _ = officer.post(f"{servers['a']}/nhap-excel/", {"sheet": ""}, files={"file": ("q2.csv", csv)})
    job = re.search(r"/nhap-excel/(\d+)/$", final).group(1)

    page = officer.get(f"{servers['b']}/nhap-excel/{job}/")
    assert "Đang chờ kiểm tra" in page  # queued, seen from the other process
    subprocess.run([sys.executable, "manage.py", "import_worker", "--once"], cwd=ROOT, env=servers["env"], check=True)
    page = officer.get(f"{servers['b']}/nhap-excel/{job}/")
    assert "Đã kiểm tra: chờ bạn xác nhận" in page and "mới: 1" in page
