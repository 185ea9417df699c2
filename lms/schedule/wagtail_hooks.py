"""Trainers add a training's open contact sessions in the admin (Django model permissions decide who)."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .forms import AdminSessionForm
from .models import ContactSession


class ContactSessionViewSet(SnippetViewSet):
    model = ContactSession
    icon = "date"
    menu_label = _("Contact sessions")
    add_to_admin_menu = True
    menu_order = 280
    list_display = ["title", "training", "starts_at", "seats", "cancelled_at"]
    list_filter = ["training"]
    search_fields = ["title"]
    ordering = ["-starts_at"]

    def get_form_class(self, for_update=False):
        return AdminSessionForm

    def get_queryset(self, request):
        # Cohorts' sessions belong to their teachers' pages; here only the training's open ones.
        return ContactSession.objects.filter(cohort__isnull=True).select_related("training")


register_snippet(ContactSessionViewSet)
