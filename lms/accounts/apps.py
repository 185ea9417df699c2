from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "lms.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from allauth.account.models import EmailAddress, EmailConfirmation
        from django.contrib.auth.models import Group
        from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
        from wagtail.models import ModelLogEntry, PageLogEntry

        from lms import audit, checks  # noqa: F401  (Kyky's system checks; Kyky's log actions for Wagtail)

        from . import admin_data, backends, handlers
        from .models import ExternalIdentity, User
        from .personal_data import account_data, register

        # External logins go with the account (CASCADE): nothing to erase first.
        register("account", exporter=account_data, models=[User, EmailAddress, EmailConfirmation, ExternalIdentity])
        register("admin", exporter=admin_data.personal_data, eraser=admin_data.erase, models=admin_data.MODELS)
        register("activity_log", exporter=audit.personal_data, eraser=audit.erase, models=[ModelLogEntry, PageLogEntry])

        m2m_changed.connect(handlers.user_groups_changed, sender=User.groups.through, dispatch_uid="audit.user_groups")
        m2m_changed.connect(
            handlers.group_permissions_changed, sender=Group.permissions.through, dispatch_uid="audit.group_permissions"
        )
        pre_save.connect(handlers.user_flags_before_save, sender=User, dispatch_uid="audit.user_flags_before")
        post_save.connect(handlers.user_flags_after_save, sender=User, dispatch_uid="audit.user_flags_after")
        post_save.connect(backends.user_changed, sender=User, dispatch_uid="accounts.cached_user_saved")
        post_delete.connect(backends.user_changed, sender=User, dispatch_uid="accounts.cached_user_deleted")
