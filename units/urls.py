from django.urls import path

from units import views

app_name = "units"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("<int:pk>/", views.detail, name="detail"),
]
