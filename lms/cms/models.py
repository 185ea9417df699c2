from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.url_routing import RouteResult

from .blocks import content_blocks
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
            if page is not None:
                if not page.live:
                    raise Http404
                return RouteResult(page)
        return super().route(request, path_components)

    body = StreamField(content_blocks(), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [FieldPanel("body")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.TrainingIndexPage", "cms.ContentPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")


class ContentPage(CachedViewRestrictions, Page):
    """A plain page: about, accessibility statement, privacy notice."""

    body = StreamField(content_blocks(), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [FieldPanel("body")]
    subpage_types = ["cms.ContentPage"]

    class Meta:
        verbose_name = _("content page")
