"""The calendar feed, outside the language prefixes: calendar apps poll one fixed address."""

from django.urls import path

from . import views

app_name = "schedule_feed"

urlpatterns = [
    path("calendar/<str:token>.ics", views.feed, name="feed"),
]
