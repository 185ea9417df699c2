from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.url_routing import RouteResult

from .blocks import content_blocks, legal_blocks
from .enums import FeedbackStatus, FeedbackTopic, LegalPageKind
from .pages import CachedViewRestrictions


class HomePage(CachedViewRestrictions, Page):
    """The site root in each language: a welcome and the way to the trainings."""

    def route(self, request, path_components):
        """Find the page for the whole remaining path in one query when there is one.

        Wagtail's default walks the tree one query (and one ``specific`` query) per level; a lesson
        is four levels down. ``url_path`` is unique, so one indexed lookup gives the same page.
        Paths that are not a page (a routable page's sub-path) fall back to the walk.
        """
        if path_components:
            url_path = f"{self.url_path}{'/'.join(path_components)}/"
            page = Page.objects.filter(url_path=url_path).specific().first()
            if page is not None and page.live:
                return RouteResult(page)
            # A draft is not served, but a parent may serve something else at its path (a training
            # serves the untranslated lesson there, lms.courses): Wagtail's walk decides.
        return super().route(request, path_components)

    body = StreamField(content_blocks(), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [FieldPanel("body")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.TrainingIndexPage", "cms.ContentPage", "cms.LegalPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")


class ContentPage(CachedViewRestrictions, Page):
    """A plain page, e.g. about the programme."""

    body = StreamField(content_blocks(), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [FieldPanel("body")]
    subpage_types = ["cms.ContentPage"]

    class Meta:
        verbose_name = _("content page")


class LegalPage(CachedViewRestrictions, Page):
    """The accessibility statement or the privacy notice of one language, linked from every footer.

    Staff edit the text; who the controller is and where feedback goes come from the settings
    (``KYKY_CONTROLLER_*``), so the page and the e-mails never disagree. The first text comes from
    ``lms/cms/texts/`` (``manage.py setup_site_pages``).
    """

    kind = models.CharField(_("kind"), max_length=20, choices=LegalPageKind.choices)
    prepared_on = models.DateField(_("prepared on"), help_text=_("When this statement or notice was first made."))
    reviewed_on = models.DateField(_("last reviewed on"), help_text=_("Update this whenever you check the text."))
    body = StreamField(legal_blocks(), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel([FieldPanel("kind"), FieldPanel("prepared_on"), FieldPanel("reviewed_on")], heading=_("Facts")),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("statement or notice")

    def clean(self):
        super().clean()
        others = LegalPage.objects.filter(kind=self.kind, locale_id=self.locale_id).exclude(pk=self.pk)
        if self.kind and self.locale_id and others.exists():
            raise ValidationError({"kind": _("This language already has a page of this kind.")})

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["contacts"] = service_contacts()
        return context


def service_contacts() -> dict:
    """Who answers for the service, from the settings: shown on the statement and the notice."""
    return {
        "controller_name": settings.KYKY_CONTROLLER_NAME,
        "controller_address": settings.KYKY_CONTROLLER_ADDRESS,
        "controller_email": settings.KYKY_CONTROLLER_EMAIL,
        "dpo_contact": settings.KYKY_DPO_CONTACT,
        "accessibility_email": settings.KYKY_ACCESSIBILITY_EMAIL,
    }


class Feedback(models.Model):
    """A message sent with the contact form; kept here first, so nothing is lost if the e-mail fails.

    ``__str__`` names no one: Wagtail's history keeps it as the label of staff actions for good.
    """

    topic = models.CharField(_("topic"), max_length=20, choices=FeedbackTopic.choices)
    message = models.TextField(_("message"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    wants_reply = models.BooleanField(_("wants a reply"), default=False)
    page_url = models.CharField(_("sent from page"), max_length=500, blank=True)
    language = models.CharField(_("language"), max_length=2)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    status = models.CharField(
        _("status"), max_length=20, choices=FeedbackStatus.choices, default=FeedbackStatus.UNHANDLED
    )
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("feedback message")
        verbose_name_plural = _("feedback")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"], name="feedback_status_created")]

    def __str__(self):
        return f"{self.get_topic_display()} #{self.pk}"
