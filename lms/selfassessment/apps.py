from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelfAssessmentConfig(AppConfig):
    name = "lms.selfassessment"
    label = "selfassessment"
    verbose_name = _("Self-assessments")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from lms import generation
        from lms.accounts.personal_data import register
        from lms.courses.completion import register_block_view, register_gate

        from .models import Response, SelfAssessment
        from .selectors import gates_met, personal_data
        from .views import block_view

        # A lesson whose self-assessment is required completes when the learner has answered it.
        register_gate("self_assessment", gates_met)
        register_block_view("self_assessment", block_view)
        # Learners see a self-assessment as it is cached per content generation (selectors.assessment_of).
        post_save.connect(generation.bump, sender=SelfAssessment, dispatch_uid="generation.selfassessment.save")
        post_delete.connect(generation.bump, sender=SelfAssessment, dispatch_uid="generation.selfassessment.delete")
        # Answers go with the enrolment, and so with the user (CASCADE).
        register("self_assessments", exporter=personal_data, models=[Response])
