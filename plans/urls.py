from django.urls import path

from plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("moi/", views.plan_edit, name="create"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/sua/", views.plan_edit, name="edit"),
    path("<int:pk>/van-ban/", views.plan_document, name="document"),
    path("<int:pk>/nhiem-vu/moi/", views.task_edit, name="task-create"),
    path("<int:pk>/nhiem-vu/<int:task_pk>/sua/", views.task_edit, name="task-edit"),
    path("<int:pk>/nhiem-vu/<int:task_pk>/xoa/", views.task_delete, name="task-delete"),
    path("<int:pk>/chi-tieu/moi/", views.target_edit, name="target-create"),
    path("<int:pk>/chi-tieu/<int:target_pk>/sua/", views.target_edit, name="target-edit"),
    path("<int:pk>/chi-tieu/<int:target_pk>/xoa/", views.target_delete, name="target-delete"),
]
