from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LRSConfig(AppConfig):
    name = "lms.lrs"
    label = "lrs"
    verbose_name = _("Learning record stores")

    def ready(self):
        from lms.accounts.personal_data import register

        from .models import Delivery, LRSEndpoint
        from .selectors import personal_data

        # Deliveries go with the statement (CASCADE), so with the user; endpoints a person set up stay
        # for the organisation and lose their creator (SET_NULL).
        register("lrs", exporter=personal_data, models=[Delivery, LRSEndpoint])
