from django.urls import path

from . import views

app_name = "organisations"

urlpatterns = [
    path("", views.cohort_list, name="cohorts"),
    path("programme/", views.programme, name="programme"),
    path("join/<str:code>/", views.join, name="join"),
    path("invitations/<str:token>/", views.invitation_answer, name="invitation_answer"),
    path("cohorts/<int:cohort_id>/invitation/", views.invitation_link, name="invitation"),
    path("cohorts/<int:cohort_id>/", views.cohort_detail, name="cohort"),
    path("cohorts/<int:cohort_id>/archive/", views.cohort_archive, name="archive"),
    path("cohorts/<int:cohort_id>/import/", views.roster_upload, name="upload"),
    path("imports/<int:import_id>/", views.roster_import, name="import"),
    path("cohorts/<int:cohort_id>/export.<str:fmt>", views.cohort_export, name="export"),
    path("cohorts/<int:cohort_id>/edit/", views.cohort_edit, name="cohort_edit"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:organisation_id>/", views.organisation_detail, name="organisation"),
    path("organisations/<int:organisation_id>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<int:organisation_id>/staff/", views.member_add, name="member_add"),
    path("organisations/<int:organisation_id>/cohorts/new/", views.cohort_create, name="cohort_create"),
    path("staff/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("staff-invitations/<str:token>/", views.staff_invitation_answer, name="staff_invitation"),
]
