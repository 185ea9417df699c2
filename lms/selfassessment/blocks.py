"""The *Self-assessment* lesson block: a training's competence statements, answered at its start or end.

Both phases show the same ``SelfAssessment`` (its statements), so that each learner's answers
before and after can be compared statement by statement. The block is one of the lesson's gates:
a lesson whose self-assessment is required completes when the learner has answered it.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock

from .enums import Phase


class SelfAssessmentBlock(blocks.StructBlock):
    assessment = SnippetChooserBlock("selfassessment.SelfAssessment", label=_("Self-assessment"))
    phase = blocks.ChoiceBlock(choices=Phase.choices, default=Phase.START, label=_("When"))
    estimated_minutes = blocks.IntegerBlock(
        min_value=0, max_value=600, default=10, label=_("Estimated minutes"), help_text=_("Counted in the workload.")
    )
    required = blocks.BooleanBlock(
        required=False, default=True, label=_("The lesson completes only when the learner has answered it")
    )

    class Meta:
        icon = "pick"
        label = _("Self-assessment")
