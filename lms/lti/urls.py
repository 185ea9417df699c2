"""What the platform calls: no language prefix, as the addresses are typed into Moodle once."""

from django.urls import path

from . import views

app_name = "lti"

urlpatterns = [
    path("login/", views.oidc_login, name="login"),
    path("launch/", views.launch, name="launch"),
    path("launch/<str:token>/", views.launch_continue, name="continue"),
    path("jwks.json", views.jwks, name="jwks"),
    path("deep-link/", views.deep_link_respond, name="deep_link_respond"),
]
