from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class H5PConfig(AppConfig):
    name = "lms.h5p"
    label = "h5p"
    verbose_name = _("H5P activities")

    def ready(self):
        from lms.accounts.personal_data import register
        from lms.courses.completion import register_activity_results

        from .models import H5PActivity, H5PAttempt, H5PUserData, XAPIStatement
        from .selectors import activity_results, personal_data

        register_activity_results(activity_results)
        # Attempts, saved states and statements go with the user (CASCADE); activities they uploaded
        # stay as training material and lose the uploader (SET_NULL).
        register("h5p", exporter=personal_data, models=[H5PAttempt, H5PUserData, XAPIStatement, H5PActivity])
