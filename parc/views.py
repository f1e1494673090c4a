from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import render

from parc.forms import LoginForm, PasswordChangeForm


class PortalLoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PortalPasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    form_class = PasswordChangeForm


@login_not_required
def healthz(request):
    """For load balancers and `make bench`'s minimal-view baseline: no database, no template."""
    return HttpResponse("ok", content_type="text/plain")


def home(request):
    return render(request, "home.html", {"page": "home"})
