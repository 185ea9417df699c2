import copy

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock

from lms import generation


class CachedActivityChooserBlock(SnippetChooserBlock):
    """The activity chooser, whose activities come from the cache (``lms.generation``) when they are there.

    Rendering a lesson turns each H5P block's activity id into the activity; that query is the same for
    every learner, and any change to an activity starts a new content generation.
    """

    def bulk_to_python(self, values):
        keys = {pk: generation.key(f"h5p-activity:{pk}") for pk in values if pk is not None}
        cached = cache.get_many(list(keys.values()))
        found = {pk: cached[key] for pk, key in keys.items() if key in cached}
        missing = [pk for pk in keys if pk not in found]
        if missing:
            fetched = self.model_class.objects.in_bulk(missing)
            cache.set_many({keys[pk]: activity for pk, activity in fetched.items()}, generation.TIMEOUT)
            found.update(fetched)
        return [copy.copy(found[pk]) if found.get(pk) is not None else None for pk in values]


class H5PActivityBlock(blocks.StructBlock):
    activity = CachedActivityChooserBlock("h5p.H5PActivity", label=_("Activity"))
    title = blocks.CharBlock(
        label=_("Title"), required=False, help_text=_("Shown above the activity; defaults to its title.")
    )
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
