"""The *Assignment* lesson block: what a learner hands in and how a teacher assesses it.

The block holds the assignment as the trainer wrote it; what learners hand in is stored per round
in ``Submission``. ``courses.blocks.requirements_of`` reads the block's raw value into the lesson's
requirements, so the training's structure knows every assignment without converting blocks.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

from lms.cms.blocks import RICH_TEXT_FEATURES

from .enums import Grading, HandIn
from .files import FILE_TYPES, MAX_FILE_MB


class LevelBlock(blocks.StructBlock):
    label = blocks.CharBlock(max_length=80, label=_("Level"))
    description = blocks.TextBlock(required=False, label=_("What work at this level shows"))

    class Meta:
        icon = "list-ul"
        label = _("Level")


class CriterionBlock(blocks.StructBlock):
    name = blocks.CharBlock(max_length=120, label=_("Criterion"))
    description = blocks.TextBlock(required=False, label=_("Description"))
    levels = blocks.ListBlock(LevelBlock(), min_num=2, max_num=6, label=_("Levels, from weakest to strongest"))

    class Meta:
        icon = "tick"
        label = _("Criterion")


class AssignmentBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=200, label=_("Title"))
    instructions = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Instructions"))
    hand_in = blocks.ChoiceBlock(choices=HandIn.choices, default=HandIn.BOTH, label=_("What to hand in"))
    file_types = blocks.MultipleChoiceBlock(
        choices=[(key, kind.label) for key, kind in FILE_TYPES.items()],
        required=False,
        default=["pdf", "docx", "odt"],
        label=_("Allowed file types"),
    )
    max_file_mb = blocks.IntegerBlock(min_value=1, max_value=MAX_FILE_MB, default=10, label=_("Largest file (MB)"))
    max_files = blocks.IntegerBlock(min_value=1, max_value=10, default=3, label=_("Most files per submission"))
    rubric = blocks.ListBlock(CriterionBlock(), min_num=0, max_num=12, label=_("Rubric"))
    grading = blocks.ChoiceBlock(choices=Grading.choices, default=Grading.PASS_FAIL, label=_("Grading"))
    estimated_hours = blocks.DecimalBlock(
        min_value=0, max_value=500, decimal_places=1, default=1, label=_("Estimated hours of work")
    )
    deadline = blocks.DateBlock(
        required=False,
        label=_("Deadline"),
        help_text=_("Optional. Submissions are refused after the end of this day, Finnish time."),
    )
    required = blocks.BooleanBlock(
        required=False,
        default=True,
        label=_("The lesson completes only when the assignment is approved"),
    )

    class Meta:
        icon = "doc-full"
        label = _("Assignment")
        template = "assignments/blocks/assignment.html"

    def clean(self, value):
        value = super().clean(value)
        if value["hand_in"] != HandIn.TEXT and not value["file_types"]:
            raise StructBlockValidationError(
                block_errors={"file_types": ValidationError(_("Choose at least one file type, or ask for text only."))}
            )
        return value
