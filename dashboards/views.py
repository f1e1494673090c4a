from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from dashboards import export, selectors
from dashboards.forms import DashboardFilterForm
from parc.lib.periods import SPAN_LABELS
from scoring import selectors as scoring_selectors
from units import scoping
from units.selectors import memberships_of, unit_breadcrumbs


@require_GET
def home(request):
    """The dashboard of the user's first unit (the nation for administrators without one)."""
    memberships = memberships_of(user=request.user)
    if memberships:
        return redirect("dashboards:unit", memberships[0].unit.pk)
    root = scoping.units_visible_to(request.user).order_by("path").first()
    if root is None:
        return render(request, "dashboards/none.html", {"page": "dashboards"})
    return redirect("dashboards:unit", root.pk)


@require_GET
def unit(request, pk):
    unit = scoping.get_unit_for(request.user, pk)
    form = DashboardFilterForm(request.GET or None)
    filters = form.filters()
    query = request.GET.copy()
    query.pop("sap_xep", None)
    ctx = {
        "page": "dashboards",
        "unit": unit,
        "form": form,
        "breadcrumbs": unit_breadcrumbs(unit=unit),
        "query": query.urlencode(),
        "filters": filters,
        "span_label": SPAN_LABELS[filters.span],
    }
    ctx["body"] = _body(request, unit, filters, ctx)
    return render(request, "dashboards/unit.html", ctx)


def _body(request, unit, filters, ctx):
    """The dashboard's figures, rendered once per data version and filters: the same HTML for
    everyone who may see the unit (the header and breadcrumbs around it are per user)."""

    def render_body():
        dash = selectors.unit_dashboard(unit=unit, filters=filters, reference=ctx["form"].reference)
        index = scoring_selectors.index_card(unit=unit)  # the yearly card: published results only
        return render_to_string("dashboards/unit.html#body", {**ctx, "dash": dash, "index": index}, request=request)

    return selectors.cached(f"{filters.cache_key(unit)}:html:{ctx['query']}", render_body)


@require_GET
def unit_export(request, pk):
    unit = scoping.get_unit_for(request.user, pk)
    form = DashboardFilterForm(request.GET or None)
    dashboard = selectors.unit_dashboard(unit=unit, filters=form.filters(), reference=form.reference)
    response = HttpResponse(
        export.dashboard_workbook(dashboard),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{export.filename(dashboard)}"'
    return response
