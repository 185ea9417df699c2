"""The *Exam* lesson block, and the question blocks of a question pool.

The exam block holds the exam's rules as the trainer set them; the questions live in pools
(``QuestionPool``), and each learner's attempts in ``ExamAttempt``. ``courses.blocks.requirements_of``
reads the block's raw value as one of the lesson's gates: a lesson whose exam is required completes
only when an attempt passes.

A question's block id is its id: the attempts name their questions by it, and a translated pool
gives its texts under the same ids. The correct answers live only in the default-language pool.
"""

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import blocks
from wagtail.blocks.stream_block import StreamBlockValidationError
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.snippets.blocks import SnippetChooserBlock

from lms.cms.blocks import RICH_TEXT_FEATURES

from .enums import QuestionType, Review

PROMPT_FEATURES = ["bold", "italic", "link"]


class ChoiceOptionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Option text"), max_length=500)
    correct = blocks.BooleanBlock(label=_("Correct answer"), required=False)
    feedback = blocks.TextBlock(
        label=_("Feedback"), required=False, help_text=_("Shown after the attempt to a learner who chose this option.")
    )

    class Meta:
        icon = "radio-full"
        label = _("Option")


class PairBlock(blocks.StructBlock):
    left = blocks.CharBlock(label=_("Item"), max_length=300)
    right = blocks.CharBlock(label=_("Its match"), max_length=300)

    class Meta:
        icon = "link"
        label = _("Pair")


def _outcome():
    return blocks.CharBlock(
        label=_("Learning outcome"),
        max_length=20,
        required=False,
        help_text=_("A short tag such as LO1: an exam can draw questions per learning outcome."),
    )


def _feedback():
    return blocks.TextBlock(
        label=_("Feedback on the question"), required=False, help_text=_("Shown after the attempt.")
    )


class _QuestionBlock(blocks.StructBlock):
    prompt = blocks.RichTextBlock(label=_("Question text"), features=PROMPT_FEATURES)


class _ChoiceQuestionBlock(_QuestionBlock):
    """Single and multiple choice: the same fields, told apart by how many options may be correct."""

    options = blocks.ListBlock(ChoiceOptionBlock(), label=_("Options"), min_num=2, max_num=8)
    outcome = _outcome()
    feedback = _feedback()


class SingleChoiceBlock(_ChoiceQuestionBlock):
    class Meta:
        icon = "radio-full"
        label = QuestionType.SINGLE.label

    def clean(self, value):
        value = super().clean(value)
        if sum(1 for option in value["options"] if option["correct"]) != 1:
            raise StructBlockValidationError(
                {"options": ValidationError(_("A single-choice question needs exactly one correct option."))}
            )
        return value


class MultipleChoiceBlock(_ChoiceQuestionBlock):
    class Meta:
        icon = "tasks"
        label = QuestionType.MULTIPLE.label

    def clean(self, value):
        value = super().clean(value)
        if not any(option["correct"] for option in value["options"]):
            raise StructBlockValidationError(
                {"options": ValidationError(_("A multiple-choice question needs at least one correct option."))}
            )
        return value


class NumericBlock(_QuestionBlock):
    """A number to write: right when within ``tolerance`` of ``answer`` (learners may write 2,5 or 2.5)."""

    answer = blocks.DecimalBlock(label=_("Correct answer"), max_digits=16, decimal_places=6)
    tolerance = blocks.DecimalBlock(
        label=_("Tolerance"),
        min_value=0,
        max_digits=16,
        decimal_places=6,
        default=0,
        help_text=_("An answer this far from the correct one, or closer, is right."),
    )
    unit = blocks.CharBlock(label=_("Unit"), max_length=20, required=False, help_text=_("E.g. %, €, h."))
    outcome = _outcome()
    feedback = _feedback()

    class Meta:
        icon = "decimal"
        label = QuestionType.NUMERIC.label


class MatchingBlock(_QuestionBlock):
    """Pairs to match: the learner matches each item to one of the matches, shown shuffled."""

    pairs = blocks.ListBlock(PairBlock(), label=_("Pairs"), min_num=2, max_num=8)
    outcome = _outcome()
    feedback = _feedback()

    class Meta:
        icon = "link"
        label = QuestionType.MATCHING.label

    def clean(self, value):
        value = super().clean(value)
        for side in ("left", "right"):
            texts = [" ".join(pair[side].split()).casefold() for pair in value["pairs"]]
            if len(set(texts)) != len(texts):
                raise StructBlockValidationError(
                    {
                        "pairs": ValidationError(
                            _("Each item and each match must be different: the same text twice cannot be matched.")
                        )
                    }
                )
        return value


class QuestionsBlock(blocks.StreamBlock):
    """A pool's questions; the same question twice (the same type and text) is refused."""

    single = SingleChoiceBlock()
    multiple = MultipleChoiceBlock()
    numeric = NumericBlock()
    matching = MatchingBlock()

    def clean(self, value):
        value = super().clean(value)
        seen: dict = {}
        duplicates: dict = {}
        for index, child in enumerate(value):
            prompt = " ".join(strip_tags(str(getattr(child.value["prompt"], "source", ""))).split()).casefold()
            key = (child.block_type, prompt)
            if key in seen:
                duplicates[index] = ValidationError(
                    _("This question repeats question %(number)s.") % {"number": seen[key] + 1}
                )
            else:
                seen[key] = index
        ids = [child.id for child in value if child.id]
        if duplicates or len(ids) != len(set(ids)):
            errors = ErrorList(
                [
                    ngettext(
                        "%(count)d question repeats another one in this pool. Change or delete it.",
                        "%(count)d questions repeat others in this pool. Change or delete them.",
                        max(len(duplicates), 1),
                    )
                    % {"count": max(len(duplicates), 1)}
                ]
            )
            raise StreamBlockValidationError(block_errors=duplicates, non_block_errors=errors)
        return value


class ExamBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=200, label=_("Title"))
    instructions = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, required=False, label=_("Instructions"))
    pools = blocks.ListBlock(
        SnippetChooserBlock("exams.QuestionPool", label=_("Question pool")),
        min_num=1,
        label=_("Question pools to draw from"),
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

    def clean(self, value):
        """Refuse an exam that could never draw what it promises, and results promised after a closing never set."""
        value = super().clean(value)
        if value["review"] == Review.AFTER_CLOSE and not value["closes_on"]:
            raise StructBlockValidationError(
                {"closes_on": ValidationError(_("Set the day the exam closes: the results are shown after it."))}
            )
        from .selectors import bank_for  # the models import this module

        bank = bank_for([pool.pk for pool in value["pools"] if pool is not None])
        wanted = value["questions_per_attempt"]
        if value["per_outcome"]:
            short = sorted(outcome or "–" for outcome, count in bank.outcome_counts().items() if count < wanted)
            if short:
                raise StructBlockValidationError(
                    {
                        "questions_per_attempt": ValidationError(
                            _(
                                "The pools hold fewer than %(count)s questions for these learning outcomes: "
                                "%(outcomes)s. Add questions or draw fewer."
                            )
                            % {"count": wanted, "outcomes": ", ".join(short)}
                        )
                    }
                )
        elif len(bank.questions) < wanted:
            raise StructBlockValidationError(
                {
                    "questions_per_attempt": ValidationError(
                        _("The pools hold %(held)s questions, fewer than %(count)s. Add questions or draw fewer.")
                        % {"held": len(bank.questions), "count": wanted}
                    )
                }
            )
        return value
