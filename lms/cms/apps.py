from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "lms.cms"
    label = "cms"
    verbose_name = _("Site pages")

    def ready(self):
        from . import admin_csp

        admin_csp.install()
