from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.urls import reverse, translate_url
from django.utils import translation

from lms import links
from lms.tasks import enqueue_on_commit

from .tasks import send_rendered_email

SERVICE_NAME = "Kyky"


class PublicSite:
    """What allauth's e-mails call ``current_site``: the service's name and public address.

    Without ``django.contrib.sites`` allauth would name the request's host ("Terve palvelusta
    127.0.0.1"), and the links would follow whatever Host header the request carried.
    """

    name = SERVICE_NAME

    @property
    def domain(self) -> str:
        return links.public_domain()

    def __str__(self) -> str:
        return self.name


class AccountAdapter(DefaultAccountAdapter):
    """Speak to each user in their preferred language.

    URLs carry the language (``/sv/...``), so sending a user to their dashboard in their language
    after logging in is enough for the rest of the visit to follow it.
    """

    def get_login_redirect_url(self, request):
        language = self._login_language(request)
        if language:
            with translation.override(language):
                return reverse("courses:dashboard")
        return super().get_login_redirect_url(request)

    def get_logout_redirect_url(self, request):
        """The home page in the language the visitor was reading, where the "signed out" message is shown.

        A bare ``/`` would pick the language again from the browser's settings, and the message,
        already written in the page's language, could land on a page in another.
        """
        return reverse("wagtail_serve", args=[""])

    def add_message(self, request, level, message_template=None, message_context=None, extra_tags="", message=None):
        """Write the message in the language of the page it will be shown on (see ``get_login_redirect_url``)."""
        language = self._login_language(request) if message_template == "account/messages/logged_in.txt" else None
        with translation.override(language or translation.get_language()):
            super().add_message(request, level, message_template, message_context, extra_tags, message)

    @staticmethod
    def _login_language(request) -> str | None:
        """The user's own language, unless the log-in was asked to go elsewhere (``next``)."""
        if request.GET.get("next") or request.POST.get("next"):
            return None
        return getattr(request.user, "preferred_language", None) or None

    def send_mail(self, template_prefix, email, context):
        """Render now, in the recipient's language; send from a Celery worker after commit.

        Links allauth built from the request (confirmation, password reset, sign-up) are moved to the
        public address and into the recipient's language (``lms.links``).
        """
        user = context.get("user")
        language = getattr(user, "preferred_language", None) or translation.get_language()
        request = allauth_context.request
        # translate_url reads the link in the request's language, before the override
        context = {
            key: links.rebased(translate_url(value, language)) if _is_link(key, value) else value
            for key, value in context.items()
        }
        with translation.override(language):
            message = self.render_mail(
                template_prefix,
                email,
                {
                    "request": request,
                    "email": email,
                    "current_site": PublicSite(),
                    "site_url": links.absolute_url(f"/{language}/"),
                    **context,
                },
            )
        html = next(
            (content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), None
        )
        if getattr(message, "content_subtype", "plain") == "html":
            html, body = message.body, ""
        else:
            body = message.body
        enqueue_on_commit(send_rendered_email, message.subject, body, message.from_email, message.to, html)


def _is_link(key: str, value) -> bool:
    return key.endswith("_url") and isinstance(value, str) and value.startswith(("http://", "https://", "/"))
