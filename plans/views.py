from pathlib import Path

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from plans import selectors, services
from plans.forms import PlanForm, TargetForm, TaskForm
from plans.models import Plan, PlanTask, Target
from units import scoping


def _get_plan_for(user, pk, action=scoping.VIEW) -> Plan:
    """The plan, or 404 when its unit is outside what `user` may do `action` on.

    Plans, tasks and targets are changed by reviewers of the plan's unit or a unit above it.
    """
    plan = get_object_or_404(Plan.objects.select_related("unit"), pk=pk)
    scoping.get_unit_for(user, plan.unit_id, action)
    return plan


@require_GET
def plan_list(request):
    year = request.GET.get("nam")
    year = int(year) if year and year.isdigit() else None
    ctx = {
        "page": "plans",
        "plans": selectors.plans_visible_to(user=request.user, year=year),
        "year": year,
        "years": range(timezone.localdate().year + 1, timezone.localdate().year - 4, -1),
        "units_to_plan": scoping.units_reviewable_by(request.user).filter(kind="committee").order_by("path")[:200],
    }
    return render(request, "plans/list.html", ctx)


@require_GET
def plan_detail(request, pk):
    plan = _get_plan_for(request.user, pk)
    ctx = {
        "page": "plans",
        "plan": plan,
        "can_edit": scoping.can(request.user, scoping.REVIEW, plan.unit),
        **selectors.plan_detail(plan=plan),
    }
    return render(request, "plans/detail.html", ctx)


@require_GET
def plan_document(request, pk):
    """The plan's document, to those who may see the plan (uploads are never public URLs)."""
    plan = _get_plan_for(request.user, pk)
    if not plan.document:
        raise Http404
    return FileResponse(plan.document.open("rb"), as_attachment=True, filename=Path(plan.document.name).name)


@require_http_methods(["GET", "POST"])
def plan_edit(request, pk=None):
    if pk is None:
        unit = scoping.get_unit_for(request.user, request.GET.get("don_vi") or 0, scoping.REVIEW)
        plan = Plan(unit=unit, year=timezone.localdate().year)
    else:
        plan = _get_plan_for(request.user, pk, scoping.REVIEW)
    form = PlanForm(request.POST or None, request.FILES or None, instance=plan)
    if request.method == "POST" and form.is_valid() and form.save_with(services.plan_save, "plan", user=request.user):
        messages.success(request, _("The plan was saved."))
        return redirect("plans:detail", plan.pk)
    return render(request, "plans/form.html", {"page": "plans", "plan": plan, "form": form, "what": "plan"})


# The plan's parts, edited by its reviewers: (model, form, save service, its keyword, message).
PARTS = {
    "task": (PlanTask, TaskForm, services.task_save, _lazy("The task was saved.")),
    "target": (Target, TargetForm, services.target_save, _lazy("The target was saved.")),
}


def _part_edit(request, pk, part_pk, what):
    model, form_class, save, saved = PARTS[what]
    plan = _get_plan_for(request.user, pk, scoping.REVIEW)
    instance = get_object_or_404(model, pk=part_pk, plan=plan) if part_pk else None
    form = form_class(request.POST or None, instance=instance, plan=plan)
    if request.method == "POST" and form.is_valid() and form.save_with(save, what, user=request.user):
        messages.success(request, saved)
        return redirect("plans:detail", plan.pk)
    return render(request, "plans/form.html", {"page": "plans", "plan": plan, "form": form, "what": what})


@require_http_methods(["GET", "POST"])
def task_edit(request, pk, task_pk=None):
    return _part_edit(request, pk, task_pk, "task")


@require_http_methods(["GET", "POST"])
def target_edit(request, pk, target_pk=None):
    return _part_edit(request, pk, target_pk, "target")


@require_POST
def task_delete(request, pk, task_pk):
    plan = _get_plan_for(request.user, pk, scoping.REVIEW)
    services.task_delete(user=request.user, task=get_object_or_404(PlanTask, pk=task_pk, plan=plan))
    messages.success(request, _("The task was deleted."))
    return redirect("plans:detail", plan.pk)


@require_POST
def target_delete(request, pk, target_pk):
    plan = _get_plan_for(request.user, pk, scoping.REVIEW)
    services.target_delete(user=request.user, target=get_object_or_404(Target, pk=target_pk, plan=plan))
    messages.success(request, _("The target was deleted."))
    return redirect("plans:detail", plan.pk)
