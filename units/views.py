from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from units import scoping, selectors
from units.forms import DirectoryForm

PAGE_SIZE = 50


@require_GET
def directory(request):
    form = DirectoryForm(request.GET or None, user=request.user)
    units = selectors.unit_directory(user=request.user, **form.filters())
    page = Paginator(units, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "units/directory.html"
    if request.headers.get("HX-Request"):
        template += "#results"  # the search box refreshes only the results
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {"page": "units", "form": form, "units": page, "query": query.urlencode()}
    return render(request, template, ctx)


@require_GET
def detail(request, pk):
    unit = scoping.get_unit_for(request.user, pk)
    reviews = scoping.can(request.user, scoping.REVIEW, unit)  # who holds roles, who changed what
    ctx = {
        "page": "units",
        "unit": unit,
        "breadcrumbs": selectors.unit_breadcrumbs(unit=unit),
        "children": selectors.unit_children(unit=unit, include_former=request.GET.get("former") == "1"),
        "successions": selectors.unit_successions(unit=unit),
        "members": selectors.unit_members(unit=unit) if reviews else None,
        "changes": selectors.unit_changes(unit=unit) if reviews else None,
    }
    return render(request, "units/detail.html", ctx)
