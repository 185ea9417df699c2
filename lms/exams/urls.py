from django.urls import path

from . import views

app_name = "exams"

urlpatterns = [
    path("learn/lessons/<int:lesson_id>/exams/<str:block_id>/start/", views.start, name="start"),
    path("exams/attempts/<int:attempt_id>/", views.attempt, name="attempt"),
    path("exams/attempts/<int:attempt_id>/answers/", views.answer, name="answer"),
    path("exams/attempts/<int:attempt_id>/submit/", views.submit, name="submit"),
]
