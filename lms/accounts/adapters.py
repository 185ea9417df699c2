from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    """Speak to each user in their preferred language.

    URLs carry the language (``/sv/...``), so sending a user to their dashboard in their language
    after logging in is enough for the rest of the visit to follow it.
    """

    def get_login_redirect_url(self, request):
        language = getattr(request.user, "preferred_language", None)
        if language and not request.GET.get("next") and not request.POST.get("next"):
            with translation.override(language):
                return reverse("courses:dashboard")
        return super().get_login_redirect_url(request)

    def send_mail(self, template_prefix, email, context):
        """Render now, in the recipient's language; send from a Celery worker after commit."""
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        from lms.tasks import enqueue_on_commit

        from .tasks import send_rendered_email

        user = context.get("user")
        language = getattr(user, "preferred_language", None) or translation.get_language()
        request = allauth_context.request
        with translation.override(language):
            message = self.render_mail(
                template_prefix,
                email,
                {"request": request, "email": email, "current_site": get_current_site(request), **context},
            )
        html = next(
            (content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), None
        )
        if getattr(message, "content_subtype", "plain") == "html":
            html, body = message.body, ""
        else:
            body = message.body
        enqueue_on_commit(send_rendered_email, message.subject, body, message.from_email, message.to, html)
