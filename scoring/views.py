import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parc.lib.numbers import parse_number
from parc.lib.spreadsheets import SpreadsheetError, open_sheet
from scoring import selectors, services, spreadsheets
from scoring.forms import CriteriaSetForm, EvidenceForm, ReasonForm, ScoresForm, UploadForm
from scoring.models import CriteriaSet, Scorecard, ScoreEvidence
from units import scoping
from units.models import AdministrativeUnit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _get_set_for(user, pk, manage=False) -> CriteriaSet:
    """The set, or 404 when the user has nothing to do with its issuer; 403 (with the reason) when
    they may see it but `manage` asks for the issuer's reviewers."""
    cset = get_object_or_404(CriteriaSet.objects.select_related("issuer"), pk=pk)
    if not selectors.can_see_set(user, cset):
        raise Http404
    if manage:
        scoping.require_issuer_reviewer(user, cset.issuer)
    return cset


def _get_unit_of_set(user, cset, unit_pk) -> AdministrativeUnit:
    """A unit scored by the set whose scorecard the user may see (404 otherwise)."""
    return get_object_or_404(selectors.scored_units(cset=cset).filter(scoping.scored_q(user, cset.issuer)), pk=unit_pk)


def _errors(request, exc):
    for message in exc.messages:
        messages.error(request, message)


def _xlsx(content, name):
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@require_GET
def set_list(request):
    ctx = {
        "page": "scoring",
        "sets": selectors.sets_visible_to(user=request.user),
        "can_create": scoping.issuers_for(request.user).exists(),
    }
    return render(request, "scoring/list.html", ctx)


@require_http_methods(["GET", "POST"])
def set_edit(request, pk=None):
    issuers = scoping.issuers_for(request.user)
    if pk is None:
        year = timezone.localdate().year
        cset = CriteriaSet(
            year=year, total_maximum=100, self_assessment_due=timezone.localdate().replace(month=11, day=15)
        )
        if not issuers.exists():
            raise PermissionDenied(_("Only reviewers of a province or district can issue criteria sets."))
    else:
        cset = _get_set_for(request.user, pk, manage=True)
    form = CriteriaSetForm(request.POST or None, instance=cset, issuers=issuers.order_by("path"))
    if request.method == "POST" and form.is_valid():
        saved = form.save_with(services.criteria_set_save, "cset", user=request.user, bands=form.cleaned_data["bands"])
        if saved:
            messages.success(request, _("The criteria set was saved."))
            return redirect("scoring:detail", saved.pk)
    return render(request, "scoring/form.html", {"page": "scoring", "cset": cset, "form": form})


@require_GET
def set_detail(request, pk):
    cset = _get_set_for(request.user, pk)
    can_manage = selectors.can_manage_set(request.user, cset)
    ctx = {
        "page": "scoring",
        "cset": cset,
        "can_manage": can_manage,
        "rows": selectors.criteria_tree(cset=cset),
        "bands": cset.bands.all(),
        "problems": services.criteria_set_problems(cset=cset) if cset.status == CriteriaSet.Status.DRAFT else [],
        "cards": selectors.scorecards_of(cset=cset, user=request.user),
        "can_see_results": selectors.can_see_results(request.user, cset),
        "upload_form": UploadForm(),
        "reason_form": ReasonForm(),
    }
    return render(request, "scoring/detail.html", ctx)


@require_POST
def criteria_import(request, pk):
    cset = _get_set_for(request.user, pk, manage=True)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a spreadsheet to import."))
        return redirect("scoring:detail", cset.pk)
    upload = form.cleaned_data["file"]
    parsed = _write_all_or_nothing(
        request,
        lambda: spreadsheets.criteria_set_from_file(upload),
        lambda parsed: services.criteria_import(
            user=request.user, cset=cset, nodes=parsed[0], bands=parsed[1], source=upload.name
        ),
        _("Nothing was imported. Fix these rows and import the file again:"),
    )
    if parsed is not None:
        nodes, bands = parsed
        messages.success(request, _("%(count)s criteria were imported.") % {"count": len(nodes)})
        if bands:
            messages.success(
                request,
                _("The bands were imported too: %(bands)s.") % {"bands": services.bands_text(cset).replace("\n", "; ")},
            )
    return redirect("scoring:detail", cset.pk)


@require_GET
def criteria_export(request, pk):
    cset = _get_set_for(request.user, pk)
    content = spreadsheets.criteria_workbook(cset=cset, rows=selectors.criteria_tree(cset=cset))
    return _xlsx(content, f"tieu-chi-{slugify(cset.issuer.name)}-{cset.year}")


