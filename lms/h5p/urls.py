from django.urls import path

from . import views

app_name = "h5p"

urlpatterns = [
    path("h5p/libraries/<str:folder>/<path:path>", views.library_file, name="library_file"),
    path("h5p/content/<int:activity_id>/<path:path>", views.content_file, name="content_file"),
    path(
        "h5p/lessons/<int:lesson_id>/activities/<int:activity_id>/user-data/<str:data_type>/<int:sub_content_id>/",
        views.user_data,
        name="user_data",
    ),
    path("xapi/statements/<int:lesson_id>/", views.statements, name="statements"),
]
