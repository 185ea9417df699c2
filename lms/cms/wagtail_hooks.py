from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from .models import Feedback


@hooks.register("insert_global_admin_js")
def start_admin_widgets_without_inline_scripts():
    """See static/js/admin-csp.js: Wagtail's inline scripts, run from a file under our CSP."""
    return format_html('<script src="{}"></script>', static("js/admin-csp.js"))


class FeedbackPolicy(ModelPermissionPolicy):
    """Django's model permissions (view, change, delete), but nobody adds: messages come from the public form."""

    def user_has_permission(self, user, action):
        return action != "add" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return super().user_has_any_permission(user, [a for a in actions if a != "add"])


class FeedbackViewSet(ModelViewSet):
    """Feedback from the contact form: staff with the view permission read it, with change mark it handled.

    What the sender wrote is shown as read-only text (escaped like any field value), never as HTML.
    """

    model = Feedback
    icon = "mail"
    menu_label = _("Feedback")
    add_to_admin_menu = True
    menu_order = 300
    list_display = ["__str__", "topic", "status", "created_at", "email"]
    list_filter = ["status", "topic"]
    search_fields = ["message", "email", "name"]
    ordering = ["-created_at"]
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = [
        "topic",
        "status",
        "created_at",
        "language",
        "page_url",
        "name",
        "email",
        "wants_reply",
        "message",
    ]
    panels = [
        FieldPanel("topic", read_only=True),
        FieldPanel("created_at", read_only=True),
        FieldPanel("page_url", read_only=True),
        FieldPanel("name", read_only=True),
        FieldPanel("email", read_only=True),
        FieldPanel("wants_reply", read_only=True),
        FieldPanel("message", read_only=True),
        FieldPanel("status"),
    ]


register_permission_policy(Feedback, FeedbackPolicy(Feedback), exact_class=True)


@hooks.register("register_admin_viewset")
def register_feedback_viewset():
    return FeedbackViewSet("cms_feedback")
