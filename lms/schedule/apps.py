from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScheduleConfig(AppConfig):
    name = "lms.schedule"
    label = "schedule"
    verbose_name = _("Contact sessions")
    default_auto_field = "django.db.models.BigAutoField"
