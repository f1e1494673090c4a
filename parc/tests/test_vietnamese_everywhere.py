"""Vietnamese everywhere: the catalogues are complete and compiled, and no page — the portal's,
or the admin's with its import-export and history screens — shows a message of ours, of the
packages or of Django in English when Vietnamese is chosen.

The catalogues: locale/vi (the portal's strings, `make messages`) and parc/locale/vi (by hand:
the Vietnamese of django-import-export, django-simple-history, django-axes and django-tasks,
which ship none, and what Django's own Vietnamese lacks). Each English msgid of them and of
Django's is looked for in every page's text; one found is a string someone forgot to translate
(or to compile), or a package upgrade brought."""

import gettext
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import django
import pytest
from django.conf import settings
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, reverse

from indicators import jobs, services
from indicators.models import ImportJob, Indicator, Report
from indicators.testing import seen
from parc.tests.urlwalk import portal_urls

pytestmark = pytest.mark.django_db

CATALOGUES = [
    settings.BASE_DIR / "locale/vi/LC_MESSAGES/django.po",  # ours (make messages)
    settings.BASE_DIR / "parc/locale/vi/LC_MESSAGES/django.po",  # the packages' (by hand)
]
# Django's English catalogues, for their msgids: the Vietnamese of most is Django's own.
DJANGO = Path(django.__file__).parent
DJANGO_CATALOGUES = [
    DJANGO / "conf/locale/{}/LC_MESSAGES/django.po",
    *(
        DJANGO / f"contrib/{app}/locale/{{}}/LC_MESSAGES/django.po"
        for app in ("admin", "auth", "contenttypes", "sessions")
    ),
]
MSGFMT = shutil.which("msgfmt")
needs_msgfmt = pytest.mark.skipif(MSGFMT is None, reason="GNU gettext's msgfmt is not installed")


# ---------------------------------------------------------------------------------------------
# The catalogues


