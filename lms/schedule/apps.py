from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScheduleConfig(AppConfig):
    name = "lms.schedule"
    label = "schedule"
    verbose_name = _("Contact sessions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from lms import learner_cache
        from lms.accounts.personal_data import register
        from lms.courses.completion import register_block_view, register_gate

        from .models import Attendance, CalendarFeed, ContactSession, Replacement, SessionSignup
        from .selectors import attendance_gate, personal_data
        from .views import lesson_block

        # A lesson with an *attendance* block completes once the learner has attended enough sessions.
        register_gate("attendance", attendance_gate)
        register_block_view("attendance", lesson_block)
        # *Upcoming sessions* on My trainings is kept in the learner's cache: what it shows replaces the stamps.
        for signal in (post_save, post_delete):
            signal.connect(learner_cache.sessions_changed, sender=ContactSession, dispatch_uid=f"schedule-{signal}")
            for model in (SessionSignup, Attendance, Replacement):
                signal.connect(_touch_learner, sender=model, dispatch_uid=f"schedule-{model.__name__}-{signal}")
        register(
            "schedule",
            exporter=personal_data,
            models=[ContactSession, SessionSignup, Attendance, Replacement, CalendarFeed],
        )


def _touch_learner(sender, instance, **kwargs):
    from lms import learner_cache

    learner_cache.touch(instance.user_id)
