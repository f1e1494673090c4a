"""A corpus of hostile files, made here, each through /nhap-excel/ (upload page, then the worker)
and through the admin's import: zero process deaths, zero 500s, zero half-saved figures, and a
message in Vietnamese for each.

The web request only checks a file's name, size and first bytes; the worker's child process
(parc/lib/sheetguard.py) pre-scans and reads it under a memory cap. A file that would have made
the old reader allocate tens of gigabytes (a cell at XFD150000, two billion shared strings) is
refused by the pre-scan in milliseconds.
"""

import datetime
import io
import struct
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from indicators import jobs
from indicators.models import ImportJob, ReportValue
from indicators.testing import make_period
from parc.lib.sheetguard import column_letters

pytestmark = pytest.mark.django_db

HEADER = ["unit_code", "period", "indicator_code", "numerator", "denominator", "value", "comment"]
GOOD_ROW = ["99101", "2026-Q2", "TTHC_ONTIME", "9", "10", "", ""]


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


@pytest.fixture
def period():
    return make_period(2026, "Q2", closes=datetime.date(2099, 12, 31))


# ---------------------------------------------------------------------------------------------
# A minimal xlsx written by hand, so that each part can be made hostile on its own.

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="2026-Q2" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)


def _row_xml(number, values):
    cells = "".join(
        f'<c r="{column_letters(i + 1)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
        for i, v in enumerate(values)
        if v != ""
    )
    return f'<row r="{number}">{cells}</row>'


def sheet_xml(rows, *, dimension=None, extra_cells="", doctype=""):
    body = "".join(_row_xml(n, values) for n, values in enumerate(rows, start=1))
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dim}<sheetData>{body}{extra_cells}</sheetData></worksheet>"
    )


def shared_strings_xml(count=1, unique=1, doctype="", body="<si><t>x</t></si>"):
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{count}" uniqueCount="{unique}">{body}</sst>'
    )


def xlsx(sheet=None, strings=None):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet or sheet_xml([HEADER, GOOD_ROW]))
        archive.writestr("xl/sharedStrings.xml", strings or shared_strings_xml())
    return buffer.getvalue()


def with_merges(*refs):
    merges = "".join(f'<mergeCell ref="{ref}"/>' for ref in refs)
    return sheet_xml([HEADER, GOOD_ROW]).replace("</sheetData>", f"</sheetData><mergeCells>{merges}</mergeCells>")


def xlsx_with_part(name, content):
    """A sound xlsx plus one more part (python-calamine follows relationships to any name)."""
    buffer = io.BytesIO(xlsx())
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


def lying_sizes():
    """A zip whose directory says the sheet unpacks to 100 bytes; it unpacks to 5 MB."""
    big = sheet_xml([HEADER, *[GOOD_ROW] * 40_000])
    data = bytearray(xlsx(sheet=big))
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (at := data.find(signature, start)) != -1:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                struct.pack_into("<I", data, at + size_offset, 100)
            start = at + 4
    return bytes(data)


def zip_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (60 * 1024 * 1024))
    return buffer.getvalue()


def million_rows():
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>1</v></c></row>' for n in range(2, 1_000_002))
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{_row_xml(1, HEADER)}{rows}</sheetData></worksheet>"
    )
    return xlsx(sheet=sheet)


XXE = '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096


def _csv(lines, encoding="utf-8"):
    return "\n".join(";".join(line) for line in lines).encode(encoding)


