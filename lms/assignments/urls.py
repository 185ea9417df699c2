from django.urls import path

from . import views

app_name = "assignments"

urlpatterns = [
    path("learn/lessons/<int:lesson_id>/assignments/<str:block_id>/", views.hand_in, name="hand_in"),
    path("learn/assignment-files/<int:file_id>/", views.file_download, name="file"),
    path("reviews/", views.queue, name="queue"),
    path("reviews/<int:submission_id>/", views.review, name="review"),
]
