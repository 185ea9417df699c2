from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "lms.courses"
    label = "courses"
    verbose_name = _("Trainings")

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Locale
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from lms.accounts.personal_data import register

        from . import structure
        from .models import LessonPage, ModulePage, TrainingPage

        # Any change to a training's pages starts a new generation of cached structures.
        for model in (TrainingPage, ModulePage, LessonPage):
            post_save.connect(structure.invalidate, sender=model, dispatch_uid=f"structure.save.{model.__name__}")
            post_delete.connect(structure.invalidate, sender=model, dispatch_uid=f"structure.delete.{model.__name__}")
        post_save.connect(structure.invalidate, sender=Locale, dispatch_uid="structure.locale")
        for signal in (page_published, page_unpublished, post_page_move):
            signal.connect(structure.invalidate, dispatch_uid=f"structure.{id(signal)}")

        from .models import Enrolment, LessonProgress, ModuleCompletion
        from .selectors import personal_data

        # Erased with the user (CASCADE from the enrolment); certificates detach first.
        register("trainings", exporter=personal_data, models=[Enrolment, LessonProgress, ModuleCompletion])
