"""Lesson blocks: the shared content blocks plus questions and reflection tasks.

A question's correct answers and feedback live only on the server: the template renders the
prompt and the options' texts, and feedback appears only for an answer the learner has submitted.
Every question and reflection is addressed by its StreamField block id, which the content import
keeps stable, so answers survive edits of the lesson.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

from lms.cms.blocks import RICH_TEXT_FEATURES, content_blocks

from .enums import QuestionKind


class OptionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Option text"), max_length=500)
    correct = blocks.BooleanBlock(label=_("Correct answer"), required=False)
    feedback = blocks.TextBlock(
        label=_("Feedback"), required=False, help_text=_("Shown to a learner who chose this option.")
    )

    class Meta:
        icon = "radio-full"
        label = _("Option")


class QuestionBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(label=_("Question type"), choices=QuestionKind.choices, default=QuestionKind.SINGLE)
    prompt = blocks.RichTextBlock(label=_("Question text"), features=["bold", "italic", "link"])
    options = blocks.ListBlock(OptionBlock(), label=_("Options"), min_num=2, max_num=8)
    max_attempts = blocks.IntegerBlock(  # optional: left empty, as before the field existed, means no limit
        label=_("Attempts allowed"),
        required=False,
        min_value=0,
        max_value=100,
        default=0,
        help_text=_("0 or empty for no limit."),
    )

    class Meta:
        icon = "help"
        template = "courses/blocks/question.html"
        label = _("Question")

    def clean(self, value):
        value = super().clean(value)
        correct = sum(1 for option in value["options"] if option["correct"])
        if value["kind"] == QuestionKind.SINGLE and correct != 1:
            raise StructBlockValidationError(
                {"options": ValidationError(_("A single-choice question needs exactly one correct option."))}
            )
        if value["kind"] == QuestionKind.MULTIPLE and correct < 1:
            raise StructBlockValidationError(
                {"options": ValidationError(_("A multiple-choice question needs at least one correct option."))}
            )
        return value


class ReflectionBlock(blocks.StructBlock):
    prompt = blocks.RichTextBlock(label=_("Task"), features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "edit"
        template = "courses/blocks/reflection.html"
        label = _("Reflection task")


class HttpsURLBlock(blocks.URLBlock):
    """A link to a public source: https only, so that no ``javascript:`` or ``data:`` address is ever rendered."""

    def clean(self, value):
        value = super().clean(value)
        if value and not value.lower().startswith("https://"):
            raise ValidationError(_("Give the source's address starting with https://."))
        return value


class ReadingBlock(blocks.StructBlock):
    """An external reading (a Kela page, a THL guide, a law on Finlex) with the time it takes: part of the
    lesson's designed workload, and one of the sources learners see."""

    title = blocks.CharBlock(label=_("Title"), max_length=300)
    publisher = blocks.CharBlock(label=_("Publisher"), max_length=200, help_text=_("E.g. Kela, THL, Finlex."))
    url = HttpsURLBlock(label=_("Address"))
    estimated_minutes = blocks.IntegerBlock(
        label=_("Estimated minutes"), min_value=1, max_value=6000, help_text=_("Counted in the designed workload.")
    )
    note = blocks.TextBlock(label=_("What to read it for"), required=False, max_length=1000)

    class Meta:
        icon = "link-external"
        template = "courses/blocks/reading.html"
        label = _("External reading")


class CitedSourceBlock(blocks.StructBlock):
    """A public source a lesson's facts rest on (a law on Finlex, a Kela page): who says it, where, and when read."""

    title = blocks.CharBlock(label=_("Title"), max_length=300)
    publisher = blocks.CharBlock(label=_("Publisher"), max_length=200, help_text=_("E.g. Kela, THL, Finlex."))
    url = HttpsURLBlock(label=_("Address"))
    accessed = blocks.DateBlock(label=_("Accessed"), help_text=_("The day the source was read."))

    class Meta:
        icon = "link-external"
        label = _("Source")


class SourcesBlock(blocks.StructBlock):
    """The lesson's cited sources, shown to learners as a list "Sources" (usually the lesson's last block).

    A block, not a page field: it is the same for every learner, so it is rendered with the rest of
    the body once per published state (``rendering.lesson_segments``), and the body stays the one
    place that holds what a lesson shows (``sources_of`` reads it with the external readings)."""

    sources = blocks.ListBlock(CitedSourceBlock(), label=_("Sources"), min_num=1, max_num=50)

    class Meta:
        icon = "list-ul"
        template = "courses/blocks/sources.html"
        label = _("Sources")