# (name, file name, content, a phrase of the Vietnamese message, or None when the file is fine)
CORPUS = [
    ("far cell", "a.xlsx", lambda: xlsx(sheet=sheet_xml([HEADER, GOOD_ROW], dimension="A1:XFD150000")), "ngoài cột"),
    (
        "far cell, no dimension",
        "a.xlsx",
        lambda: xlsx(sheet=sheet_xml([HEADER], extra_cells='<row r="150000"><c r="XFD150000"><v>1</v></c></row>')),
        "ngoài cột",
    ),
    (
        "far cell, spaced attribute",
        "a.xlsx",
        lambda: xlsx(sheet=sheet_xml([HEADER], extra_cells="<row r = '2'><c r = 'XFD2'><v>1</v></c></row>")),
        "ngoài cột",
    ),
    (
        "10,001 merged ranges",
        "a.xlsx",
        lambda: xlsx(sheet=with_merges(*[f"A{i}:C{i + 1}" for i in range(2, 20_004, 2)])),
        "vùng ô gộp",
    ),
    ("a merge to the last row", "a.xlsx", lambda: xlsx(sheet=with_merges("A2:C1048576")), "nhiều hơn 200.000 dòng"),
    (
        "far cell in lower case",
        "a.xlsx",
        lambda: xlsx(sheet=sheet_xml([HEADER], extra_cells='<row r="2"><c r="xfd2"><v>1</v></c></row>')),
        "ngoài cột",
    ),
    (
        "a row of unnamed cells",
        "a.xlsx",
        lambda: xlsx(sheet=sheet_xml([HEADER], extra_cells="<row>" + "<c><v>1</v></c>" * 60 + "</row>")),
        "ngoài cột",
    ),
    (
        "shared strings under another name",
        "a.xlsx",
        lambda: xlsx_with_part("xl/Strings.xml", shared_strings_xml(2147483647, 2147483647)),
        "đoạn văn bản",
    ),
    (
        "far row",
        "a.xlsx",
        lambda: xlsx(sheet=sheet_xml([HEADER], extra_cells='<row r="1048576"><c r="A1048576"><v>1</v></c></row>')),
        "nhiều hơn 200.000 dòng",
    ),
    (
        "shared strings count",
        "a.xlsx",
        lambda: xlsx(strings=shared_strings_xml(2147483647, 2147483647)),
        "đoạn văn bản",
    ),
    ("lying zip sizes", "a.xlsx", lying_sizes, "bị hỏng"),
    ("zip bomb", "a.xlsx", zip_bomb, "giải nén ra lớn hơn rất nhiều"),
    ("1M rows", "a.xlsx", million_rows, "nhiều hơn 200.000 dòng"),
    ("XXE", "a.xlsx", lambda: xlsx(sheet=sheet_xml([HEADER, GOOD_ROW], doctype=XXE)), "DOCTYPE"),
    (
        "billion laughs",
        "a.xlsx",
        lambda: xlsx(strings=shared_strings_xml(doctype=LAUGHS, body="<si><t>&lol3;</t></si>")),
        "DOCTYPE",
    ),
    ("encrypted", "a.xlsx", lambda: OLE, "có mật khẩu"),
    (".xls renamed", "bao-cao.xlsx", lambda: OLE, "tệp Excel cũ (.xls)"),
    ("truncated", "a.xlsx", lambda: xlsx()[:600], "Không đọc được tệp .xlsx này"),
    (
        "NUL in a comment",
        "a.csv",
        lambda: _csv([HEADER, ["99101", "2026-Q2", "TTHC_ONTIME", "9", "10", "", "a\x00b"]]),
        "ký tự điều khiển",
    ),
    (
        "NUL in a figure",
        "a.csv",
        lambda: _csv([HEADER, ["99101", "2026-Q2", "TTHC_ONTIME", "9\x00", "10", "", ""]]),
        "không phải là số",
    ),
    ("200 KB field", "a.csv", lambda: _csv([HEADER, [*GOOD_ROW[:6], "x" * 200_000]]), "dài hơn 32.767 ký tự"),
    # "Đã kiểm tra" in Windows-1258, the Vietnamese code page: not valid UTF-8.
    ("cp1258", "a.csv", lambda: _csv([HEADER, GOOD_ROW]) + b"\xd0\xe3 ki\xea\xf2m tra", "UTF-8"),
    ("UTF-16", "a.csv", lambda: _csv([HEADER, [*GOOD_ROW[:6], "Đã kiểm tra"]], "utf-16"), None),
    ("empty", "a.csv", lambda: b"", "Tập tin được gửi là rỗng"),  # refused by the upload form itself
    ("empty xlsx", "a.xlsx", lambda: xlsx(sheet=sheet_xml([])), "Tệp trống"),
    (".xlsx named .csv", "a.csv", lambda: xlsx(), "đổi tên thành .csv"),
]
IDS = [case[0] for case in CORPUS]


@pytest.mark.parametrize("name, filename, make, message", CORPUS, ids=IDS)
def test_a_hostile_file_through_the_import_page_ends_with_a_message(
    client, tree, editor, period, name, filename, make, message
):
    client.force_login(editor)
    r = client.post(reverse("indicators:import"), {"file": SimpleUploadedFile(filename, make())})
    assert r.status_code in (200, 302)  # never a 500
    if r.status_code == 200:  # refused by the upload form: no job
        assert message in r.content.decode() and not ImportJob.objects.exists()
        return
    job = ImportJob.objects.get()
    if job.status != ImportJob.Status.FAILED:  # refused at the door, or queued for the worker
        assert jobs.work(once=True) == 1
        job.refresh_from_db()
    page = client.get(reverse("indicators:import-job", args=[job.pk]))
    assert page.status_code == 200
    if message is None:
        assert job.status == ImportJob.Status.READY and job.counts["new"] == 1 and not job.errors
    else:
        assert job.status in (ImportJob.Status.FAILED, ImportJob.Status.READY)
        text = job.message + " ".join(e["message"] for e in job.errors)
        assert message in text, text
        assert not job.can_confirm
        assert message.split("%")[0][:20] in page.content.decode().replace("&quot;", '"').replace("&#x27;", "'") or (
            job.errors and job.errors[0]["message"][:20] in page.content.decode()
        )
    assert not ReportValue.objects.exists()  # nothing half-saved


