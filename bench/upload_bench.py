"""Peak memory of the largest upload the limits allow, end to end, on PostgreSQL.

The worst case the settings admit: IMPORT_MAX_ROWS rows × (IMPORT_MAX_CELLS / IMPORT_MAX_ROWS)
columns of an xlsx (the template's 7 columns and extra columns of numbers), every row naming a
real unit, quarter and indicator (so every row is checked to the end), and the same as csv.
Each goes through the job as the portal runs it — the upload check, the child process that
pre-scans and reads it, the check of every row, the preview saved — in a fresh process, and the
peak resident memory of that process and of its child reader is reported. The issue's goal:
under 500 MB end to end.

    python bench/upload_bench.py
"""

import json
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROOT, machine, setup_django  # noqa: E402
from parc.lib.sheetguard import column_letters  # noqa: E402

DATA = ROOT / "bench" / "data"


def _rows():
    """IMPORT_MAX_ROWS rows of real (unit, quarter, indicator) keys, wide enough to reach
    IMPORT_MAX_CELLS; keys repeat once the units run out (those rows are refused as duplicates,
    which costs the checker as much as accepting them)."""
    from django.conf import settings

    from indicators.models import Indicator
    from units.models import AdministrativeUnit, Kind, Level

    rows, width = settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_CELLS // settings.IMPORT_MAX_ROWS
    units = list(
        AdministrativeUnit.objects.filter(kind=Kind.COMMITTEE, level=Level.COMMUNE, valid_to__isnull=True).values_list(
            "code", flat=True
        )
    )
    codes = list(Indicator.objects.filter(kind="ratio", for_commune=True).values_list("code", flat=True))
    header = ["unit_code", "period", "indicator_code", "numerator", "denominator", "value", "comment"]
    header += [f"extra_{i}" for i in range(width - len(header))]
    yield header
    for n in range(rows):
        unit, indicator = units[n % len(units)], codes[(n // len(units)) % len(codes)]
        yield [unit, "2026-Q2", indicator, n % 90, 100, None, f"ghi chú {n}", *[n % 1000] * (width - 7)]


def make_files():
    DATA.mkdir(parents=True, exist_ok=True)
    xlsx, csv_path = DATA / "worst-case.xlsx", DATA / "worst-case.csv"
    if xlsx.exists() and csv_path.exists():
        return xlsx, csv_path
    rows = list(_rows())
    with csv_path.open("w", encoding="utf-8") as fh:
        fh.write("\n".join(";".join("" if v is None else str(v) for v in row) for row in rows))
    parts = []
    for number, row in enumerate(rows, start=1):
        cells = []
        for i, v in enumerate(row):
            if v is None:
                continue
            ref = f"{column_letters(i + 1)}{number}"
            if isinstance(v, int):
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>')
        parts.append(f'<row r="{number}">{"".join(cells)}</row>')
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:{column_letters(len(rows[0]))}{len(rows)}"/><sheetData>{"".join(parts)}</sheetData></worksheet>'
    )
    from openpyxl import Workbook

    Workbook().save(xlsx)  # a real package to start from; its one sheet is replaced below
    with zipfile.ZipFile(xlsx) as template:
        members = {name: template.read(name) for name in template.namelist()}
    members["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(xlsx, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return xlsx, csv_path


def run_one(path):
    """One job, checked as the worker checks it (the preview is saved; nothing is written)."""
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    from indicators import jobs

    user = get_user_model().objects.get(username="bench")
    start = time.perf_counter()
    job = jobs.job_create(user=user, upload=SimpleUploadedFile(path.name, path.read_bytes()))
    claimed = jobs.claim(job.pk)
    jobs.run_job(claimed)
    seconds = time.perf_counter() - start
    claimed.refresh_from_db()
    return {
        "status": claimed.status,
        "message": claimed.message[:200],
        "rows": claimed.rows_read,
        "errors": claimed.counts.get("errors"),
        "seconds": round(seconds, 1),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "child_peak_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "size_mb": round(path.stat().st_size / 1048576, 1),
    }


def main():
    setup_django()
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        print(json.dumps(run_one(Path(sys.argv[2]))))
        return
    from django.conf import settings

    sys.path.insert(0, str(ROOT / "bench"))
    import import_bench

    import_bench.prepare()  # the national register, indicators, quarters and the bench user
    files = make_files()
    print(f"\n### Largest upload the limits allow — {time.strftime('%Y-%m-%d %H:%M %Z')}\n")
    print(f"Machine: {machine()}\n")
    print(
        f"Limits: {settings.IMPORT_MAX_ROWS:,} rows, {settings.IMPORT_MAX_CELLS:,} cells, "
        f"{settings.IMPORT_MAX_BYTES // 1048576} MB; reader capped at {settings.IMPORT_CHILD_MEMORY_MB} MB.\n"
    )
    print("| file | size | rows read | outcome | seconds | peak of the worker | peak of its reader |")
    print("|---|---:|---:|---|---:|---:|---:|")
    for path in files:
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(path)], capture_output=True, text=True, check=True, cwd=ROOT
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        outcome = r["status"] + (f" ({r['message']})" if r["message"] else f", {r['errors']:,} rows refused")
        print(
            f"| {path.name} | {r['size_mb']} MB | {r['rows']:,} | {outcome} | {r['seconds']} | "
            f"**{r['peak_mb']} MB** | **{r['child_peak_mb']} MB** |"
        )


if __name__ == "__main__":
    main()
