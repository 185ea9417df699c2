from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("enrol/<int:training_id>/", views.enrol, name="enrol"),
    path("lessons/<int:lesson_id>/questions/<str:question_id>/", views.answer, name="answer"),
    path("lessons/<int:lesson_id>/reflections/<str:reflection_id>/", views.reflect, name="reflect"),
]
