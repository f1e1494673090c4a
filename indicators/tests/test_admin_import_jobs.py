"""The admin's imports run as jobs, as the portal's do: the request stores and queues the file;
the worker reads it through the guard, previews with a dry run, and writes once confirmed —
with the administrator in the history, and cached dashboards refreshed."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators import jobs
from indicators.models import ImportJob, Indicator
from parc.lib.cache import data_version

pytestmark = pytest.mark.django_db


def _upload(client, url, name, content):
    page = client.get(url).content.decode()
    kind = name.rpartition(".")[2]
    option = re.search(rf'<option value="(\d+)">{kind}</option>', page).group(1)
    return client.post(url, {"format": option, "import_file": SimpleUploadedFile(name, content), "resource": "0"})


def test_an_indicator_import_in_the_admin_is_previewed_then_written_as_the_administrator(client, staff):
    client.force_login(staff)
    csv = "code,name_vi,field,kind,direction,time_aggregation\nTTHC_ONTIME,Tỷ lệ hồ sơ đúng hạn (mới),procedures,ratio,higher,sum\n"
    r = _upload(client, reverse("admin:indicators_indicator_import"), "chi-so.csv", csv.encode())
    job = ImportJob.objects.get()
    assert (
        r.status_code == 302
        and job.resource.endswith("IndicatorResource")
        and job.admin_model == "indicators.indicator"
    )
    jobs.work(once=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY and job.counts["changed"] == 1, (job.message, job.errors)
    assert Indicator.objects.get(code="TTHC_ONTIME").name_vi != "Tỷ lệ hồ sơ đúng hạn (mới)"  # a dry run
    before = data_version()
    client.post(reverse("indicators:import-confirm", args=[job.pk]))
    jobs.work(once=True)
    job.refresh_from_db()
    indicator = Indicator.objects.get(code="TTHC_ONTIME")
    assert job.status == ImportJob.Status.DONE and indicator.name_vi == "Tỷ lệ hồ sơ đúng hạn (mới)"
    assert indicator.history.latest("history_id").history_user == staff
    assert data_version() > before  # dashboards show the new name


def test_a_bad_row_in_an_admin_import_is_named_and_nothing_is_written(client, staff):
    client.force_login(staff)
    csv = "code,name_vi,field,kind,direction,time_aggregation\nNEW_ONE,Chỉ số mới,procedures,ratio,higher,sum\n"
    _upload(client, reverse("admin:indicators_indicator_import"), "chi-so.csv", csv.encode())
    jobs.work(once=True)
    job = ImportJob.objects.get()
    # A ratio needs its numerator and denominator labels (the model's own check).
    assert job.status == ImportJob.Status.READY and not job.can_confirm and job.errors[0]["row"] == 2
    assert not Indicator.objects.filter(code="NEW_ONE").exists()
