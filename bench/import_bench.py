"""Import one national quarter (every committee unit × 30 indicators ≈ 100,000 values) from
xlsx on PostgreSQL, end to end (reading, checking, writing, history), with PARC's importer and,
on the same file, with a plain django-import-export ModelResource written as that library's
users write one. Each run happens in a fresh process so its peak memory is its own.

    python bench/import_bench.py            # prepare, run both, print a Markdown table
    python bench/import_bench.py --plain-rows 5000   # cap the plain run (then it extrapolates)
"""

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROOT, machine, setup_django  # noqa: E402

FILE = ROOT / "bench" / "data" / "national-2026-Q2.xlsx"
PERIOD = ("2026", "Q2")
EXTRA_INDICATORS = 14  # the catalogue's 16 + 14 = 30


def prepare():
    """Register, demo province, 30 indicators, 2026 quarters, a staff user, and the xlsx."""
    from django.contrib.auth import get_user_model
    from openpyxl import Workbook

    from indicators.models import Indicator
    from indicators.services import periods_open_year
    from units import demo as units_demo
    from units.models import AdministrativeUnit, Kind, Level

    units_demo.load()
    for i in range(1, EXTRA_INDICATORS + 1):
        Indicator.objects.get_or_create(
            code=f"BENCH_{i:02d}",
            defaults={
                "name_vi": f"Chỉ số thử nghiệm {i}", "field": "digital", "kind": "ratio",
                "numerator_label": "Tử số", "denominator_label": "Mẫu số", "display_order": 900 + i,
            },
        )  # fmt: skip
    periods_open_year(year=2026)
    User = get_user_model()
    if not User.objects.filter(username="bench").exists():
        User.objects.create_superuser("bench", password="bench-password-1")
    if FILE.exists():
        return
    FILE.parent.mkdir(parents=True, exist_ok=True)
    indicators = list(Indicator.objects.filter(active=True))
    import datetime

    day = datetime.date(2026, 5, 1)
    units = AdministrativeUnit.objects.filter(kind=Kind.COMMITTEE).exclude(level=Level.NATION).valid_on(day)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("2026-Q2")
    ws.append(["unit_code", "period", "indicator_code", "numerator", "denominator", "value", "comment"])
    rows = 0
    for n, unit in enumerate(units.order_by("path")):
        for indicator in indicators:
            if not indicator.applies_to(unit.level):
                continue
            if indicator.kind == "ratio":
                d = 100 + (n * 7 + rows) % 900
                ws.append([unit.code, "2026-Q2", indicator.code, d - (rows % 37), d, None, None])
            else:
                ws.append([unit.code, "2026-Q2", indicator.code, None, None, 50 + (rows % 50), None])
            rows += 1
    wb.save(FILE)
    print(f"wrote {FILE} with {rows} rows", file=sys.stderr)


def reset_period(period=None, vacuum=True):
    """Remove the quarter's reports, values and their history (plain DELETEs: this is set-up)."""
    from django.db import connection

    from indicators.models import Report, ReportingPeriod, ReportValue

    period = period or ReportingPeriod.objects.get(year=2026, kind="Q2")
    reports = f"SELECT id FROM {Report._meta.db_table} WHERE period_id = %s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {ReportValue.history.model._meta.db_table} WHERE report_id IN ({reports})", [period.pk]
        )
        cursor.execute(f"DELETE FROM {Report.history.model._meta.db_table} WHERE period_id = %s", [period.pk])
        cursor.execute(f"DELETE FROM {ReportValue._meta.db_table} WHERE report_id IN ({reports})", [period.pk])
        cursor.execute(f"DELETE FROM {Report._meta.db_table} WHERE period_id = %s", [period.pk])
        if vacuum:
            cursor.execute("VACUUM ANALYZE")


def run_ours():
    from django.contrib.auth import get_user_model

    from indicators import imports
    from parc.lib.spreadsheets import open_sheet

    user = get_user_model().objects.get(username="bench")
    start = time.perf_counter()
    with FILE.open("rb") as fh:
        sheet = open_sheet(fh, FILE.name, max_rows=500_000)
    read = time.perf_counter()
    plan = imports.plan_import(sheet=sheet, user=user)
    checked = time.perf_counter()
    assert not plan.errors, plan.errors[:5]
    written = imports.write_import(plan=plan, user=user, filename=FILE.name)
    end = time.perf_counter()
    return {
        "rows": len(sheet.rows),
        "written": written,
        "seconds": round(end - start, 2),
        "read_s": round(read - start, 2),
        "check_s": round(checked - read, 2),
        "write_s": round(end - checked, 2),
    }


