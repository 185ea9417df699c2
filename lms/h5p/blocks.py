from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock


class H5PActivityBlock(blocks.StructBlock):
    activity = SnippetChooserBlock("h5p.H5PActivity")
    title = blocks.CharBlock(required=False, help_text=_("Shown above the activity; defaults to its title."))
    pass_mark = blocks.IntegerBlock(
        required=False,
        min_value=1,
        max_value=100,
        label=_("Pass mark (%)"),
        help_text=_("Overrides the activity's own pass mark in this lesson."),
    )

    class Meta:
        icon = "media"
        label = _("H5P activity")
        template = "h5p/blocks/activity.html"
