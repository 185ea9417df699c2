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
]
