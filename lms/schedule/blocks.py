"""The *Contact sessions* lesson block: the lesson completes when the learner has attended enough sessions.

A module or a part requires attendance by holding a lesson with this block. Attendance is kept per
session in ``Attendance`` (marked by a teacher, by a check-in code, or replaced by approved work);
the block is one of the lesson's gates.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from lms.cms.blocks import RICH_TEXT_FEATURES


class AttendanceBlock(blocks.StructBlock):
    sessions_required = blocks.IntegerBlock(min_value=1, max_value=50, default=1, label=_("Sessions to attend"))
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, required=False, label=_("What the sessions are for"))
    estimated_minutes = blocks.IntegerBlock(
        min_value=0,
        max_value=6000,
        default=0,
        label=_("Estimated minutes"),
        help_text=_("The sessions' time, counted in the workload."),
    )
    required = blocks.BooleanBlock(
        required=False, default=True, label=_("The lesson completes only when the sessions are attended")
    )

    class Meta:
        icon = "date"
        label = _("Contact sessions")
