from django.urls import path

from . import views

app_name = "selfassessment"

urlpatterns = [
    path("learn/lessons/<int:lesson_id>/self-assessments/<str:block_id>/", views.respond, name="respond"),
    path("self-assessment/<int:training_id>/", views.mine, name="mine"),
    path("self-assessment/cohorts/<int:cohort_id>/", views.cohort, name="cohort"),
    path("self-assessment/programme/", views.programme, name="programme"),
    path("self-assessment/programme/export.csv", views.programme_export, name="programme_export"),
]
