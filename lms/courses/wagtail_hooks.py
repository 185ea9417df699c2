from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("progress/", admin_views.progress_index, name="courses_progress"),
        path("progress/<int:training_id>/", admin_views.progress_detail, name="courses_progress_detail"),
    ]


class ProgressMenuItem(MenuItem):
    def is_shown(self, request):
        return bool(admin_views.trainings_for(request.user))


@hooks.register("register_admin_menu_item")
def register_progress_menu_item():
    return ProgressMenuItem(_("Learner progress"), reverse("courses_progress"), icon_name="list-ul", order=250)