def run_plain(limit):
    """The same file through a plain ModelResource, default settings."""
    import tablib
    from import_export import fields, resources, widgets

    from indicators.models import Indicator, Report, ReportingPeriod, ReportValue
    from units.models import AdministrativeUnit

    period = ReportingPeriod.objects.get(year=2026, kind="Q2")

    class PlainReportValueResource(resources.ModelResource):
        indicator = fields.Field(
            attribute="indicator", column_name="indicator_code", widget=widgets.ForeignKeyWidget(Indicator, "code")
        )
        report = fields.Field(attribute="report", column_name="report", widget=widgets.ForeignKeyWidget(Report))

        class Meta:
            model = ReportValue
            fields = ("report", "indicator", "numerator", "denominator", "value", "comment")
            import_id_fields = ("report", "indicator")

        def before_import(self, dataset, **kwargs):
            dataset.append_col([""] * len(dataset), header="report")

        def before_import_row(self, row, **kwargs):
            unit = AdministrativeUnit.objects.filter(code=row["unit_code"], valid_to__isnull=True).first()
            report, _ = Report.objects.get_or_create(unit=unit, period=period)
            row["report"] = report.pk

    start = time.perf_counter()
    with FILE.open("rb") as fh:
        dataset = tablib.Dataset().load(fh, format="xlsx")
    total = len(dataset)
    if limit and limit < total:
        dataset = tablib.Dataset(*dataset[:limit], headers=dataset.headers)
    loaded = time.perf_counter()
    result = PlainReportValueResource().import_data(dataset, dry_run=False)
    end = time.perf_counter()
    assert not result.has_errors(), [e.error for e in result.base_errors][:3]
    import_s = end - loaded
    return {
        "rows": len(dataset),
        "total_rows": total,
        "written": result.totals["new"] + result.totals["update"],
        "read_s": round(loaded - start, 2),
        "import_s": round(import_s, 2),
        "seconds": round(end - start, 2),
        # The whole file: reading it, and importing every row at the measured rate.
        "full_s": round((loaded - start) + import_s / len(dataset) * total, 1),
    }


def in_subprocess(kind, limit=0, tree=None):
    """Run one import in a fresh process; `tree`: another checkout of PARC (the baseline)."""
    script = Path(tree) / "bench" / "import_bench.py" if tree else Path(__file__)
    out = subprocess.run(
        [sys.executable, str(script), "--child", kind, "--plain-rows", str(limit)],
        capture_output=True,
        text=True,
        check=True,
        cwd=str(script.parent.parent),
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# The last commit before every write of figures went through one service (the import writer
# included): issue "Integrity at every edge" asks that the national-quarter import stay within
# 10 % of it. Both are run here, alternately, on the same database and file.
BASELINE = "c30dcc6"


def baseline_comparison(ref, rounds=3):
    """Median seconds of PARC's import at `ref` and now, alternating runs in one session."""
    import statistics
    import tempfile

    tree = Path(tempfile.mkdtemp(prefix="parc-baseline-")) / "tree"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), ref], check=True, capture_output=True)
    (tree / "bench" / "data").symlink_to(FILE.parent)  # the same file (not in git)
    try:
        runs = {"before": [], "now": []}
        for _ in range(rounds):
            runs["before"].append(in_subprocess("ours", tree=tree))
            runs["now"].append(in_subprocess("ours"))
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
    median = {k: statistics.median(r["seconds"] for r in v) for k, v in runs.items()}
    parts = {
        k: {part: statistics.median(r[part] for r in v) for part in ("read_s", "check_s", "write_s")}
        for k, v in runs.items()
    }
    return runs, median, parts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", choices=["ours", "plain"])
    parser.add_argument("--baseline", default=BASELINE, help="git ref to compare PARC's import with ('' to skip)")
    parser.add_argument(
        "--plain-rows", type=int, default=10_000,
        help="rows imported with the plain resource (0: all; it takes minutes, so the default extrapolates)",
    )  # fmt: skip
    args = parser.parse_args()
    setup_django()
    if args.child:
        reset_period()
        result = run_ours() if args.child == "ours" else run_plain(args.plain_rows)
        result["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        print(json.dumps(result))
        return
    prepare()
    ours = in_subprocess("ours")
    plain = in_subprocess("plain", args.plain_rows)
    measured = (
        "all rows"
        if plain["rows"] == plain["total_rows"]
        else f"first {plain['rows']:,} rows imported, the rest extrapolated at the same rate"
    )
    print(f"\n### Import of one national quarter — {time.strftime('%Y-%m-%d %H:%M %Z')}\n")
    print(f"Machine: {machine()}\n")
    print("| importer | rows | seconds | peak memory |")
    print("|---|---:|---:|---:|")
    print(
        f"| PARC (`indicators.imports`, xlsx via python-calamine) | {ours['rows']:,} | **{ours['seconds']}** (read {ours['read_s']}, check {ours['check_s']}, write with history {ours['write_s']}) | {ours['peak_mb']} MB |"
    )
    print(
        f"| plain django-import-export `ModelResource`, default settings | {plain['total_rows']:,} | **{plain['full_s']:,}** (read {plain['read_s']}; {measured}: {plain['import_s']} s for {plain['rows']:,}) | {plain['peak_mb']} MB |"
    )
    print(f"\nPARC is **{plain['full_s'] / ours['seconds']:,.0f}×** faster on the whole file in this run.")
    if args.baseline:
        runs, median, parts = baseline_comparison(args.baseline)
        print(f"\nPARC's import now and at `{args.baseline}` (before the one writer of figures), alternating runs:\n")
        print("| code | runs (s) | median (s) | median read (s) | median check (s) | median write (s) |")
        print("|---|---|---:|---:|---:|---:|")
        for key, label in (("before", f"`{args.baseline}`"), ("now", "now")):
            seconds = ", ".join(str(r["seconds"]) for r in runs[key])
            p = parts[key]
            print(f"| {label} | {seconds} | {median[key]} | {p['read_s']} | {p['check_s']} | {p['write_s']} |")
        ratio = {part: parts["now"][part] / parts["before"][part] for part in ("read_s", "check_s", "write_s")}
        print(
            f"\nNow / before: **{median['now'] / median['before']:.2f}×** in all; the write (what the one writer "
            f"changed) **{ratio['write_s']:.2f}×**, the check {ratio['check_s']:.2f}×, the read "
            f"{ratio['read_s']:.2f}× (a capped child process and a pre-scan since the upload hardening)."
        )


if __name__ == "__main__":
    main()
