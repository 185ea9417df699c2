from django.urls import path

from . import views

app_name = "lrs"

urlpatterns = [
    path("", views.endpoints, name="endpoints"),
    path("add/", views.endpoint_add, name="endpoint_add"),
    path("<int:endpoint_id>/", views.endpoint_status, name="endpoint_status"),
    path("<int:endpoint_id>/edit/", views.endpoint_edit, name="endpoint_edit"),
    path("<int:endpoint_id>/retry/", views.endpoint_retry, name="endpoint_retry"),
]
