from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from .blocks import content_blocks


class HomePage(Page):
    """The site root in each language: a welcome and the way to the trainings."""

    body = StreamField(content_blocks(), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [FieldPanel("body")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.TrainingIndexPage", "cms.ContentPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")


class ContentPage(Page):
    """A plain page: about, accessibility statement, privacy notice."""

    body = StreamField(content_blocks(), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [FieldPanel("body")]
    subpage_types = ["cms.ContentPage"]

    class Meta:
        verbose_name = _("content page")
