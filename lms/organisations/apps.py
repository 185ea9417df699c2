from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "lms.organisations"
    label = "organisations"
    verbose_name = _("Organisations")

    def ready(self):
        from lms.certificates.services import register_issuer_source

        from .selectors import cohort_issuer

        register_issuer_source(cohort_issuer)
