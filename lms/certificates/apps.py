from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "lms.certificates"
    label = "certificates"
    verbose_name = _("Certificates")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from lms.accounts.personal_data import register
        from lms.courses.signals import part_completed, training_completed

        from . import handlers
        from .models import Certificate, RegenerationJob
        from .selectors import personal_data
        from .services import certificates_erase

        training_completed.connect(handlers.issue_on_completion, dispatch_uid="certificates.issue_on_completion")
        part_completed.connect(handlers.issue_on_part_completion, dispatch_uid="certificates.issue_on_part")
        post_save.connect(handlers.certificate_changed, sender=Certificate, dispatch_uid="certificates.learner_cache")
        post_delete.connect(handlers.certificate_changed, sender=Certificate, dispatch_uid="certificates.learner_gone")
        register(
            "certificates", exporter=personal_data, eraser=certificates_erase, models=[Certificate, RegenerationJob]
        )
