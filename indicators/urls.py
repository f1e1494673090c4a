from django.urls import path

from indicators import views

app_name = "indicators"
urlpatterns = [
    path("chi-tieu/", views.catalogue, name="catalogue"),
    path("bao-cao/", views.report_list, name="reports"),
    path("bao-cao/<int:unit_pk>/<str:period_code>/", views.report_entry, name="report-entry"),
    path("bao-cao/<int:unit_pk>/<str:period_code>/<slug:action>/", views.report_transition, name="report-transition"),
    path("minh-chung/<int:pk>/", views.evidence_download, name="evidence"),
]
