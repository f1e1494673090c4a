from django.urls import path

from dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.home, name="home"),
    path("<int:pk>/", views.unit, name="unit"),
    path("<int:pk>/xuat.xlsx", views.unit_export, name="export"),
]
