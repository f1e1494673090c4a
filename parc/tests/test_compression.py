"""Pages travel gzipped to browsers that accept it (offices on slow lines, phones)."""

import gzip

import pytest
from django.urls import reverse

from indicators.testing import make_period, make_report

pytestmark = pytest.mark.django_db


def test_a_dashboard_is_gzipped_for_a_browser_that_accepts_it(client, tree, leader):
    q2 = make_period(2026, "Q2")
    make_report(tree["commune_a1"], q2, "approved", TTHC_ONTIME=(9, 10))
    client.force_login(leader)
    url = reverse("dashboards:unit", args=[tree["district_a"].pk])
    plain = client.get(url, {"nam": 2026, "ky": "Q2"})
    zipped = client.get(url, {"nam": 2026, "ky": "Q2"}, headers={"accept-encoding": "gzip, deflate, br"})
    assert zipped.status_code == 200
    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]  # a shared cache keeps both versions apart
    page = gzip.decompress(zipped.content).decode()
    assert "90,00 %" in page and "Thị trấn Tân Hiệp" in page
    assert len(zipped.content) * 3 < len(plain.content)
    # A browser that does not ask for it gets the page as it is.
    assert not plain.has_header("Content-Encoding")
    assert "90,00 %" in plain.content.decode()


def test_the_same_page_compresses_differently_each_time_against_breach(client, tree, leader):
    # Django pads each compressed response with random bytes, so that a secret on the page (the
    # CSRF token) cannot be guessed from the compressed length.
    client.force_login(leader)
    url = reverse("dashboards:unit", args=[tree["district_a"].pk])
    lengths = {len(client.get(url, headers={"accept-encoding": "gzip"}).content) for _ in range(8)}
    assert len(lengths) > 1


def test_downloads_are_sent_as_they_are_with_their_length(client, tree, leader, reviewer, settings, tmp_path):
    # Spreadsheets and documents are compressed already; uncompressed they keep Content-Length,
    # so a browser shows the progress of a large download.
    from django.core.files.uploadedfile import SimpleUploadedFile

    from plans.testing import make_plan

    settings.MEDIA_ROOT = tmp_path
    client.force_login(leader)
    export = client.get(reverse("dashboards:export", args=[tree["district_a"].pk]), headers={"accept-encoding": "gzip"})
    assert export.status_code == 200
    assert not export.has_header("Content-Encoding")
    assert export.content[:2] == b"PK"  # the xlsx itself
    plan = make_plan(tree["district_a"], document=SimpleUploadedFile("kh.pdf", b"%PDF-1.4 " + b"x" * 5000))
    client.force_login(reviewer)
    document = client.get(reverse("plans:document", args=[plan.pk]), headers={"accept-encoding": "gzip"})
    assert document.status_code == 200
    assert not document.has_header("Content-Encoding")
    assert document["Content-Length"] == str(5009)