@needs_msgfmt
@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_the_catalogue_has_nothing_untranslated_or_fuzzy(po):
    done = subprocess.run(
        [MSGFMT, "--check", "--statistics", "-o", "/dev/null", str(po)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr  # --check: placeholders kept, no duplicate msgid
    statistics = done.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ translated messages?\.", statistics), statistics


@needs_msgfmt
@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_the_committed_mo_is_compiled_from_the_po(po, tmp_path):
    # The portal reads the .mo: a translation added to the .po and not compiled is not shown.
    subprocess.run([MSGFMT, "-o", str(tmp_path / "fresh.mo"), str(po)], check=True)
    assert po.with_suffix(".mo").exists(), "run: manage.py compilemessages -l vi --ignore=.venv"
    assert _catalog(po.with_suffix(".mo")) == _catalog(tmp_path / "fresh.mo"), (
        f"{po.with_suffix('.mo')} is older than its .po: run manage.py compilemessages -l vi --ignore=.venv"
    )


def _catalog(mo):
    with open(mo, "rb") as f:
        catalog = dict(gettext.GNUTranslations(f)._catalog)
    catalog.pop("", None)  # the header (creation dates)
    return catalog


# ---------------------------------------------------------------------------------------------
# What a page must not show: the catalogues' English


def _po_entries(path):
    """[(msgids, msgstrs)] of a .po file: msgid and msgid_plural, the msgstr(s); obsolete ones left out."""
    entries, current, key = [], None, None
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("#") or not line:
            continue
        match = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$', line)
        if match:
            key, text = match.groups()
            if key in ("msgctxt", "msgid") and (current is None or "msgstr" in " ".join(current)):
                current = {}
                entries.append(current)
            current[key] = current.get(key, "") + text
        elif line.startswith('"') and current is not None:
            current[key] += line[1:-1]
    unescape = {r"\"": '"', r"\\": "\\", r"\n": "\n", r"\t": "\t"}
    result = []
    for entry in entries:
        entry = {k: re.sub(r"\\[\"\\nt]", lambda m: unescape[m.group()], v) for k, v in entry.items()}
        ids = [entry[k] for k in ("msgid", "msgid_plural") if entry.get(k)]
        strs = [v for k, v in entry.items() if k.startswith("msgstr")]
        if ids:
            result.append((ids, strs))
    return result


# Placeholders and markup split a msgid into the pieces a page shows word for word.
PIECES = re.compile(r"%\(\w+\)[sdifr]|%[sdifr]|%%|\{\w*\}|<[^>]*>|\n")
WORDS = re.compile(r"[A-Za-z]{2,}")


def english_needles():
    """{fragment: msgid} for each msgid's pieces of two words or more, leaving out a piece that
    Vietnamese keeps as it is (it is in a translation: "CSV UTF-8", "PAR index")."""
    entries = [entry for po in CATALOGUES for entry in _po_entries(po)]
    english = entries + [entry for po in DJANGO_CATALOGUES for entry in _po_entries(str(po).format("en"))]
    vietnamese = entries + [entry for po in DJANGO_CATALOGUES for entry in _po_entries(str(po).format("vi"))]
    translations = " ".join(" ".join(strs) for _ids, strs in vietnamese)
    needles = {}
    for ids, _strs in english:
        for msgid in ids:
            for piece in PIECES.split(msgid):
                piece = " ".join(piece.split()).strip(" :·,;")
                if len(WORDS.findall(piece)) >= 2 and piece not in translations:
                    needles.setdefault(piece, msgid)
    return needles


class _PageText(HTMLParser):
    """What a person reads or hears: text outside scripts and styles, the attributes shown or
    read aloud, the buttons' values, and the strings of json_script data (chart labels)."""

    SHOWN = {"title", "placeholder", "aria-label", "alt", "aria-description"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skip, self.json = [], None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if value and (name in self.SHOWN or name.startswith("data-")):
                self.parts.append(value)
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset") and attrs.get("value"):
            self.parts.append(attrs["value"])
        if tag in ("script", "style"):
            self.skip, self.json = tag, attrs.get("type") == "application/json"

    def handle_endtag(self, tag):
        if tag == self.skip:
            self.skip = None

    def handle_data(self, data):
        if self.skip is None:
            self.parts.append(data)
        elif self.json and data.strip():
            self.parts.extend(_strings(json.loads(data)))


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def page_text(content):
    parser = _PageText()
    parser.feed(content)
    return " ".join(" ".join(parser.parts).split())


def english_on(text, needles):
    found = []
    for needle, msgid in needles.items():
        at = text.find(needle)
        while at != -1:
            before, after = text[at - 1 : at], text[at + len(needle) : at + len(needle) + 1]
            if not (before.isalnum() or after.isalnum()):  # a whole phrase, not inside a longer word
                found.append((needle, msgid, text[max(0, at - 40) : at + len(needle) + 40]))
                break
            at = text.find(needle, at + 1)
    return found


def test_the_needles_find_english_and_leave_vietnamese_alone():
    needles = english_needles()
    assert "Choose a date from the list below to revert to a previous version of this object." in needles
    assert "This importer will import the following fields" in needles  # the piece before the list
    assert english_on(page_text("<p>Chọn một thời điểm trong danh sách dưới đây</p>"), needles) == []
    found = english_on(page_text('<p>Mở <button title="Confirm import">x</button></p>'), needles)
    assert [n for n, _m, _c in found] == ["Confirm import"]


# ---------------------------------------------------------------------------------------------
# Every page, in Vietnamese


def _visit(client, url, needles, problems, who):
    r = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
    assert r.status_code < 500, (who, url, r.status_code)
    if r.status_code in (301, 302) or r.streaming or not r.get("Content-Type", "").startswith("text/html"):
        return False
    for needle, msgid, context in english_on(page_text(r.content.decode()), needles):
        problems.append(f"{who} {url}: {needle!r} (msgid {msgid!r}) in …{context}…")
    return True


def _vietnamese_client(user):
    client = Client(raise_request_exception=False)  # a refusal is a page (403) to read too
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    client.force_login(user)
    return client


def _admin_urls():
    """The admin's index, each app's page, and for each registered model its list, add and
    export pages, import page, and for its first row the change, delete and history pages and
    one old version (django-simple-history's revert screen)."""
    yield reverse("admin:index")
    app_labels = sorted({model._meta.app_label for model in admin.site._registry})
    for label in app_labels:
        yield reverse("admin:app_list", args=[label])
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        for page in ("changelist", "add", "import", "export"):
            try:
                yield reverse(f"{info}_{page}")
            except NoReverseMatch:
                pass
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            continue
        for page in ("change", "delete", "history"):
            yield reverse(f"{info}_{page}", args=[obj.pk])
        if hasattr(obj, "history"):
            for record in obj.history.all()[:2]:
                yield reverse(f"{info}_simple_history", args=[obj.pk, record.history_id])


@pytest.fixture
def a_quarter_with_history(district_a_things, reviewer, staff):
    """The report approved by the reviewer (its history says submitted → approved), and an
    import the administrator started in the admin, checked and waiting to be confirmed."""
    report = Report.objects.get()
    services.report_approve(report=report, user=reviewer, seen_version=seen(report))
    client = _vietnamese_client(staff)
    url = reverse("admin:indicators_indicator_import")
    page = client.get(url).content.decode()
    csv = re.search(r'<option value="(\d+)">csv</option>', page).group(1)
    upload = (
        "code,name_vi,field,kind,direction,time_aggregation\nTTHC_ONTIME,Tỷ lệ đúng hạn,procedures,ratio,higher,sum\n"
    )
    client.post(url, {"format": csv, "import_file": SimpleUploadedFile("chi-so.csv", upload.encode()), "resource": "0"})
    jobs.work(once=True)
    return {**district_a_things, "admin_job": ImportJob.objects.latest("pk").pk}


def test_every_page_shows_no_english_message_in_vietnamese(a_quarter_with_history, staff, editor, reviewer):
    needles = english_needles()
    assert len(needles) > 1000
    problems, seen_pages = [], 0
    things = a_quarter_with_history
    portal = [url for _name, _route, url in portal_urls(things)]
    portal.append(reverse("indicators:import-job", args=[things["admin_job"]]))
    for who, user in (("editor", editor), ("reviewer", reviewer), ("administrator", staff)):
        client = _vietnamese_client(user)
        for url in portal + (list(_admin_urls()) if user.is_superuser else []):
            seen_pages += _visit(client, url, needles, problems, who)
    assert seen_pages > 100
    assert not problems, "English on Vietnamese pages:\n" + "\n".join(problems[:60])


def test_a_report_history_in_the_admin_says_statuses_in_words(a_quarter_with_history, staff):
    report = Report.objects.get()
    client = _vietnamese_client(staff)
    text = page_text(client.get(reverse("admin:indicators_report_history", args=[report.pk])).content.decode())
    assert "Đã gửi → Đã phê duyệt" in text, text
    assert "submitted" not in text and "approved" not in text


def test_the_admin_import_and_history_screens_speak_vietnamese(a_quarter_with_history, staff):
    client = _vietnamese_client(staff)
    text = page_text(client.get(reverse("admin:indicators_indicator_import")).content.decode())
    assert "Các trường sau sẽ được nhập" in text
    report = Report.objects.get()
    text = page_text(client.get(reverse("admin:indicators_report_history", args=[report.pk])).content.decode())
    assert "Lịch sử thay đổi" in text and "Người thay đổi" in text and "Lý do thay đổi" in text
    unit = a_quarter_with_history["pk"]
    text = page_text(client.get(reverse("admin:units_administrativeunit_history", args=[unit])).content.decode())
    assert "Chọn một thời điểm trong danh sách dưới đây" in text
    assert "Hiệu lực từ" in text and "valid_from" not in text  # the column's heading


def test_the_messages_after_saving_a_task_and_a_target_are_in_vietnamese(district_a_things, tree, reviewer):
    # Marked with `_lazy(...)`, which xgettext did not read until parc's makemessages was told to.
    needles = english_needles()
    client = _vietnamese_client(reviewer)
    plan = district_a_things["plan"]
    r = client.post(
        reverse("plans:task-create", args=[plan]),
        {"title": "Số hóa hồ sơ", "deadline": "30/06/2026", "status": "in_progress"},
        follow=True,
    )
    text = page_text(r.content.decode())
    assert "Đã lưu nhiệm vụ." in text and not english_on(text, needles)
    online = Indicator.objects.get(code="TTHC_ONLINE")
    r = client.post(
        reverse("plans:target-create", args=[plan]),
        {"indicator": online.pk, "comparator": "gte", "value": "60", "unit": tree["commune_a1"].pk},
        follow=True,
    )
    text = page_text(r.content.decode())
    assert "Đã lưu chỉ tiêu." in text and not english_on(text, needles)
