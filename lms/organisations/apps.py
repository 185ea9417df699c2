from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "lms.organisations"
    label = "organisations"
    verbose_name = _("Organisations")

    def ready(self):
        from lms.accounts.personal_data import register
        from lms.certificates.services import register_issuer_source

        from . import personal_data
        from .selectors import cohort_issuer

        register_issuer_source(cohort_issuer)
        # The header's staff links are kept with the cached user: a membership changes them.
        from django.db.models.signals import post_delete, post_save

        from .models import Membership
        from .selectors import membership_changed

        post_save.connect(membership_changed, sender=Membership, dispatch_uid="organisations.staff_areas")
        post_delete.connect(membership_changed, sender=Membership, dispatch_uid="organisations.staff_areas_gone")
        self._keep_learner_pages_current()
        register(
            "organisations",
            exporter=personal_data.personal_data,
            eraser=personal_data.erase,
            models=personal_data.MODELS,
        )

    def _keep_learner_pages_current(self):
        """*My trainings* shows each learner's cohorts, their organisation and teachers (lms.learner_cache)."""
        from django.conf import settings
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from lms import learner_cache

        from .models import Cohort, CohortLearner, Organisation

        def place_changed(sender, instance, **kwargs):
            learner_cache.touch(instance.user_id)

        def teacher_renamed(sender, instance, created=False, update_fields=None, **kwargs):
            if created or (update_fields is not None and set(update_fields) <= {"last_login", "password"}):
                return  # someone new, or a log-in: not a teacher's new name
            if Cohort.teachers.through.objects.filter(user_id=instance.pk).exists():
                learner_cache.cohorts_changed()

        for signal, when in ((post_save, "saved"), (post_delete, "deleted")):
            signal.connect(place_changed, sender=CohortLearner, weak=False, dispatch_uid=f"lc.place.{when}")
            for model in (Cohort, Organisation):  # teachers: m2m_changed (Django sends no other signal for them)
                uid = f"lc.{model._meta.label}.{when}"
                signal.connect(learner_cache.cohorts_changed, sender=model, dispatch_uid=uid)
        m2m_changed.connect(learner_cache.cohorts_changed, sender=Cohort.teachers.through, dispatch_uid="lc.teachers")
        post_save.connect(teacher_renamed, sender=settings.AUTH_USER_MODEL, weak=False, dispatch_uid="lc.teacher")
        post_save.connect(_learner_renamed, sender=settings.AUTH_USER_MODEL, dispatch_uid="cohort.sort_name")
        # An erased person may have taught: their name must go from every page at once (their cohort
        # places go with them without a signal). Erasures are rare enough not to ask.
        post_delete.connect(learner_cache.cohorts_changed, sender=settings.AUTH_USER_MODEL, dispatch_uid="lc.erased")


NAME_FIELDS = {"certificate_name", "first_name", "last_name", "email"}  # what User.display_name is made of


def _learner_renamed(sender, instance, created=False, update_fields=None, **kwargs):
    """A learner's new name re-sorts their cohort places (``CohortLearner.sort_name``); one UPDATE, none
    for a log-in or a new account."""
    from .models import CohortLearner, sort_name_of

    if created or (update_fields is not None and not NAME_FIELDS & set(update_fields)):
        return
    name = sort_name_of(instance)
    CohortLearner.objects.filter(user_id=instance.pk).exclude(sort_name=name).update(sort_name=name)