@require_POST
def set_copy(request, pk):
    source = _get_set_for(request.user, pk, manage=True)
    try:
        copy = services.criteria_set_copy(user=request.user, source=source)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("scoring:detail", source.pk)
    messages.success(
        request, _("A draft for %(year)s was made from this set: check it, then issue it.") % {"year": copy.year}
    )
    return redirect("scoring:detail", copy.pk)


@require_POST
def set_issue(request, pk):
    return _set_action(
        request, pk, services.criteria_set_issue, _("The set is issued: units can now assess themselves.")
    )


@require_POST
def set_publish(request, pk):
    return _set_action(request, pk, services.criteria_set_publish, _("The results are published."), "scoring:results")


@require_POST
def set_reopen(request, pk):
    form = ReasonForm(request.POST)
    if not form.is_valid() and (request.POST.get("reason") or "").strip():  # e.g. too long
        _errors(request, ValidationError(form.errors["reason"]))
        return redirect("scoring:results", _get_set_for(request.user, pk, manage=True).pk)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _set_action(
        request,
        pk,
        services.criteria_set_reopen,
        _("The results are reopened for correction."),
        "scoring:results",
        reason=reason,
    )


def _set_action(request, pk, service, done, then="scoring:detail", **kwargs):
    cset = _get_set_for(request.user, pk, manage=True)
    try:
        service(user=request.user, cset=cset, **kwargs)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, done)
    return redirect(then, cset.pk)


def _results_for(request, pk):
    cset = _get_set_for(request.user, pk)
    if not selectors.can_see_results(request.user, cset):
        raise PermissionDenied(_("The results of this set are not published yet."))
    return cset, selectors.set_results(cset=cset)


@require_GET
def results(request, pk):
    cset, table = _results_for(request, pk)
    ctx = {
        "page": "scoring",
        "cset": cset,
        "results": table,
        "corrections": selectors.reopenings(cset=cset),
        "can_manage": selectors.can_manage_set(request.user, cset),
        "reason_form": ReasonForm(),
    }
    return render(request, "scoring/results.html", ctx)


@require_GET
def results_export(request, pk):
    cset, table = _results_for(request, pk)
    return _xlsx(spreadsheets.results_workbook(table), f"chi-so-cchc-{slugify(cset.issuer.name)}-{cset.year}")


@require_http_methods(["GET", "POST"])
def survey(request, pk):
    cset = _get_set_for(request.user, pk, manage=True)
    units, criteria, points = selectors.survey_grid(cset=cset)
    cell_errors = {}
    if request.method == "POST":
        upload = request.FILES.get("file")

        def read():
            if upload is None:
                return _survey_entries(request.POST, units, criteria)
            return spreadsheets.survey_from_sheet(
                open_sheet(upload, upload.name),
                units_by_code={u.code: u for u in units},
                criteria_by_code={c.code: c for c in criteria},
            )

        entries = _write_all_or_nothing(
            request,
            read,
            lambda entries: services.survey_save(user=request.user, cset=cset, entries=entries),
            _("Nothing was saved:"),
            marks=cell_errors,
        )
        if entries is not None:
            messages.success(request, _("%(count)s survey points were saved.") % {"count": len(entries)})
            return redirect("scoring:survey", cset.pk)
    ctx = {
        "page": "scoring",
        "cset": cset,
        "criteria": criteria,
        # Each cell: criterion, stored points, what was typed (after a refused post), its error.
        "grid": [
            (
                u,
                [
                    (
                        c,
                        points.get((u.pk, c.pk)),
                        request.POST.get(f"p-{u.pk}-{c.pk}"),
                        cell_errors.get(f"{u.pk}-{c.pk}"),
                    )
                    for c in criteria
                ],
            )
            for u in units
        ],
        "refusal": services.survey_refusal(cset=cset),
        "upload_form": UploadForm(),
    }
    return render(request, "scoring/survey.html", ctx)


def _survey_entries(data, units, criteria):
    """({(unit id, criterion id): points or None}, errors) from the survey grid's inputs."""
    entries, errors = {}, {}
    for u in units:
        for c in criteria:
            name = f"p-{u.pk}-{c.pk}"
            if name not in data:
                continue  # a cell the page did not send is left alone; an empty one is cleared
            raw = data[name].strip()
            try:
                entries[(u.pk, c.pk)] = parse_number(raw) if raw else None
            except ValueError:
                errors[f"{u.pk}-{c.pk}"] = _("%(unit)s, %(code)s: “%(value)s” is not a number.") % {
                    "unit": u.name,
                    "code": c.code,
                    "value": raw,
                }
    return entries, errors


