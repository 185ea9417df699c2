from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExamsConfig(AppConfig):
    name = "lms.exams"
    label = "exams"
    verbose_name = _("Exams")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from lms import generation
        from lms.accounts.personal_data import register
        from lms.courses.completion import register_block_view, register_gate

        from .models import ExamAttempt, QuestionPool
        from .selectors import passed_exams, personal_data
        from .views import exam_block

        # A lesson whose exam is required completes when an attempt passes; the lesson page shows
        # the exam with the learner's attempts.
        register_gate("exam", passed_exams)
        register_block_view("exam", exam_block)
        # Banks of questions are cached per content generation: a saved pool starts a new one.
        post_save.connect(generation.bump, sender=QuestionPool, dispatch_uid="generation.questionpool.save")
        post_delete.connect(generation.bump, sender=QuestionPool, dispatch_uid="generation.questionpool.delete")
        register("exams", exporter=personal_data, models=[ExamAttempt])  # erased with the enrolment
