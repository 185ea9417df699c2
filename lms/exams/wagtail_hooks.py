from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import QuestionPool


class QuestionPoolViewSet(SnippetViewSet):
    model = QuestionPool
    icon = "list-ol"
    menu_label = _("Question pools")
    add_to_admin_menu = True
    menu_order = 270
    list_display = ["title"]
    search_fields = ["title"]


register_snippet(QuestionPoolViewSet)
