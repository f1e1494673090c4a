from django.urls import path

from scoring import views

app_name = "scoring"
urlpatterns = [
    path("", views.set_list, name="list"),
    path("moi/", views.set_edit, name="create"),
    path("<int:pk>/", views.set_detail, name="detail"),
    path("<int:pk>/sua/", views.set_edit, name="edit"),
    path("<int:pk>/tieu-chi/nhap/", views.criteria_import, name="criteria-import"),
    path("<int:pk>/tieu-chi.xlsx", views.criteria_export, name="criteria-export"),
    path("<int:pk>/sao-chep/", views.set_copy, name="copy"),
    path("<int:pk>/ban-hanh/", views.set_issue, name="issue"),
    path("<int:pk>/cong-bo/", views.set_publish, name="publish"),
    path("<int:pk>/mo-lai/", views.set_reopen, name="reopen"),
    path("<int:pk>/ket-qua/", views.results, name="results"),
    path("<int:pk>/ket-qua.xlsx", views.results_export, name="results-export"),
    path("<int:pk>/dieu-tra/", views.survey, name="survey"),
    path("<int:pk>/dieu-tra.xlsx", views.survey_export, name="survey-export"),
    path("<int:pk>/don-vi/<int:unit_pk>/", views.scorecard, name="scorecard"),
    path("<int:pk>/don-vi/<int:unit_pk>/tra-lai/", views.scorecard_return, name="scorecard-return"),
    path("<int:pk>/don-vi/<int:unit_pk>/phieu.xlsx", views.scorecard_export, name="scorecard-export"),
    path("minh-chung/<int:pk>/", views.evidence_download, name="evidence"),
]
