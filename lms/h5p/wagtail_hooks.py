from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .forms import H5PActivityCreateForm, H5PActivityEditForm
from .models import H5PActivity
from .views_admin import H5PActivityCreateView


class H5PActivityViewSet(SnippetViewSet):
    model = H5PActivity
    icon = "media"
    menu_label = _("H5P activities")
    add_to_admin_menu = True
    menu_order = 260
    list_display = ["title", "main_library", "pass_mark", "created_at"]
    search_fields = ["title"]
    add_view_class = H5PActivityCreateView
    # A copy would need the package uploaded again (it is private, and validated on upload): upload it instead.
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return H5PActivityEditForm if for_update else H5PActivityCreateForm


register_snippet(H5PActivityViewSet)
