from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "lms.courses"
    label = "courses"
    verbose_name = _("Trainings")

    def ready(self):
        from lms.accounts.personal_data import register

        from .models import Enrolment, LessonProgress, ModuleCompletion
        from .selectors import personal_data

        # Erased with the user (CASCADE from the enrolment); certificates detach first.
        register("trainings", exporter=personal_data, models=[Enrolment, LessonProgress, ModuleCompletion])
