from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "lms.organisations"
    label = "organisations"
    verbose_name = _("Organisations")

    def ready(self):
        from lms.accounts.personal_data import register
        from lms.certificates.services import register_issuer_source

        from . import personal_data
        from .selectors import cohort_issuer

        register_issuer_source(cohort_issuer)
        # The header's staff links are kept with the cached user: a membership changes them.
        from django.db.models.signals import post_delete, post_save

        from .models import Membership
        from .selectors import membership_changed

        post_save.connect(membership_changed, sender=Membership, dispatch_uid="organisations.staff_areas")
        post_delete.connect(membership_changed, sender=Membership, dispatch_uid="organisations.staff_areas_gone")
        register(
            "organisations",
            exporter=personal_data.personal_data,
            eraser=personal_data.erase,
            models=personal_data.MODELS,
        )
