from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

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
