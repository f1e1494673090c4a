"""The portal's URLs plus one page used only by `make bench`: the portal's frame (header,
navigation, footer) around nothing, for a signed-in user. What it costs is the floor every
page pays before showing anything of its own."""

from django.shortcuts import render
from django.urls import path

from parc.urls import urlpatterns as portal


def frame(request):
    return render(request, "base.html", {})


urlpatterns = [path("bench/frame/", frame), *portal]
