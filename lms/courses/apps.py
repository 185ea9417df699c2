from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "lms.courses"
    label = "courses"
    verbose_name = _("Trainings")

    def ready(self):
        from lms.accounts.personal_data import register

        from .selectors import personal_data

        register("trainings", exporter=personal_data)
