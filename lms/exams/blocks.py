"""The *Exam* lesson block: an exam drawn from question pools, checked and scored on the server.

The block holds the exam's rules as the trainer set them; the questions live in pools
(``QuestionPool``), and each learner's attempts in ``ExamAttempt``. ``courses.blocks.requirements_of``
reads the block's raw value as one of the lesson's gates: a lesson whose exam is required completes
only when an attempt passes.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock

from lms.cms.blocks import RICH_TEXT_FEATURES

from .enums import Review


class ExamBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=200, label=_("Title"))
    instructions = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, required=False, label=_("Instructions"))
    pools = blocks.ListBlock(
        SnippetChooserBlock("exams.QuestionPool"), min_num=1, label=_("Question pools to draw from")
    )
    questions_per_attempt = blocks.IntegerBlock(
        min_value=1, max_value=100, default=10, label=_("Questions per attempt")
    )
    per_outcome = blocks.BooleanBlock(
        required=False,
        default=False,
        label=_("Draw that many questions for each learning outcome"),
        help_text=_("Otherwise the questions are drawn from all the pools together."),
    )
    pass_percent = blocks.IntegerBlock(min_value=0, max_value=100, default=70, label=_("Pass mark (%)"))
    max_attempts = blocks.IntegerBlock(
        min_value=0, max_value=100, default=3, label=_("Attempts allowed"), help_text=_("0 for no limit.")
    )
    wait_minutes = blocks.IntegerBlock(
        min_value=0, max_value=60 * 24 * 30, default=0, label=_("Minutes to wait between attempts")
    )
    time_limit_minutes = blocks.IntegerBlock(
        min_value=0, max_value=600, default=0, label=_("Time limit (minutes)"), help_text=_("0 for no limit.")
    )
    review = blocks.ChoiceBlock(choices=Review.choices, default=Review.FEEDBACK, label=_("After an attempt, show"))
    closes_on = blocks.DateBlock(
        required=False,
        label=_("Closes on"),
        help_text=_("Optional. No attempts after the end of this day, Finnish time."),
    )
    estimated_minutes = blocks.IntegerBlock(
        min_value=0, max_value=6000, default=30, label=_("Estimated minutes"), help_text=_("Counted in the workload.")
    )
    required = blocks.BooleanBlock(
        required=False, default=True, label=_("The lesson completes only when the exam is passed")
    )

    class Meta:
        icon = "list-ol"
        label = _("Exam")
