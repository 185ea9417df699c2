"""Content blocks shared by every page that has a body."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

from .enums import CalloutStyle

RICH_TEXT_FEATURES = ["h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link", "blockquote"]


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Alternative text"),
        required=False,
        help_text=_("Describe the image for screen-reader users; leave empty if decorative."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "cms/blocks/image.html"


class VideoBlock(blocks.StructBlock):
    video = EmbedBlock(label=_("Video"), help_text=_("A YouTube or Vimeo address."))
    caption = blocks.CharBlock(label=_("Caption"), required=False)

    class Meta:
        icon = "media"
        label = _("Video")
        template = "cms/blocks/video.html"


class CalloutBlock(blocks.StructBlock):
    style = blocks.ChoiceBlock(label=_("Style"), choices=CalloutStyle.choices, default=CalloutStyle.INFO)
    title = blocks.CharBlock(label=_("Title"), required=False)
    text = blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "help"
        label = _("Callout")
        template = "cms/blocks/callout.html"


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(label=_("Title"), required=False, help_text=_("Defaults to the document's title."))

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "cms/blocks/document.html"


def content_blocks():
    """The blocks every body offers, as a fresh list (StreamField wants its own instances)."""
    return [
        ("text", blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT_FEATURES, template="cms/blocks/text.html")),
        ("image", ImageBlock()),
        ("video", VideoBlock()),
        ("callout", CalloutBlock()),
        ("document", DocumentBlock()),
    ]


def legal_blocks():
    """A statement's or notice's blocks: text with section headings (h2), callouts and documents."""
    return [
        ("text", blocks.RichTextBlock(features=["h2", *RICH_TEXT_FEATURES], template="cms/blocks/text.html")),
        ("callout", CalloutBlock()),
        ("document", DocumentBlock()),
    ]
