from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "lms.courses"
    label = "courses"
    verbose_name = _("Trainings")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from lms.accounts.personal_data import register

        from . import handlers
        from .models import Enrolment, LessonProgress, ModuleCompletion, PartCompletion
        from .selectors import personal_data

        post_save.connect(handlers.enrolment_changed, sender=Enrolment, dispatch_uid="courses.learner_enrolment")
        post_delete.connect(handlers.enrolment_changed, sender=Enrolment, dispatch_uid="courses.learner_unenrolled")
        post_save.connect(handlers.progress_saved, sender=LessonProgress, dispatch_uid="courses.learner_progress")

        # Erased with the user (CASCADE from the enrolment); certificates detach first.
        register(
            "trainings", exporter=personal_data, models=[Enrolment, LessonProgress, ModuleCompletion, PartCompletion]
        )
