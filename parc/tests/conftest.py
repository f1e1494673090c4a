import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from indicators import jobs
from indicators.models import Evidence
from indicators.testing import make_period, make_report
from plans.models import PlanTask
from plans.testing import make_plan, make_target
from scoring import services
from scoring.testing import leaf, make_set
from units.models import Level


@pytest.fixture
def district_a_things(tree, editor, settings, tmp_path):
    """One of everything that belongs to district A, as the samples of the URL walk's
    arguments (parc/tests/urlwalk.py)."""
    settings.MEDIA_ROOT = tmp_path
    period = make_period(2026, "Q2", closes=datetime.date(2099, 12, 31))
    plan = make_plan(tree["district_a"], document=SimpleUploadedFile("kh.pdf", b"%PDF"))
    target = make_target(plan, "TTHC_ONTIME", 98, level=Level.COMMUNE)
    task = PlanTask.objects.create(plan=plan, title="Rà soát")
    report = make_report(tree["commune_a1"], period, "submitted", TTHC_ONTIME=(9, 10))
    evidence = Evidence.objects.create(
        value=report.values.get(), name="bb.pdf", file=SimpleUploadedFile("bb.pdf", b"%PDF")
    )
    job = jobs.job_create(user=editor, upload=SimpleUploadedFile("q.csv", b"unit_code;period\n"))
    cset = make_set(tree["district_a"])  # district A scores its communes
    card = services.scorecard_get(user=editor, cset=cset, unit=tree["commune_a1"])
    score_evidence = services.evidence_add(
        user=editor, scorecard=card, criterion=leaf(cset, "1.1"), upload=SimpleUploadedFile("kt.pdf", b"%PDF")
    )
    return {
        "pk": tree["commune_a1"].pk,
        "unit_pk": tree["commune_a1"].pk,
        "period_code": period.code,
        "action": "duyet",
        "plan": plan.pk,
        "task_pk": task.pk,
        "target_pk": target.pk,
        "evidence": evidence.pk,
        "job": job.pk,
        "criteria_set": cset.pk,
        "score_evidence": score_evidence.pk,
    }
