from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelfAssessmentConfig(AppConfig):
    name = "lms.selfassessment"
    label = "selfassessment"
    verbose_name = _("Self-assessments")
    default_auto_field = "django.db.models.BigAutoField"