def _write_all_or_nothing(request, read, write, headline, marks=None):
    """`read()` gives (rows, errors); `write(rows)` only when there is no error. What goes wrong
    becomes messages in the user's language (after `headline`); returns the rows written, or
    None. Errors keyed by what they are about (a dict) also go to `marks`, for the page to mark."""
    try:
        rows, errors = read()
        if errors:
            raise ValidationError(errors)
        write(rows)
    except SpreadsheetError as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, headline)
        _errors(request, exc)
        if marks is not None and hasattr(exc, "error_dict"):
            marks.update({key: " ".join(m) for key, m in exc.message_dict.items()})
    else:
        return rows
    return None


@require_GET
def survey_export(request, pk):
    cset = _get_set_for(request.user, pk, manage=True)
    units, criteria, points = selectors.survey_grid(cset=cset)
    return _xlsx(
        spreadsheets.survey_workbook(units=units, criteria=criteria, points=points), f"diem-dieu-tra-{cset.year}"
    )


# ---------------------------------------------------------------------------------------------
# Scorecards


OWN_ACTIONS = ("save", "submit", "evidence-add")
REMOVE_EVIDENCE = re.compile(r"evidence-remove-(\d{1,12})", re.ASCII)
# "Accept the unit's score" for one criterion or for the empty criteria of a field: an appraisal
# save that takes the self-score there (scoring.forms.ScoresForm._accepted).
ACCEPT = re.compile(r"accept-(criterion|field)-(\d{1,12})", re.ASCII)


@require_http_methods(["GET", "POST"])
def scorecard(request, pk, unit_pk):
    """The unit's scorecard: its editors self-assess and attach evidence; the issuer's reviewers
    appraise (and, being the appraisers, do not write the unit's own scores). Every button of
    the page posts the one form, so adding or removing evidence saves what was typed too, and a
    refused or conflicting save shows what was typed, not a blank."""
    cset = _get_set_for(request.user, pk)
    unit = _get_unit_of_set(request.user, cset, unit_pk)
    card = selectors.scorecard_for(cset=cset, unit=unit)
    may_appraise = selectors.can_manage_set(request.user, cset)
    may_edit = selectors.can_self_assess(request.user, card)
    kind = removal = version = accept = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        removing = REMOVE_EVIDENCE.fullmatch(action)
        accepting = ACCEPT.fullmatch(action)
        if accepting:
            accept = (accepting.group(1), int(accepting.group(2)))
        appraising = action == "appraise" or accepting
        kind = "appraise" if appraising else "self" if action in OWN_ACTIONS or removing else None
        version = _posted_version(request)
        if kind is None or version is None:
            return HttpResponse(status=400)  # nothing the page sends
        if kind == "appraise":  # refused before anything is written (the services check again)
            scoping.require_issuer_reviewer(request.user, cset.issuer)
        else:
            scoping.require_self_assessor(request.user, cset.issuer, unit)
        if removing:  # found before anything is written
            removal = get_object_or_404(ScoreEvidence, pk=int(removing.group(1)), score__scorecard_id=card.pk or 0)
    rows = selectors.scorecard_rows(scorecard=card)
    self_refusal = services.self_assessment_refusal(scorecard=card)
    appraisal_refusal = services.appraisal_refusal(scorecard=card)
    data = request.POST if kind else None
    self_form = appraisal_form = evidence_form = None
    if may_edit and (self_refusal is None or kind == "self"):
        self_form = ScoresForm(data if kind == "self" else None, rows=rows, kind="self", locked=self_refusal)
    if may_appraise and (appraisal_refusal is None or kind == "appraise"):
        appraisal_form = ScoresForm(
            data if kind == "appraise" else None, rows=rows, kind="appraise", locked=appraisal_refusal, accept=accept
        )
    if may_edit and self_refusal is None:
        reports, tasks = selectors.evidence_choices(unit=unit, year=cset.year)
        posted = data if data and data.get("action") == "evidence-add" else None
        evidence_form = EvidenceForm(posted, request.FILES or None, rows=rows, reports=reports, tasks=tasks)
    if kind:
        form = appraisal_form if kind == "appraise" else self_form
        anchor = _scorecard_post(request, card, form, evidence_form, removal, version)
        if anchor is not None:  # saved: show the fresh scorecard
            return redirect(reverse("scoring:scorecard", args=[cset.pk, unit.pk]) + anchor)
        if form.conflict:
            card.refresh_from_db()
            version = card.version  # saving again now overwrites, knowingly
    own, appraised, maximum = selectors.scorecard_totals(rows=rows, survey=cset.survey)
    ctx = {
        "page": "scoring",
        "cset": cset,
        "unit": unit,
        "card": card,
        "version": card.version if version is None else version,
        "rows": rows,
        "self_form": self_form,
        "appraisal_form": appraisal_form,
        "evidence_form": evidence_form,
        "forms": [f for f in (self_form, appraisal_form) if f is not None],
        "self_refusal": self_refusal if may_edit else None,
        "can_return": may_appraise and card.status in ("submitted", "appraised") and cset.accepts_scores,
        "totals": {"own": own, "appraised": appraised, "maximum": maximum},
        "history": selectors.scorecard_history(scorecard=card),
    }
    return render(request, "scoring/scorecard.html", ctx)


