"""Kyky's own pages for staff: in the reader's language, like the other staff pages."""

from django.urls import path

from . import views

app_name = "lti_staff"

urlpatterns = [
    path("cohorts/<int:cohort_id>/", views.course, name="course"),
    path("cohorts/<int:cohort_id>/sync/", views.roster_sync, name="roster_sync"),
    path("link/<str:token>/", views.link, name="link"),
    path("platforms/", views.registrations, name="registrations"),
    path("platforms/add/", views.registration_add, name="registration_add"),
    path("platforms/<int:registration_id>/", views.registration_edit, name="registration_edit"),
]
