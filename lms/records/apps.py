from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """Learning records: Kyky's own events as xAPI statements, and the programme's export of them all."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "lms.records"
    verbose_name = "Learning records"

    def ready(self):
        from django.db.models.signals import post_save

        from lms.assignments.models import Submission
        from lms.certificates.models import Certificate
        from lms.courses.models import Enrolment, LessonProgress
        from lms.courses.signals import part_completed, training_completed
        from lms.exams.models import ExamAttempt

        from . import handlers

        post_save.connect(handlers.enrolled, sender=Enrolment, dispatch_uid="records.enrolled")
        post_save.connect(handlers.lesson_saved, sender=LessonProgress, dispatch_uid="records.lesson")
        post_save.connect(handlers.exam_saved, sender=ExamAttempt, dispatch_uid="records.exam")
        post_save.connect(handlers.submission_saved, sender=Submission, dispatch_uid="records.submission")
        post_save.connect(handlers.certificate_saved, sender=Certificate, dispatch_uid="records.certificate")
        part_completed.connect(handlers.part_completed, dispatch_uid="records.part")
        training_completed.connect(handlers.training_completed, dispatch_uid="records.training")