def _posted_version(request):
    """The scorecard version the page was drawn from, or None when the post carries none."""
    raw = request.POST.get("version", "")
    return int(raw) if re.fullmatch(r"\d{1,9}", raw, re.ASCII) else None


def _scorecard_post(request, card, form, evidence_form, removal, version):
    """Save the scores, then do what the pressed button asked. Returns where to go (an anchor,
    possibly empty) once the scores are saved, or None to show the page again: refused, wrong
    figures, or a conflict — with what was typed."""
    action = request.POST["action"]
    if form.locked:
        messages.error(request, form.locked)
        return None
    if not form.is_valid():
        return None
    if card.pk is None:  # the first save of a unit added after the set was issued
        card = services.scorecard_get(user=request.user, cset=card.criteria_set, unit=card.unit)
    service = services.scorecard_appraise if form.kind == "appraise" else services.scorecard_self_assess
    if form.apply(service, user=request.user, scorecard=card, version=version) is None:
        return None
    # The scores are saved; whatever follows, the page shows the fresh scorecard.
    try:
        accepted = ACCEPT.fullmatch(action)
        if action == "appraise" or accepted:
            messages.success(request, _("The appraisal was saved."))
            if accepted:  # back to where the reviewer was
                return f"#c{accepted.group(2)}"
        elif action == "submit":
            services.scorecard_submit(user=request.user, scorecard=card)
            messages.success(
                request, _("The self-assessment was submitted to %(unit)s.") % {"unit": card.criteria_set.issuer.name}
            )
        elif action == "evidence-add":
            if not evidence_form.is_valid():
                raise ValidationError([m for errors in evidence_form.errors.values() for m in errors])
            data = evidence_form.cleaned_data
            services.evidence_add(
                user=request.user,
                scorecard=card,
                criterion=data["criterion_object"],
                upload=data.get("file"),
                report=data["report"],
                task=data["task"],
            )
            messages.success(
                request,
                _("Your scores were saved and the evidence added to %(code)s.")
                % {"code": data["criterion_object"].code},
            )
            return f"#c{data['criterion_object'].pk}"
        elif removal is not None:
            services.evidence_delete(user=request.user, item=removal)
            messages.success(request, _("Your scores were saved and the evidence removed."))
        else:
            messages.success(request, _("Your scores were saved."))
    except ValidationError as exc:
        messages.info(request, _("Your scores were saved."))
        _errors(request, exc)
    return ""


@require_GET
def scorecard_export(request, pk, unit_pk):
    cset = _get_set_for(request.user, pk)
    unit = _get_unit_of_set(request.user, cset, unit_pk)
    card = selectors.scorecard_for(cset=cset, unit=unit)
    rows = selectors.scorecard_rows(scorecard=card)
    own, appraised, maximum = selectors.scorecard_totals(rows=rows, survey=cset.survey)
    content = spreadsheets.scorecard_workbook(
        card=card, rows=rows, totals={"own": own, "appraised": appraised, "maximum": maximum}
    )
    return _xlsx(content, f"phieu-cham-{slugify(unit.name)}-{cset.year}")


def _get_evidence_for(user, pk):
    item = get_object_or_404(
        ScoreEvidence.objects.select_related("score__scorecard__unit", "score__scorecard__criteria_set__issuer"), pk=pk
    )
    if not selectors.can_see_scorecard(user, item.score.scorecard):
        raise Http404
    return item


@require_GET
def evidence_download(request, pk):
    item = _get_evidence_for(request.user, pk)
    if not item.file:
        raise Http404
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)


@require_POST
def scorecard_return(request, pk, unit_pk):
    cset = _get_set_for(request.user, pk, manage=True)
    unit = _get_unit_of_set(request.user, cset, unit_pk)
    card = get_object_or_404(Scorecard, criteria_set=cset, unit=unit)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid() and (request.POST.get("reason") or "").strip():  # e.g. too long
            raise ValidationError(form.errors["reason"])
        services.scorecard_return(user=request.user, scorecard=card, reason=form.cleaned_data.get("reason", ""))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("The scorecard was returned to %(unit)s.") % {"unit": unit.name})
    return redirect("scoring:scorecard", cset.pk, unit.pk)
