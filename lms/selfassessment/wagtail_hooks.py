from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import SelfAssessment


class SelfAssessmentViewSet(SnippetViewSet):
    model = SelfAssessment
    icon = "pick"
    menu_label = _("Self-assessments")
    add_to_admin_menu = True
    menu_order = 280
    list_display = ["title"]
    search_fields = ["title"]


register_snippet(SelfAssessmentViewSet)
