from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from parc import views

admin.site.site_header = "PARC"
admin.site.site_title = "PARC"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("dang-nhap/", views.PortalLoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "doi-mat-khau/",
        views.PortalPasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "doi-mat-khau/xong/",
        auth_views.PasswordChangeDoneView.as_view(template_name="registration/password_change_done.html"),
        name="password_change_done",
    ),
    # The language switch must work on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("don-vi/", include("units.urls")),
    path("", include("indicators.urls")),
    path("ke-hoach/", include("plans.urls")),
    path("chi-so-cchc/", include("scoring.urls")),
    path("bang-dieu-khien/", include("dashboards.urls")),
    path("viec-cho-xu-ly/", include("inbox.urls")),
    path("admin/", admin.site.urls),
]
