from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class H5PConfig(AppConfig):
    name = "lms.h5p"
    label = "h5p"
    verbose_name = _("H5P activities")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from lms import generation
        from lms.accounts.personal_data import register
        from lms.courses.completion import register_activity_pass_marks, register_activity_results
        from lms.courses.selectors import register_lesson_rider

        from .models import H5PActivity, H5PAttempt, H5PUserData, XAPIStatement
        from .selectors import LESSON_RIDER, activity_pass_marks, activity_results, personal_data

        register_activity_results(activity_results)
        register_lesson_rider(LESSON_RIDER)  # the lesson page reads attempts and states in its own query
        register_activity_pass_marks(activity_pass_marks)
        # An activity's own pass mark is part of the trainings' cached structures.
        post_save.connect(generation.bump, sender=H5PActivity, dispatch_uid="generation.h5p.save")
        post_delete.connect(generation.bump, sender=H5PActivity, dispatch_uid="generation.h5p.delete")
        # Attempts, saved states and statements go with the user (CASCADE); activities they uploaded
        # stay as training material and lose the uploader (SET_NULL).
        register("h5p", exporter=personal_data, models=[H5PAttempt, H5PUserData, XAPIStatement, H5PActivity])
