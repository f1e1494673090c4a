from django.contrib.auth import views as auth_views
from django.shortcuts import render

from parc.forms import LoginForm, PasswordChangeForm


class PortalLoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PortalPasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    form_class = PasswordChangeForm


def home(request):
    return render(request, "home.html", {"page": "home"})
