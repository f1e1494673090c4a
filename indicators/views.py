from pathlib import Path

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from indicators import imports, jobs, selectors, services
from indicators.forms import EntryData, ImportUploadForm, ReasonForm, TemplateForm
from indicators.models import Evidence, ImportJob, Indicator, Report, ReportingPeriod
from plans.selectors import targets_for
from units import scoping
from units.selectors import memberships_of


@require_GET
def catalogue(request):
    ctx = {"page": "indicators", "fields": selectors.catalogue_by_field()}
    return render(request, "indicators/catalogue.html", ctx)


def _get_period(code):
    period = selectors.period_by_code(code) if code else selectors.current_period()
    if period is None:
        raise Http404
    return period


def _default_unit(user):
    """The first unit the user works on (their list opens there)."""
    memberships = memberships_of(user=user)
    return memberships[0].unit if memberships else None


@require_GET
def report_list(request):
    period = _get_period(request.GET.get("ky"))
    unit_pk = request.GET.get("don_vi") or getattr(_default_unit(request.user), "pk", None)
    if unit_pk is None:
        return render(request, "indicators/report_list.html", {"page": "reports", "period": period, "unit": None})
    unit = scoping.get_unit_for(request.user, unit_pk)
    indicators = selectors.indicators_for(unit)
    children = [line.unit for line in selectors.report_lines(unit=unit, period=period)[1:]]
    ctx = {
        "page": "reports",
        "period": period,
        "unit": unit,
        "periods": selectors.periods_of_year(year=period.year),
        "years": selectors.latest_quarter_by_year(),
        "lines": selectors.report_lines(unit=unit, period=period),
        "completeness": selectors.completeness(unit=unit, period=period),
        "children_rollup": selectors.rollup(
            units=children, indicators=indicators, periods=[period], statuses=selectors.SUBMITTED_TOO
        ).values(),
        "can_review": scoping.can(request.user, scoping.REVIEW, unit),
    }
    return render(request, "indicators/report_list.html", ctx)


def _entry_context(request, unit, period, report, data=None, result=None):
    indicators = selectors.indicators_for(unit)
    targets = targets_for(units=[unit], indicators=indicators, year=period.year)
    refusal = services.edit_refusal(user=request.user, unit=unit, period=period, report=report)
    groups = selectors.report_entry_rows(unit=unit, period=period, report=report, targets=targets)
    return {
        "page": "reports",
        "unit": unit,
        "period": period,
        "report": report,
        "groups": groups,
        # After a refused save: each refused row, in page order, linked to where it is.
        "error_summary": [
            (row.indicator, [message for _field, message in result.errors[row.indicator.pk]])
            for _label, rows in groups
            for row in rows
            if result and row.indicator.pk in result.errors
        ],
        "refusal": refusal,
        "typed": data.rows if data else None,
        "result": result,
        "history": selectors.report_history(report=report) if report else [],
        "can_review": scoping.can(request.user, scoping.REVIEW, unit),
        "reason_form": ReasonForm(),
    }


@require_http_methods(["GET", "POST"])
def report_entry(request, unit_pk, period_code):
    unit = scoping.get_unit_for(request.user, unit_pk)
    period = _get_period(period_code)
    report = Report.objects.filter(unit=unit, period=period).first()
    if request.method == "GET":
        return render(request, "indicators/report_entry.html", _entry_context(request, unit, period, report))

    indicators = selectors.indicators_for(unit)
    data = EntryData.from_post(request.POST, request.FILES, indicators)
    result = services.report_entry_save(unit=unit, period=period, user=request.user, data=data, indicators=indicators)
    report = result.report or report
    if result.ok:
        messages.success(request, _("Submitted for review.") if data.action == "submit" else _("Saved."))
        return redirect(reverse("indicators:report-entry", args=[unit.pk, period.code]))
    if result.errors and not result.conflict and not result.refused:
        messages.warning(
            request,
            _("%(saved)s figure(s) saved; the rows marked below were not: please correct them.")
            % {"saved": result.saved},
        )
    if report:
        report.refresh_from_db()
    ctx = _entry_context(request, unit, period, report, data, result)
    return render(request, "indicators/report_entry.html", ctx, status=409 if result.conflict else 200)


TRANSITIONS = {"duyet": "approve", "tra-lai": "return", "mo-lai": "reopen"}


@require_POST
def report_transition(request, unit_pk, period_code, action):
    unit = scoping.get_unit_for(request.user, unit_pk)
    period = _get_period(period_code)
    report = get_object_or_404(Report, unit=unit, period=period)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    seen = request.POST.get("version", "")
    seen = int(seen) if seen.isdigit() else None
    step = TRANSITIONS.get(action)
    try:
        if step == "approve":
            services.report_approve(report=report, user=request.user, seen_version=seen)
            messages.success(request, _("The report is approved."))
        elif step == "return":
            services.report_return(report=report, user=request.user, reason=reason, seen_version=seen)
            messages.success(request, _("The report was returned to the officer."))
        elif step == "reopen":
            services.report_reopen(report=report, user=request.user, reason=reason, seen_version=seen)
            messages.success(request, _("The report is open for changes again."))
        else:
            raise Http404
    except services.Refused as exc:
        messages.error(request, str(exc))
    return redirect(reverse("indicators:report-entry", args=[unit.pk, period.code]))


