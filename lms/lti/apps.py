from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LtiConfig(AppConfig):
    name = "lms.lti"
    label = "lti"
    verbose_name = _("Moodle (LTI 1.3)")

    def ready(self):
        from lms.accounts.personal_data import register
        from lms.courses.signals import training_completed

        from .handlers import grade_on_completion
        from .models import ContextLink, GradeSend, GradeTarget
        from .selectors import personal_data

        training_completed.connect(grade_on_completion, dispatch_uid="lti-grade-on-completion")
        # Deleting the user deletes their targets and sends (CASCADE) and unnames their links (SET_NULL).
        register("lti", exporter=personal_data, models=[GradeTarget, GradeSend, ContextLink])
