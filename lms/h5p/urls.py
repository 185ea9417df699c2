from django.urls import path

from . import views

app_name = "h5p"

urlpatterns = [
    path(
        "h5p/lessons/<int:lesson_id>/activities/<int:activity_id>/user-data/<str:data_type>/<int:sub_content_id>/",
        views.user_data,
        name="user_data",
    ),
    path("xapi/statements/<int:lesson_id>/", views.statements, name="statements"),
]
