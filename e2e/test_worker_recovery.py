"""Import workers as real processes on one PostgreSQL database: a worker killed with SIGKILL in
the middle of a job (its child reader too) leaves the job "checking"; another worker notices
the silent heartbeat and runs it again to the end. Two workers on one queue run each job once.
Marked `deploy`: .ci/run runs it with the machine's PostgreSQL.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytest

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("PARC_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432")

pytestmark = pytest.mark.deploy

SETUP = """
import datetime, io
from django.core.files.uploadedfile import SimpleUploadedFile
from django.contrib.auth import get_user_model
from indicators import jobs
from indicators.testing import make_period
from units.models import Role
from units.testing import grant, make_tree
tree = make_tree()
editor = grant(get_user_model().objects.create_user("canbo_a"), tree["district_a"], Role.EDITOR)
make_period(2026, "Q2", closes=datetime.date(2099, 12, 31))
lines = ["unit_code;period;indicator_code;numerator;denominator;value;comment"]
codes = ["TTHC_ONTIME", "TTHC_ONLINE", "RESULT_DIGITISED", "DOSSIER_DIGITISED"]
for n in range(180_000):
    lines.append(f"{'99101' if n % 2 else '99103'};2026-Q2;{codes[n % 4]};{n % 7};10;;dòng {n}")
big = jobs.job_create(user=editor, upload=SimpleUploadedFile("lon.csv", "\\n".join(lines).encode()))
small = [
    jobs.job_create(user=editor, upload=SimpleUploadedFile(f"nho-{i}.csv", (lines[0] + "\\n" + lines[i + 1]).encode()))
    for i in range(12)
]
print(big.pk, ",".join(str(j.pk) for j in small))
"""


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    name = f"parc_workers_{os.getpid()}"
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{name}",
        "SECRET_KEY": "worker-test-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "0",
        "MEDIA_ROOT": str(tmp_path_factory.mktemp("media")),
        "IMPORT_HEARTBEAT_SECONDS": "1",
        "IMPORT_STALE_SECONDS": "4",
    }
    psql = ["psql", f"{PG}/postgres", "-c"]
    subprocess.run([*psql, f"DROP DATABASE IF EXISTS {name}"], check=True, capture_output=True)
    subprocess.run([*psql, f"CREATE DATABASE {name}"], check=True, capture_output=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    big, small = out.stdout.strip().splitlines()[-1].split()
    try:
        yield {"env": env, "url": f"{PG}/{name}", "big": int(big), "small": [int(pk) for pk in small.split(",")]}
    finally:
        subprocess.run([*psql, f"DROP DATABASE IF EXISTS {name}"], capture_output=True)


def _worker(env):
    # A session of its own, so that killing it kills its child reader too.
    return subprocess.Popen(
        [sys.executable, "manage.py", "import_worker"], cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _jobs(url, pks):
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT id, status, attempts, worker FROM indicators_importjob WHERE id = ANY(%s)", [pks])
        return {pk: (status, attempts, worker) for pk, status, attempts, worker in cursor.fetchall()}


def _wait(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    return None


def test_a_job_whose_worker_was_killed_is_run_again_by_another(database):
    url, big = database["url"], database["big"]
    first = _worker(database["env"])
    try:
        assert _wait(lambda: _jobs(url, [big])[big][0] == "checking", 120), "the first worker never took the job"
        time.sleep(0.5)  # well inside the work: reading 180,000 rows, then checking them
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    status, attempts, dead_worker = _jobs(url, [big])[big]
    assert (status, attempts) == ("checking", 1)  # left running by a dead worker
    second = _worker(database["env"])
    try:
        done = _wait(lambda: _jobs(url, [big])[big][0] in ("ready", "failed") and _jobs(url, [big])[big], 180)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
    assert done, "the job was not recovered"
    status, attempts, worker = done
    assert (status, attempts) == ("ready", 2) and worker != dead_worker


def test_two_workers_on_one_queue_run_each_job_once(database):
    url, small = database["url"], database["small"]
    workers = [_worker(database["env"]) for _ in range(2)]
    try:
        finished = _wait(lambda: all(s == "ready" for s, _a, _w in _jobs(url, small).values()) and _jobs(url, small), 120)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=30)
    assert finished, _jobs(url, small)
    assert {attempts for _s, attempts, _w in finished.values()} == {1}  # each claimed exactly once
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status")
        tasks = dict(cursor.fetchall())
    assert tasks.get("FAILED", 0) == 0