def test_the_worker_goes_on_after_every_hostile_file(tree, editor, period):
    for _name, filename, make, _message in CORPUS:
        jobs.job_create(user=editor, upload=SimpleUploadedFile(filename, make()))
    good = jobs.job_create(user=editor, upload=SimpleUploadedFile("good.csv", _csv([HEADER, GOOD_ROW])))
    jobs.work(once=True)
    assert not ImportJob.objects.exclude(status__in=[ImportJob.Status.FAILED, ImportJob.Status.READY]).exists()
    good.refresh_from_db()
    assert good.status == ImportJob.Status.READY and good.counts["new"] == 1


ADMIN_CASES = [case for case in CORPUS if case[3] is not None]


@pytest.mark.parametrize("name, filename, make, message", ADMIN_CASES, ids=[c[0] for c in ADMIN_CASES])
def test_a_hostile_file_through_the_admin_import_is_refused_in_words(
    tree, staff, period, name, filename, make, message
):
    client = Client()
    client.force_login(staff)
    url = reverse("admin:indicators_reportvalue_import")
    page = client.get(url).content.decode()
    import re

    kind = "csv" if filename.endswith(".csv") else "xlsx"
    option = re.search(rf'<option value="(\d+)">{kind}</option>', page).group(1)
    r = client.post(url, {"format": option, "import_file": SimpleUploadedFile(filename, make()), "resource": "0"})
    assert r.status_code in (200, 302)  # never a 500
    if r.status_code == 200:  # refused at the door (kind, size, first bytes): the import page again
        text = r.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
        assert not ImportJob.objects.exists()
    else:  # queued like the portal's imports; the worker's guarded reader says why not
        job = ImportJob.objects.get()
        assert jobs.work(once=True) == 1
        job.refresh_from_db()
        assert job.status in (ImportJob.Status.FAILED, ImportJob.Status.READY) and not job.can_confirm
        text = job.message + " ".join(e["message"] for e in job.errors)
    assert "Cannot import" not in text
    assert message in text, text[-3000:]
    assert not ReportValue.objects.exists()


def test_a_file_that_needs_more_memory_than_the_cap_ends_only_the_reader(tree, editor, period, settings):
    settings.IMPORT_CHILD_MEMORY_MB = 64  # far less than 150,000 rows need
    big = xlsx(sheet=sheet_xml([HEADER, *[GOOD_ROW] * 150_000]))
    job = jobs.job_create(user=editor, upload=SimpleUploadedFile("a.xlsx", big))
    jobs.work(once=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "cần nhiều bộ nhớ hơn mức cho phép" in job.message


def test_a_file_that_takes_longer_than_the_limit_ends_only_the_reader(tree, editor, period, settings):
    settings.IMPORT_CHILD_SECONDS = 1
    settings.IMPORT_MAX_ROWS = settings.IMPORT_MAX_CELLS = 5_000_000
    job = jobs.job_create(user=editor, upload=SimpleUploadedFile("a.xlsx", million_rows()))
    jobs.work(once=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "mất nhiều thời gian hơn mức cho phép" in job.message


LONG_NAME = "Báo cáo kết quả cải cách hành chính quý II năm 2026 của huyện Châu Thành " * 5


def test_a_long_file_name_keeps_its_extension_on_an_import(client, tree, editor, period):
    client.force_login(editor)
    r = client.post(
        reverse("indicators:import"), {"file": SimpleUploadedFile(LONG_NAME + ".csv", _csv([HEADER, GOOD_ROW]))}
    )
    assert r.status_code == 302
    job = ImportJob.objects.get()
    assert len(job.filename) <= 200 and job.filename.endswith(".csv") and job.file.name.endswith(".csv")
    jobs.work(once=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY  # read as the csv it is


def test_a_long_file_name_keeps_its_extension_as_evidence(client, tree, editor, period):
    from indicators.models import Evidence, Indicator
    from indicators.testing import entry_form

    ontime = Indicator.objects.get(code="TTHC_ONTIME")
    url = reverse("indicators:report-entry", args=[tree["commune_a1"].pk, period.code])
    client.force_login(editor)
    data = {**entry_form(client, url), "action": "save", f"n_{ontime.pk}": "9", f"d_{ontime.pk}": "10"}
    data[f"e_{ontime.pk}"] = SimpleUploadedFile(LONG_NAME + ".pdf", b"%PDF-1.4 minh chung")
    assert client.post(url, data).status_code == 302
    evidence = Evidence.objects.get()
    assert len(evidence.name) <= 200 and evidence.name.endswith(".pdf") and evidence.file.name.endswith(".pdf")
    assert evidence.history.get().history_user == editor  # who attached it is kept
