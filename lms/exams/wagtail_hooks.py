from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from lms.courses.admin_views import trainings_for

from . import admin_views
from .models import QuestionPool


class QuestionPoolViewSet(SnippetViewSet):
    """Question pools: translated with *Translate* like pages; the default-language pool holds the answers."""

    model = QuestionPool
    icon = "list-ol"
    menu_label = _("Question pools")
    add_to_admin_menu = True
    menu_order = 270
    list_display = ["title", "module", "question_count", "locale"]
    list_filter = ["module"]
    search_fields = ["title"]

    def get_queryset(self, request):
        return QuestionPool.objects.select_related("module", "locale")


register_snippet(QuestionPoolViewSet)


# --- Question statistics (item statistics of exams, tries of lesson questions): admin_views ---


@hooks.register("register_admin_urls")
def register_statistics_urls():
    return [
        path("exams/statistics/", admin_views.statistics_index, name="exams_statistics"),
        path("exams/statistics/<int:training_id>/", admin_views.statistics_detail, name="exams_statistics_detail"),
        path("exams/statistics/<int:training_id>/csv/", admin_views.statistics_csv, name="exams_statistics_csv"),
    ]


class StatisticsMenuItem(MenuItem):
    def is_shown(self, request):
        return bool(trainings_for(request.user))


@hooks.register("register_admin_menu_item")
def register_statistics_menu_item():
    return StatisticsMenuItem(_("Question statistics"), reverse("exams_statistics"), icon_name="list-ol", order=255)
