from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssignmentsConfig(AppConfig):
    name = "lms.assignments"
    label = "assignments"
    verbose_name = _("Assignments")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from lms.accounts.personal_data import register
        from lms.courses.completion import register_assignment_grades, register_assignment_results

        from .models import Submission, SubmissionFile
        from .selectors import approved_assignments, approved_grades, personal_data
        from .services import files_erase

        # A lesson whose assignment must be approved completes only when a reviewer approves it.
        register_assignment_results(approved_assignments)
        register_assignment_grades(approved_grades)  # a part on the 0-5 scale takes its grade from them
        register("assignments", exporter=personal_data, eraser=files_erase, models=[Submission, SubmissionFile])
