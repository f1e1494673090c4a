from django.urls import path

from indicators import views

app_name = "indicators"
urlpatterns = [
    path("chi-tieu/", views.catalogue, name="catalogue"),
    path("bao-cao/", views.report_list, name="reports"),
    path("bao-cao/<int:unit_pk>/<str:period_code>/", views.report_entry, name="report-entry"),
    path("bao-cao/<int:unit_pk>/<str:period_code>/<slug:action>/", views.report_transition, name="report-transition"),
    path("minh-chung/<int:pk>/", views.evidence_download, name="evidence"),
    path("nhap-excel/", views.import_page, name="import"),
    path("nhap-excel/mau.xlsx", views.import_template, name="import-template"),
    path("nhap-excel/<int:pk>/", views.import_job, name="import-job"),
    path("nhap-excel/<int:pk>/xac-nhan/", views.import_confirm, name="import-confirm"),
    path("nhap-excel/<int:pk>/huy/", views.import_cancel, name="import-cancel"),
    path("nhap-excel/<int:pk>/loi.xlsx", views.import_rejected, name="import-rejected"),
]
