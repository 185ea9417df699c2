from django.urls import path

from . import views

app_name = "cms"

urlpatterns = [
    path("contact/", views.contact, name="contact"),
]
