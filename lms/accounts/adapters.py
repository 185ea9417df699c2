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
        user = context.get("user")
        language = getattr(user, "preferred_language", None) or translation.get_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, context)
