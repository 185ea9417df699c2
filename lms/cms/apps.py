from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "lms.cms"
    label = "cms"
    verbose_name = _("Site pages")

    def ready(self):
        from django.core.signals import request_finished, request_started
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Locale, Page, PageViewRestriction, Site
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from lms import generation
        from lms.accounts.personal_data import register

        from . import admin_csp, personal_data
        from .models import Feedback

        admin_csp.install()
        register("feedback", exporter=personal_data.personal_data, eraser=personal_data.erase, models=[Feedback])

        request_started.connect(generation.request_started, dispatch_uid="generation.request_started")
        request_finished.connect(generation.request_finished, dispatch_uid="generation.request_finished")

        # Any change to what is published starts a new content generation (lms/generation.py).
        def page_changed(sender, instance=None, **kwargs):
            if isinstance(instance, Page):
                generation.bump()

        post_save.connect(page_changed, dispatch_uid="generation.page.save", weak=False)
        post_delete.connect(page_changed, dispatch_uid="generation.page.delete", weak=False)
        for model in (Site, Locale, PageViewRestriction):
            post_save.connect(generation.bump, sender=model, dispatch_uid=f"generation.{model.__name__}.save")
            post_delete.connect(generation.bump, sender=model, dispatch_uid=f"generation.{model.__name__}.delete")
        for signal in (page_published, page_unpublished, post_page_move):
            signal.connect(generation.bump, dispatch_uid=f"generation.{signal!r}")
