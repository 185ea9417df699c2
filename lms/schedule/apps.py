from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScheduleConfig(AppConfig):
    name = "lms.schedule"
    label = "schedule"
    verbose_name = _("Contact sessions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from lms.accounts.personal_data import register
        from lms.courses.completion import register_block_view, register_gate

        from .models import Attendance, CalendarFeed, ContactSession, Replacement, SessionSignup
        from .selectors import attendance_gate, personal_data
        from .views import lesson_block

        # A lesson with an *attendance* block completes once the learner has attended enough sessions.
        register_gate("attendance", attendance_gate)
        register_block_view("attendance", lesson_block)
        register(
            "schedule",
            exporter=personal_data,
            models=[ContactSession, SessionSignup, Attendance, Replacement, CalendarFeed],
        )
