from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoConfig(AppConfig):
    name = "lms.sso"
    label = "sso"
    verbose_name = _("Organisation logins (SAML)")

    def ready(self):
        from . import checks  # noqa: F401  (registers the deploy check)