def lesson_blocks():
    # The H5P and assignment blocks are what courses takes from the apps that build on it: a lesson
    # holds activities and assessed work, whose records those apps keep.
    from lms.assignments.blocks import AssignmentBlock
    from lms.exams.blocks import ExamBlock
    from lms.h5p.blocks import H5PActivityBlock
    from lms.schedule.blocks import AttendanceBlock
    from lms.selfassessment.blocks import SelfAssessmentBlock

    return content_blocks() + [
        ("question", QuestionBlock()),
        ("reflection", ReflectionBlock()),
        ("reading", ReadingBlock()),
        ("sources", SourcesBlock()),
        ("h5p", H5PActivityBlock()),
        ("assignment", AssignmentBlock()),
        ("exam", ExamBlock()),
        ("self_assessment", SelfAssessmentBlock()),
        ("attendance", AttendanceBlock()),
    ]


# Blocks of other apps that a lesson's completion waits for (``completion.register_gate``). Each raw
# value may say ``required`` (default true) and ``estimated_minutes`` (counted in the workload).
GATE_KINDS = frozenset({"exam", "self_assessment", "attendance"})


@dataclass(frozen=True)
class Requirements:
    """What a lesson asks of a learner, read from its blocks (the one place that walks them)."""

    questions: Mapping[str, dict] = field(default_factory=dict)  # id -> {"kind", "prompt", "options", "max_attempts"}
    reflections: frozenset[str] = frozenset()
    h5p: Mapping[int, int | None] = field(default_factory=dict)  # activity id -> the block's pass mark
    assignments: Mapping[str, dict] = field(default_factory=dict)  # block id -> the block's raw value
    reading_minutes: int = 0  # the external readings' estimated time
    gates: Mapping[str, tuple[str, Mapping]] = field(default_factory=dict)  # block id -> (kind, raw value)

    @property
    def gate_minutes(self) -> int:
        """The designed time of the lesson's exams, self-assessments and contact sessions."""
        return sum(_whole(value.get("estimated_minutes")) for _kind, value in self.gates.values())

    def gates_of(self, kind: str) -> dict[str, Mapping]:
        """``{block_id: raw value}`` of the lesson's ``kind`` gate blocks."""
        return {block_id: value for block_id, (k, value) in self.gates.items() if k == kind}


def requirements_of(body) -> Requirements:
    """Questions, reflections, H5P activities, assignments and gates of a lesson body (a StreamValue or raw list).

    Reads the raw block data: no block conversion, no query for the activities the H5P blocks name.
    """
    raw = body.raw_data if hasattr(body, "raw_data") else body or []
    questions, reflections, h5p, assignments, reading_minutes, gates = {}, set(), {}, {}, 0, {}
    for block in raw:
        kind, value, block_id = block.get("type"), block.get("value") or {}, block.get("id")
        if kind == "question":
            options = [option.get("value", option) for option in value.get("options") or []]
            questions[block_id] = {
                "kind": value.get("kind"),
                "prompt": value.get("prompt") or "",  # for the trainers' report
                "options": options,
                "max_attempts": _whole(value.get("max_attempts")),  # 0: no limit
            }
        elif kind == "reflection":
            reflections.add(block_id)
        elif kind == "h5p" and value.get("activity"):
            h5p[int(value["activity"])] = value.get("pass_mark") or None
        elif kind == "assignment":
            assignments[block_id] = value
        elif kind == "reading":
            reading_minutes += _whole(value.get("estimated_minutes"))
        elif kind in GATE_KINDS and block_id:
            gates[block_id] = (kind, value)
    return Requirements(
        questions=questions,
        reflections=frozenset(reflections),
        h5p=h5p,
        assignments=assignments,
        reading_minutes=reading_minutes,
        gates=gates,
    )


@dataclass(frozen=True)
class LessonSource:
    """One source a lesson shows: an external reading or a cited source."""

    kind: str  # "reading" or "cited"
    title: str
    publisher: str
    url: str
    accessed: str = ""  # ISO date, for a cited source


def sources_of(body) -> tuple[LessonSource, ...]:
    """A lesson's sources in their order: its external readings and the items of its sources blocks (raw data)."""
    raw = body.raw_data if hasattr(body, "raw_data") else body or []
    found = []
    for block in raw:
        kind, value = block.get("type"), block.get("value") or {}
        if kind == "reading":
            found.append(
                LessonSource("reading", value.get("title") or "", value.get("publisher") or "", value.get("url") or "")
            )
        elif kind == "sources":
            for item in value.get("sources") or []:
                item = item.get("value", item) if isinstance(item, dict) and "type" in item else item
                found.append(
                    LessonSource(
                        "cited",
                        item.get("title") or "",
                        item.get("publisher") or "",
                        item.get("url") or "",
                        str(item.get("accessed") or ""),
                    )
                )
    return tuple(found)


def _whole(value) -> int:
    """A count or a number of minutes from raw block data: 0 for anything that is not a whole number."""
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError):
        return 0


def check_answer(question: dict, selected: list[int]) -> bool:
    """A single- or multiple-choice answer is right when exactly the correct options are chosen."""
    correct = {index for index, option in enumerate(question["options"]) if option["correct"]}
    return set(selected) == correct
