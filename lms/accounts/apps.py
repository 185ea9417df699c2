from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "lms.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from lms import checks  # noqa: F401  (registers Kyky's system checks)
