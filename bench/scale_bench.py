"""Dashboards at national scale on PostgreSQL.

Builds (once) five years of approved quarterly figures for every committee unit of the 2025
register and of the demo province (≈ 3,390 units × 30 indicators × 20 quarters ≈ 2 million
values, generated in SQL), targets from a national and a provincial plan, then measures:

- server time of the dashboard (median and p95 over 30 requests through Django's test client,
  asking for gzip as browsers do, cache off and on) for the nation, a province (Hà Nội) and a
  commune, with the SQL time of the same requests beside it, and the portal's bare frame
  (bench/urls.py) as the floor every page pays;
- where an uncached page's time goes, part by part (each timed inside the real request), SQL
  and Python apart;
- requests per second of the province dashboard served by gunicorn (2 workers) under wrk for
  15 s, cache off and on, next to a minimal Django view (/healthz) in the same run.

    python bench/scale_bench.py            # prints a Markdown section
"""

import os
import shutil
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import BENCH_DB, ROOT, machine, setup_django  # noqa: E402

YEARS = range(2022, 2027)
REQUESTS = 30


def build():
    """The national database: every quarter of YEARS approved for every committee unit. A quarter
    that is not (the import benchmark empties 2026-Q2 and imports drafts into it, the page this
    benchmark shows) is filled again, so every run measures the same data."""
    from django.db import connection

    from bench.import_bench import prepare, reset_period
    from indicators.models import Indicator, Report, ReportingPeriod, ReportStatus, ReportValue
    from indicators.services import periods_open_year
    from plans.models import Plan
    from plans.testing import make_target
    from units.models import AdministrativeUnit, Kind, Level

    prepare()  # register, demo province, 30 indicators, the bench user
    for year in YEARS:
        periods_open_year(year=year)
    units = AdministrativeUnit.objects.filter(kind=Kind.COMMITTEE).exclude(level=Level.NATION)
    expected = units.count()
    approved = Report.objects.filter(status=ReportStatus.APPROVED)
    stale = [
        period
        for period in ReportingPeriod.objects.filter(year__in=list(YEARS))
        if approved.filter(period=period).count() < expected
    ]
    started = time.perf_counter()
    if stale:
        print(f"filling {len(stale)} quarters (the first time: a few minutes)…", file=sys.stderr)
    reports, values = Report._meta.db_table, ReportValue._meta.db_table
    indicators = Indicator._meta.db_table
    for period in stale:
        reset_period(period, vacuum=False)  # once at the end
        with connection.cursor() as cursor:
            # Every committee reports every quarter, approved. (The 2025 register's units begin on
            # 1 July 2025; the benchmark ignores that so that five years have national volume.)
            cursor.execute(
                f"INSERT INTO {reports} (unit_id, period_id, status, version, updated_at, return_reason, reopen_reason, submitted_at)"
                f" SELECT id, %s, 'approved', 1, now(), '', '', %s FROM {units.model._meta.db_table} WHERE kind = %s AND level <> %s",
                [period.pk, period.due, Kind.COMMITTEE, Level.NATION],
            )
            # Each report's figures: ratios as two counts, percentages and scores as values.
            cursor.execute(
                f"""
                INSERT INTO {values} (report_id, indicator_id, numerator, denominator, value, comment)
                SELECT r.id, i.id,
                       CASE WHEN i.kind = 'ratio' THEN floor(d.den * (0.5 + random() * 0.5)) END,
                       CASE WHEN i.kind = 'ratio' THEN d.den END,
                       CASE WHEN i.kind = 'percent' THEN round((80 + random() * 20)::numeric, 2)
                            WHEN i.kind = 'count' THEN floor(random() * 4)
                            WHEN i.kind = 'score' THEN round((3 + random() * 5)::numeric, 2) END,
                       ''
                FROM {reports} r
                JOIN {units.model._meta.db_table} u ON u.id = r.unit_id
                CROSS JOIN LATERAL (SELECT (100 + floor(random() * 900))::numeric AS den) d
                JOIN {indicators} i ON i.active AND (
                    (u.level = 'province' AND i.for_province) OR (u.level = 'district' AND i.for_district)
                    OR (u.level = 'commune' AND i.for_commune))
                WHERE r.period_id = %s
                """,
                [period.pk],
            )
        print(f"  {period.code}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if stale:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    nation = AdministrativeUnit.objects.get(code="VN")
    hanoi = AdministrativeUnit.objects.get(code="01", valid_to__isnull=True)
    for year in YEARS:
        for unit, level, value in ((nation, Level.PROVINCE, 90), (hanoi, Level.COMMUNE, 95)):
            plan, _ = Plan.objects.get_or_create(
                unit=unit, year=year, defaults={"title": f"KH {year}", "status": "issued", "decision_number": "1/QĐ"}
            )
            for indicator in Indicator.objects.filter(kind="ratio")[:10]:
                if not plan.targets.filter(indicator=indicator, level=level).exists():
                    make_target(plan, indicator, value, level=level)
    if stale:
        print(f"filled in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return ReportValue.objects.filter(report__status=ReportStatus.APPROVED).count()


@contextmanager
def sql_timer():
    """Adds up the time spent in SQL on the default connection."""
    from django.db import connection

    spent = [0.0]

    def wrapper(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[0] += time.perf_counter() - start

    with connection.execute_wrapper(wrapper):
        yield spent


def measure_page(client, url):
    """(median ms, p95 ms, median SQL ms) over REQUESTS requests."""
    totals, sqls = [], []
    for _ in range(REQUESTS):
        with sql_timer() as spent:
            start = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - start
        assert response.status_code == 200, (url, response.status_code)
        totals.append(elapsed * 1000)
        sqls.append(spent[0] * 1000)
    totals.sort()
    p95 = totals[max(0, int(len(totals) * 0.95) - 1)]
    return statistics.median(totals), p95, statistics.median(sqls)


def _client():
    """A signed-in test client that asks for gzip, as every browser does (the pages are then
    compressed, and that is part of the server's time)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    settings.ROOT_URLCONF = "bench.urls"  # the portal's URLs and the bare frame
    client = Client(headers={"accept-encoding": "gzip, deflate, br"})
    client.force_login(get_user_model().objects.get(username="bench"))
    return client


def _pages():
    from units.models import AdministrativeUnit

    return {
        "nation": AdministrativeUnit.objects.get(code="VN"),
        "province (Hà Nội, 126 communes)": AdministrativeUnit.objects.get(code="01", valid_to__isnull=True),
        "commune (Phường Hoàn Kiếm)": AdministrativeUnit.objects.get(code="00070"),
    }


def _url(unit):
    return f"/bang-dieu-khien/{unit.pk}/?nam=2026&ky=Q2"


def dashboards():
    from django.conf import settings
    from django.core.cache import cache

    client = _client()
    rows = []
    for label, unit in _pages().items():
        url = _url(unit)
        settings.DASHBOARD_CACHE_SECONDS = 0
        client.get(url)  # warm the connection and Python's imports
        off = measure_page(client, url)
        settings.DASHBOARD_CACHE_SECONDS = 900
        cache.clear()
        client.get(url)
        on = measure_page(client, url)
        rows.append((label, off, on))
    client.get("/bench/frame/")
    frame = measure_page(client, "/bench/frame/")
    rows.append(("the portal's frame alone (header, menu, footer; no content)", frame, None))
    return rows


# Where an uncached dashboard spends its time: each part timed inside the real request (the
# functions are wrapped where the dashboard calls them), with the SQL it asked for.
PARTS = [
    ("the filter form's calendar and catalogue", "dashboards.selectors", "Reference.read"),
    ("own figures: the span, the one before, each quarter of the trend", "indicators.selectors", "rollup_spans"),
    ("targets (every year shown)", "dashboards.selectors", "targets_by_years"),
    ("the levels below, rolled up", "indicators.selectors", "rollup_by_level"),
    ("the matrix: each unit's figures", "indicators.selectors", "rollup_by_unit"),
    ("the matrix: cells judged and ranked", "dashboards.selectors", "_matrix"),
    ("completeness", "indicators.selectors", "completeness"),
    ("PAR index card", "dashboards.views", "scoring_selectors.index_card"),
    ("the figures' template (cards, tables)", "dashboards.views", "render_to_string"),
    ("the page around them (frame, header, filter form)", "dashboards.views", "render"),
    ("gzip", "django.middleware.gzip", "GZipMiddleware.process_response"),
]


def _wrap(spent, label, module_name, attribute):
    """Replace module.attribute (or module.Class.method, module.alias.function) with a timed
    wrapper; returns a function that puts it back."""
    import importlib

    owner = importlib.import_module(module_name)
    *path, name = attribute.split(".")
    for part in path:
        owner = getattr(owner, part)
    original = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
    function = original.__func__ if isinstance(original, classmethod) else original

    def timed(*args, **kwargs):
        sql_before = spent["sql"][0]
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label][0] += time.perf_counter() - start
            spent[label][1] += spent["sql"][0] - sql_before

    setattr(owner, name, classmethod(timed) if isinstance(original, classmethod) else timed)
    return lambda: setattr(owner, name, original)


def breakdown():
    """{page label: [(part, ms, SQL ms)]}, medians over REQUESTS uncached requests."""
    from django.conf import settings
    from django.db import connection

    settings.DASHBOARD_CACHE_SECONDS = 0
    client = _client()
    result = {}
    for label, unit in _pages().items():
        url = _url(unit)
        client.get(url)
        samples = {part: [] for part, _module, _name in PARTS}
        samples["whole request"] = []
        for _ in range(REQUESTS):
            spent = {part: [0.0, 0.0] for part, _module, _name in PARTS}
            spent["sql"] = [0.0]

            def count_sql(execute, sql, params, many, context, spent=spent):
                start = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    spent["sql"][0] += time.perf_counter() - start

            restores = [_wrap(spent, part, module, name) for part, module, name in PARTS]
            try:
                with connection.execute_wrapper(count_sql):
                    start = time.perf_counter()
                    client.get(url)
                    whole = time.perf_counter() - start
            finally:
                for restore in reversed(restores):
                    restore()
            for part, _module, _name in PARTS:
                samples[part].append(tuple(x * 1000 for x in spent[part]))
            samples["whole request"].append((whole * 1000, spent["sql"][0] * 1000))
        result[label] = [
            (part, statistics.median(s[0] for s in values), statistics.median(s[1] for s in values))
            for part, values in samples.items()
        ]
    return result


def _gunicorn(port, cache_seconds):
    env = {
        **os.environ,
        "DATABASE_URL": BENCH_DB,
        "SECRET_KEY": os.environ["SECRET_KEY"],
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DASHBOARD_CACHE_SECONDS": str(cache_seconds),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        "LOG_LEVEL": "ERROR",
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    process = subprocess.Popen(
        [gunicorn, "parc.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2", "--log-level", "error"], cwd=ROOT, env=env
    )
    import urllib.request

    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def _wrk(url, cookie=None):
    command = ["wrk", "-t2", "-c8", "-d15s", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: sessionid={cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    raise RuntimeError(out)


def throughput():
    if not shutil.which("wrk"):
        return None
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from units.models import AdministrativeUnit

    user = get_user_model().objects.get(username="bench")
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    province = AdministrativeUnit.objects.get(code="01", valid_to__isnull=True)
    results = {}
    for label, seconds in (("cache off", 0), ("cache on", 900)):
        process = _gunicorn(8491, seconds)
        try:
            url = f"http://127.0.0.1:8491/bang-dieu-khien/{province.pk}/?nam=2026&ky=Q2"
            results[f"province dashboard, {label}"] = _wrk(url, session.session_key)
            if seconds == 0:
                results["minimal Django view (/healthz)"] = _wrk("http://127.0.0.1:8491/healthz")
        finally:
            process.terminate()
            process.wait(timeout=20)
    return results


def main():
    setup_django()
    values = build()
    rows = dashboards()
    parts = breakdown()
    rates = throughput()
    print(f"\n### Dashboards at national scale — {time.strftime('%Y-%m-%d %H:%M %Z')}\n")
    print(f"Machine: {machine()}\n")
    print(
        f"Database: {values:,} approved values; page 2026-Q2, all indicators; {REQUESTS} requests each, "
        "asking for gzip as browsers do.\n"
    )
    print("| page | cache off: median / p95 | SQL (median) | page ÷ SQL | cache on: median / p95 |")
    print("|---|---:|---:|---:|---:|")
    for label, off, on in rows:
        ratio = off[0] / off[2] if off[2] else 0
        cached = f"{on[0]:.0f} / {on[1]:.0f} ms" if on else "—"
        print(f"| {label} | {off[0]:.1f} / {off[1]:.1f} ms | {off[2]:.1f} ms | {ratio:.1f}× | {cached} |")
    print("\nWhere an uncached page's time goes (medians of each part over the same number of requests;")
    print("Python = the part's time less its SQL):\n")
    labels = list(parts)
    print("| part | " + " | ".join(f"{label.split(' (')[0]}: ms (SQL)" for label in labels) + " |")
    print("|---|" + "---:|" * len(labels))
    names = [part for part, _ms, _sql in parts[labels[0]]]
    table = {label: {part: (ms, sql) for part, ms, sql in parts[label]} for label in labels}
    for name in names[:-1]:
        cells = [table[label][name] for label in labels]
        print(f"| {name} | " + " | ".join(f"{ms:.1f} ({sql:.1f})" if ms else "—" for ms, sql in cells) + " |")
    rest = []
    for label in labels:
        whole, whole_sql = table[label]["whole request"]
        named = [table[label][n] for n in names[:-1]]
        rest.append((whole - sum(ms for ms, _ in named), whole_sql - sum(sql for _, sql in named)))
    print(
        "| everything else: request, session, sign-in, the unit, breadcrumbs, children, overdue tasks | "
        + " | ".join(f"{ms:.1f} ({sql:.1f})" for ms, sql in rest)
        + " |"
    )
    print(
        "| **whole request**: Python (SQL) | "
        + " | ".join(f"**{w - q:.1f}** ({q:.1f})" for w, q in (table[label]["whole request"] for label in labels))
        + " |"
    )
    if rates:
        print("\n| gunicorn, 2 workers, wrk -t2 -c8 15 s | requests/s |")
        print("|---|---:|")
        for label, rate in rates.items():
            print(f"| {label} | {rate:,.0f} |")
    else:
        print("\n(wrk is not installed: `apt-get install wrk` for the throughput figures.)")


if __name__ == "__main__":
    main()
