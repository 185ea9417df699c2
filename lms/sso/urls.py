from django.urls import path

from . import views

app_name = "sso"
urlpatterns = [
    path("metadata/", views.MetadataView.as_view(), name="metadata"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("acs/", views.AcsView.as_view(), name="acs"),
]
