from django.shortcuts import render
from django.views.decorators.http import require_GET

from indicators import selectors


@require_GET
def catalogue(request):
    ctx = {"page": "indicators", "fields": selectors.catalogue_by_field()}
    return render(request, "indicators/catalogue.html", ctx)