@require_GET
def evidence_download(request, pk):
    evidence = get_object_or_404(Evidence.objects.select_related("value__report__unit"), pk=pk)
    scoping.get_unit_for(request.user, evidence.value.report.unit_id)
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.name)


# ---------------------------------------------------------------------------------------------
# Spreadsheet imports


def _import_forms(request, data=None, files=None):
    units = scoping.units_editable_by(request.user).filter(kind="committee").order_by("path")
    # Every quarter that has begun, newest first: an officer may still owe an old one; the
    # quarters of next year (opened ahead) have nothing to report yet.
    periods = list(ReportingPeriod.objects.filter(start__lte=timezone.localdate()).order_by("-year", "-kind"))
    current = selectors.current_period()
    template_form = TemplateForm(
        request.GET if "don_vi" in request.GET else None,
        units=units,
        periods=periods,
        initial={"ky": current.code if current else None, "don_vi": units.first()},
    )
    return template_form, ImportUploadForm(data, files)


@require_http_methods(["GET", "POST"])
def import_page(request):
    template_form, upload_form = _import_forms(request, request.POST or None, request.FILES or None)
    if request.method == "POST" and upload_form.is_valid():
        job = jobs.job_create(
            user=request.user,
            upload=upload_form.cleaned_data["file"],
            sheet=upload_form.cleaned_data["sheet"],
            partial=upload_form.cleaned_data["partial"],
        )
        return redirect("indicators:import-job", job.pk)
    return _import_page(request, template_form, upload_form)


def _import_page(request, template_form, upload_form):
    ctx = {
        "page": "import",
        "template_form": template_form,
        "upload_form": upload_form,
        "recent": ImportJob.objects.filter(user=request.user)[:10],
    }
    return render(request, "indicators/import.html", ctx)


@require_GET
def import_template(request):
    template_form, upload_form = _import_forms(request)
    if not template_form.is_valid():  # the page again, saying which choice is wrong
        return _import_page(request, template_form, upload_form)
    unit = template_form.cleaned_data["don_vi"]
    period = selectors.period_by_code(template_form.cleaned_data["ky"])
    units = selectors.reporting_units(unit=unit, period=period)
    indicators = Indicator.objects.active()
    previous = selectors.previous_period(period)
    last = {}
    if previous:
        for (unit_id, indicator_id), rollup in selectors.rollup_by_unit(
            units=units, indicators=indicators, periods=[previous], statuses=selectors.SUBMITTED_TOO
        ).items():
            last[(unit_id, indicator_id)] = rollup.figure
    try:
        content = imports.template_workbook(
            units=units,
            period=period,
            targets=targets_for(units=units, indicators=indicators, year=period.year),
            previous=last,
            user=request.user,
        )
    except imports.NothingToFill as exc:  # the page again, saying why
        template_form.add_error("ky", str(exc))
        return _import_page(request, template_form, upload_form)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="mau-nhap-{unit.code}-{period.code}.xlsx"'
    return response


def _get_job_for(user, pk):
    """A job is its owner's (administrators see all); others get 404."""
    qs = ImportJob.objects.all() if scoping.is_administrator(user) else ImportJob.objects.filter(user=user)
    return get_object_or_404(qs, pk=pk)


@require_GET
def import_job(request, pk):
    job = _get_job_for(request.user, pk)
    template = "indicators/import_job.html"
    if request.headers.get("HX-Request"):
        template += "#status"
    admin_list = ""
    if job.admin_model:  # an admin import: its list in the administration
        admin_list = reverse("admin:{}_{}_changelist".format(*job.admin_model.split(".", 1)))
    return render(request, template, {"page": "import", "job": job, "admin_list": admin_list})


@require_POST
def import_confirm(request, pk):
    job = _get_job_for(request.user, pk)
    if not jobs.job_confirm(job=job, user=request.user):
        messages.error(request, _("This import cannot be confirmed (it has errors, or it is already running)."))
    return redirect("indicators:import-job", job.pk)


@require_POST
def import_cancel(request, pk):
    job = _get_job_for(request.user, pk)
    if jobs.job_cancel(job=job, user=request.user):
        messages.success(request, _("The import was cancelled: nothing was saved."))
    else:
        messages.error(request, _("This import can no longer be cancelled."))
    return redirect("indicators:import-job", job.pk)


@require_GET
def import_rejected(request, pk):
    job = _get_job_for(request.user, pk)
    if not job.rejected:
        raise Http404
    return FileResponse(job.rejected.open("rb"), as_attachment=True, filename=f"loi-{Path(job.filename).stem}.xlsx")
