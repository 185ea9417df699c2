"""What the trainings in ``content/`` hold, read from the files: is the material worth its credits?

Issue 14 asks that the material be checkable: how much of our own text each lesson has, how many
questions each pool, whether the designed workload backs the credits claimed, which lessons are
past their review date or lack a "valid as of" date, how many sources each lesson shows, whether
Swedish and English have the Finnish structure, and whether the single-choice questions give their
answer away (by position or by length). It reads the files through the import's ``Reader`` (so the
content must import) and needs no database, so CI can run it on a checkout. The workload and the
credits it backs are computed by the structure's own ``Workload`` and ``stated_credits`` over the
same raw blocks the import would write, so the figures are the ones the admin and certificates use.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings

from lms.exams.enums import QuestionType

from .blocks import requirements_of, sources_of
from .content_import import (
    LANGUAGES,
    SOURCE_LANGUAGE,
    Mapping,
    Reader,
    TrainingSpec,
    lesson_body,
    render_markdown,
    translated_questions,
    translation_key,
)
from .structure import LessonNode, ModuleNode, PartNode, TrainingStructure

LENGTH_BIAS_LIMIT = Decimal("0.40")  # chance is 1/3-1/4 with 3-4 options; above 40 % length is a giveaway
POSITION_LIMIT = Decimal("0.50")  # one position holding over half the answers of 3+ option questions
MIN_QUESTIONS = 5  # fewer single-choice questions are reported, not judged
WORD = re.compile(r"\w[\w'’-]*")


# --- question quality ------------------------------------------------------------------------


@dataclass(frozen=True)
class ChoiceQuestion:
    """A single- or multiple-choice question as its options' texts and correctness, in one language."""

    kind: str  # "single" or "multiple"
    options: tuple[tuple[str, bool], ...]


@dataclass
class Quality:
    """Whether the correct option's position or length gives it away, over single-choice questions."""

    single: int = 0
    multiple: int = 0
    positions: dict[int, int] = field(default_factory=dict)  # 1-based position -> correct answers there
    longest: int = 0  # questions whose correct option is strictly the longest
    wide: int = 0  # single-choice questions with 3 or more options (the position rule counts these)
    wide_positions: dict[int, int] = field(default_factory=dict)

    def share(self, count: int, total: int | None = None) -> Decimal:
        total = self.single if total is None else total
        return (Decimal(count) / total).quantize(Decimal("0.01")) if total else Decimal(0)

    @property
    def position_shares(self) -> dict[int, Decimal]:
        return {position: self.share(count) for position, count in sorted(self.positions.items())}

    @property
    def longest_share(self) -> Decimal:
        return self.share(self.longest)

    @property
    def length_biased(self) -> bool:
        return self.single >= MIN_QUESTIONS and self.longest_share > LENGTH_BIAS_LIMIT

    @property
    def position_biased(self) -> bool:
        return self.wide >= MIN_QUESTIONS and any(
            self.share(count, self.wide) > POSITION_LIMIT for count in self.wide_positions.values()
        )

    def as_dict(self) -> dict:
        return {
            "single": self.single,
            "multiple": self.multiple,
            "position_shares": {str(k): float(v) for k, v in self.position_shares.items()},
            "longest_correct": self.longest,
            "longest_share": float(self.longest_share),
            "length_biased": self.length_biased,
            "position_biased": self.position_biased,
        }


def _length(text: str) -> int:
    return len(" ".join(str(text).split()))


def question_quality(questions: Iterable[ChoiceQuestion]) -> Quality:
    """Position balance and length bias of the correct option over single-choice questions.

    Multiple-choice questions are counted only: whether a wrong option is absurd is not measurable.
    """
    quality = Quality()
    for question in questions:
        if question.kind != "single":
            quality.multiple += question.kind == "multiple"
            continue
        correct = [n for n, (_text, right) in enumerate(question.options) if right]
        if len(correct) != 1:
            continue
        position = correct[0] + 1
        quality.single += 1
        quality.positions[position] = quality.positions.get(position, 0) + 1
        if len(question.options) >= 3:
            quality.wide += 1
            quality.wide_positions[position] = quality.wide_positions.get(position, 0) + 1
        own = _length(question.options[correct[0]][0])
        if all(own > _length(text) for n, (text, _right) in enumerate(question.options) if n != correct[0]):
            quality.longest += 1
    return quality


# --- reading the files ---------------------------------------------------------------------


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def words(markdown_text) -> int:
    """Words of a Markdown text once its markup is gone (link addresses are not words)."""
    if not isinstance(markdown_text, str) or not markdown_text.strip():
        return 0
    parser = _Text()
    parser.feed(render_markdown(markdown_text))
    parser.close()
    return len(WORD.findall(" ".join(parser.parts)))


def lesson_words(data: Mapping) -> int:
    """Our own text in a lesson: its text blocks, callouts and reflection prompts (not questions or readings)."""
    total = 0
    for block in data.get("body") or []:
        ((kind, value),) = block.items()
        if kind == "text":
            total += words(value)
        elif kind == "callout":
            total += words(value.get("title") or "") + words(value.get("text"))
        elif kind == "reflection":
            total += words(value.get("prompt"))
    return total


def block_signature(data: Mapping) -> list[tuple[str, str | None]]:
    """A lesson's blocks as (type, id): what every language must have in the same order."""
    signature = []
    for block in data.get("body") or []:
        ((kind, value),) = block.items()
        signature.append((kind, value.get("id") if isinstance(value, dict) else None))
    if data.get("sources"):
        signature.append(("sources", None))
    return signature


def lesson_questions(data: Mapping) -> list[ChoiceQuestion]:
    return [
        ChoiceQuestion(
            block["question"]["kind"],
            tuple((option["text"], option["correct"] is True) for option in block["question"]["options"]),
        )
        for block in data.get("body") or []
        if "question" in block
    ]


def pool_choice_questions(questions: list) -> list[ChoiceQuestion]:
    return [
        ChoiceQuestion(q["type"], tuple((o["text"], o["correct"] is True) for o in q["options"]))
        for q in questions
        if q["type"] in (QuestionType.SINGLE, QuestionType.MULTIPLE)
    ]


# --- the report ----------------------------------------------------------------------------


@dataclass
class LessonFacts:
    key: str
    title: str
    minutes: int
    reading_minutes: int
    assessed_minutes: int
    words: dict[str, int]
    sources: dict[str, int]
    valid_as_of: dict[str, datetime.date | None]
    review_by: dict[str, datetime.date | None]
    differs_in: list[str]  # languages whose blocks are not the Finnish ones

    @property
    def without_valid_as_of(self) -> bool:
        return any(value is None for value in self.valid_as_of.values())

    def past_review(self, today: datetime.date) -> bool:
        return any(value is not None and value < today for value in self.review_by.values())


@dataclass
class ModuleFacts:
    key: str
    title: str
    lessons: list[LessonFacts]
    pool_questions: int = 0  # in the pools that name this module


@dataclass
class GroupFacts:
    """A part of a training, or a whole training without parts: what credits are claimed for."""

    key: str
    title: str
    credits: Decimal
    modules: list[ModuleFacts]
    structure: PartNode | TrainingStructure

    @property
    def lessons(self) -> list[LessonFacts]:
        return [lesson for module in self.modules for lesson in module.lessons]

    @property
    def hours_needed(self) -> Decimal:
        return self.credits * settings.KYKY_HOURS_PER_CREDIT

    @property
    def credits_backed(self) -> bool:
        return self.structure.stated_credits >= self.credits


@dataclass
class PoolFacts:
    key: str
    module: str | None
    questions: int
    types: dict[str, int]


@dataclass
class TrainingFacts:
    key: str
    title: str
    credits: Decimal
    workload_hours: int
    groups: list[GroupFacts]  # its parts, or the training itself
    has_parts: bool
    structure: TrainingStructure
    pools: list[PoolFacts]
    quality: dict[str, Quality]  # by language

    @property
    def lessons(self) -> list[LessonFacts]:
        return [lesson for group in self.groups for lesson in group.lessons]

    @property
    def credits_backed(self) -> bool:
        return self.structure.stated_credits >= self.credits


def _lesson(
    training: TrainingSpec, spec, module_key: uuid.UUID, pools: dict[str, int]
) -> tuple[LessonFacts, LessonNode]:
    fi = spec.sources[SOURCE_LANGUAGE].data
    key = translation_key("lesson", training.key, spec.key)
    body = lesson_body(key, fi["body"], pools=pools, assessment=0, sources=fi.get("sources"))
    requirements = requirements_of(body)
    node = LessonNode(
        key=key,
        module_key=module_key,
        rule=fi["completion"],
        pass_percent=fi.get("pass_percent"),
        estimated_minutes=fi["estimated_minutes"],
        requirements=requirements,
        pages={},
    )
    sources = {}
    for language, source in spec.sources.items():
        raw = lesson_body(key, source.data["body"], pools=pools, assessment=0, sources=source.data.get("sources"))
        sources[language] = len(sources_of(raw))
    signature = block_signature(fi)
    facts = LessonFacts(
        key=spec.key,
        title=fi["title"].strip(),
        minutes=fi["estimated_minutes"],
        reading_minutes=requirements.reading_minutes,
        assessed_minutes=node.assignment_minutes,
        words={language: lesson_words(source.data) for language, source in spec.sources.items()},
        sources=sources,
        valid_as_of={language: source.data.get("valid_as_of") for language, source in spec.sources.items()},
        review_by={language: source.data.get("review_by") for language, source in spec.sources.items()},
        differs_in=[
            language
            for language, source in spec.sources.items()
            if language != SOURCE_LANGUAGE and block_signature(source.data) != signature
        ],
    )
    return facts, node


def _modules(training: TrainingSpec, modules, pools: dict[str, int], pool_counts: dict[str, int]):
    facts, nodes = [], []
    for spec in modules:
        module_key = translation_key("module", training.key, spec.key)
        lessons = [_lesson(training, lesson, module_key, pools) for lesson in spec.lessons]
        facts.append(
            ModuleFacts(
                key=spec.key,
                title=spec.sources[SOURCE_LANGUAGE].data["title"].strip(),
                lessons=[lesson for lesson, _node in lessons],
                pool_questions=pool_counts.get(spec.key, 0),
            )
        )
        nodes.append(ModuleNode(key=module_key, pages={}, lessons=tuple(node for _facts, node in lessons)))
    return facts, nodes


def training_facts(training: TrainingSpec) -> TrainingFacts:
    pool_keys = {pool.key: 0 for pool in training.pools}
    pools, pool_counts = [], {}
    questions: dict[str, list[ChoiceQuestion]] = {language: [] for language in LANGUAGES}
    for pool in training.pools:
        rule = pool.sources[SOURCE_LANGUAGE].data
        types: dict[str, int] = {}
        for question in rule["questions"]:
            types[question["type"]] = types.get(question["type"], 0) + 1
        module = rule.get("module")
        pools.append(PoolFacts(pool.key, module, len(rule["questions"]), types))
        if module:
            pool_counts[module] = pool_counts.get(module, 0) + len(rule["questions"])
        for language in LANGUAGES:
            worded = rule["questions"]
            if language != SOURCE_LANGUAGE:
                worded = translated_questions(rule["questions"], pool.sources[language].data["questions"])
            questions[language] += pool_choice_questions(worded)
    for module in training.all_modules:
        for lesson in module.lessons:
            for language in LANGUAGES:
                questions[language] += lesson_questions(lesson.sources[language].data)

    structure_data = training.structure.data
    credits = Decimal(str(structure_data["ects_credits"]))
    groups, all_nodes, part_nodes = [], [], []
    if training.parts:
        for part in training.parts:
            modules, nodes = _modules(training, part.modules, pool_keys, pool_counts)
            node = PartNode(
                key=translation_key("part", training.key, part.key),
                pages={},
                modules=tuple(nodes),
                credits=Decimal(str(part.structure.data["ects_credits"])),
                grading=part.structure.data["grading"],
            )
            part_nodes.append(node)
            all_nodes += nodes
            title = part.sources[SOURCE_LANGUAGE].data["title"].strip()
            groups.append(GroupFacts(part.key, title, node.credits, modules, node))
    else:
        modules, all_nodes = _modules(training, training.modules, pool_keys, pool_counts)
    structure = TrainingStructure(
        key=translation_key("training", training.key),
        default_language=SOURCE_LANGUAGE,
        pages={},
        modules=tuple(all_nodes),
        parts=tuple(part_nodes),
        credits=credits,
    )
    title = training.sources[SOURCE_LANGUAGE].data["title"].strip()
    if not training.parts:
        groups.append(GroupFacts(training.key, title, credits, modules, structure))
    return TrainingFacts(
        key=training.key,
        title=title,
        credits=credits,
        workload_hours=structure_data["workload_hours"],
        groups=groups,
        has_parts=bool(training.parts),
        structure=structure,
        pools=pools,
        quality={language: question_quality(questions[language]) for language in LANGUAGES},
    )


def check(root: Path) -> list[TrainingFacts]:
    """The facts of every training under ``root``; ``ContentError`` if the files would not import."""
    return [training_facts(training) for training in Reader(Path(root)).read()]


def failures(trainings: list[TrainingFacts], today: datetime.date) -> list[str]:
    """The rules the material must pass (``content_check --strict``), as one line per failure."""
    found = []
    for training in trainings:
        groups = training.groups if training.has_parts else []
        for credited in [training, *groups]:
            if not credited.credits_backed:
                found.append(
                    f"{training.key}{'/' + credited.key if credited is not training else ''}: "
                    f"{credited.credits} credits claimed need {credited.credits * settings.KYKY_HOURS_PER_CREDIT} h, "
                    f"the designed workload is {credited.structure.workload.hours} h"
                )
        for lesson in training.lessons:
            if lesson.differs_in:
                found.append(f"{training.key}/{lesson.key}: {', '.join(lesson.differs_in)} blocks differ from fi")
            if lesson.past_review(today):
                dates = ", ".join(f"{k} {v}" for k, v in lesson.review_by.items() if v and v < today)
                found.append(f"{training.key}/{lesson.key}: past its review date ({dates})")
            if lesson.without_valid_as_of:
                missing = ", ".join(k for k, v in lesson.valid_as_of.items() if v is None)
                found.append(f"{training.key}/{lesson.key}: no valid_as_of ({missing})")
        for language, quality in training.quality.items():
            if quality.length_biased:
                found.append(
                    f"{training.key}: the correct option is the longest in {quality.longest_share:.0%} "
                    f"of single-choice questions ({language}; limit {LENGTH_BIAS_LIMIT:.0%})"
                )
        if training.quality[SOURCE_LANGUAGE].position_biased:
            found.append(f"{training.key}: one position holds over {POSITION_LIMIT:.0%} of the correct options")
    return found


# --- output --------------------------------------------------------------------------------


def _average(total: int, count: int) -> int:
    return round(total / count) if count else 0


def _row(cells: list, widths: list[int]) -> str:
    return "  ".join(
        str(c).ljust(w) if n == 0 else str(c).rjust(w) for n, (c, w) in enumerate(zip(cells, widths, strict=True))
    )


WIDTHS = [34, 7, 6, 6, 6, 7, 7, 8, 11, 11]
HEADER = ["", "lessons", "wd fi", "wd sv", "wd en", "min", "sources", "no date", "valid as of", "review by"]


def _lesson_cells(lesson: LessonFacts, today: datetime.date) -> list:
    fi_valid, fi_review = lesson.valid_as_of.get(SOURCE_LANGUAGE), lesson.review_by.get(SOURCE_LANGUAGE)
    review = f"{fi_review}{' !' if lesson.past_review(today) else ''}" if fi_review else "–"
    return [
        f"    {lesson.key}{' *' if lesson.differs_in else ''}"[: WIDTHS[0]],
        "",
        *(lesson.words.get(language, 0) for language in LANGUAGES),
        lesson.minutes + lesson.reading_minutes + lesson.assessed_minutes,
        lesson.sources.get(SOURCE_LANGUAGE, 0),
        "yes" if lesson.without_valid_as_of else "",
        str(fi_valid) if fi_valid else "–",
        review,
    ]


def _summary_cells(label: str, lessons: list[LessonFacts], today: datetime.date) -> list:
    count = len(lessons)
    return [
        label[: WIDTHS[0]],
        count,
        *(_average(sum(lesson.words.get(language, 0) for lesson in lessons), count) for language in LANGUAGES),
        sum(lesson.minutes + lesson.reading_minutes + lesson.assessed_minutes for lesson in lessons),
        sum(lesson.sources.get(SOURCE_LANGUAGE, 0) for lesson in lessons),
        sum(lesson.without_valid_as_of for lesson in lessons),
        "",
        f"{sum(lesson.past_review(today) for lesson in lessons)} past",
    ]


def _workload_line(label: str, credited, credits: Decimal) -> str:
    workload = credited.structure.workload
    needed = credits * settings.KYKY_HOURS_PER_CREDIT
    verdict = (
        "backed"
        if credited.credits_backed
        else f"NOT BACKED (supports {credited.structure.workload.credits_supported(settings.KYKY_HOURS_PER_CREDIT)})"
    )
    return (
        f"  {label}: {credits} credits claimed need {needed} h; designed {workload.hours} h "
        f"(lessons {workload.lesson_hours} h, readings {workload.reading_hours} h, "
        f"assessed work and gates {workload.assignment_hours} h): {verdict}"
    )


def render_table(trainings: list[TrainingFacts], today: datetime.date) -> str:
    lines = [
        f"Content check, {today.isoformat()}; {settings.KYKY_HOURS_PER_CREDIT} h per credit. "
        "Words (wd) are our own text per lesson (text, callouts, reflection prompts); group rows show "
        "averages per lesson. min = designed minutes (lesson, readings, assessed work, gates). "
        "* = sv/en blocks differ from fi; ! = past review."
    ]
    for training in trainings:
        lines += ["", f"{training.title} ({training.key})"]
        lines.append(
            _workload_line("training", training, training.credits) + f"; training.yaml says {training.workload_hours} h"
        )
        for group in training.groups if training.has_parts else []:
            lines.append(_workload_line(f"part {group.key}", group, group.credits))
        lines.append("  " + _row(HEADER, WIDTHS))
        for group in training.groups:
            if training.has_parts:
                lines.append("  " + _row(_summary_cells(f"part {group.key}", group.lessons, today), WIDTHS))
            for module in group.modules:
                label = f"  {module.key}"
                lines.append("  " + _row(_summary_cells(label, module.lessons, today), WIDTHS))
                for lesson in module.lessons:
                    lines.append("  " + _row(_lesson_cells(lesson, today), WIDTHS))
        lines.append("  " + _row(_summary_cells("total (averages per lesson)", training.lessons, today), WIDTHS))
        if training.pools:
            pool_texts = [
                f"{pool.key}{' (module ' + pool.module + ')' if pool.module else ''}: {pool.questions}"
                for pool in training.pools
            ]
            lines.append("  pools: " + "; ".join(pool_texts))
        else:
            lines.append("  pools: none")
        modules = [module for group in training.groups for module in group.modules]
        lines.append(
            "  pool questions per module: " + ", ".join(f"{module.key} {module.pool_questions}" for module in modules)
        )
        quality = training.quality[SOURCE_LANGUAGE]
        positions = ", ".join(f"{position}: {share:.0%}" for position, share in quality.position_shares.items())
        longest = ", ".join(f"{language} {q.longest_share:.0%}" for language, q in training.quality.items())
        flags = [
            *(["LENGTH BIAS"] if any(q.length_biased for q in training.quality.values()) else []),
            *(["POSITION BIAS"] if quality.position_biased else []),
        ]
        lines.append(
            f"  questions: {quality.single} single-choice, {quality.multiple} multiple-choice (lessons and pools); "
            f"correct option at position {positions or '–'}; correct option the longest: {longest}"
            + (f" – {', '.join(flags)}" if flags else "")
        )
        differing = [
            f"{lesson.key} ({', '.join(lesson.differs_in)})" for lesson in training.lessons if lesson.differs_in
        ]
        lines.append(
            "  sv/en structure: "
            + ("the same as fi" if not differing else "differs from fi in " + ", ".join(differing))
        )
    return "\n".join(lines)


def as_json(trainings: list[TrainingFacts], today: datetime.date) -> dict:
    def workload(credited) -> dict:
        load = credited.structure.workload
        return {
            "credits": float(credited.credits),
            "hours_needed": float(credited.credits * settings.KYKY_HOURS_PER_CREDIT),
            "designed_hours": float(load.hours),
            "lesson_hours": float(load.lesson_hours),
            "reading_hours": float(load.reading_hours),
            "assessed_hours": float(load.assignment_hours),
            "credits_backed": credited.credits_backed,
        }

    def lesson(facts: LessonFacts) -> dict:
        return {
            "key": facts.key,
            "title": facts.title,
            "minutes": facts.minutes,
            "reading_minutes": facts.reading_minutes,
            "assessed_minutes": facts.assessed_minutes,
            "words": facts.words,
            "sources": facts.sources,
            "valid_as_of": {k: v.isoformat() if v else None for k, v in facts.valid_as_of.items()},
            "review_by": {k: v.isoformat() if v else None for k, v in facts.review_by.items()},
            "past_review": facts.past_review(today),
            "differs_in": facts.differs_in,
        }

    def counts(lessons: list[LessonFacts]) -> dict:
        return {
            "lessons": len(lessons),
            "words_per_lesson": {
                language: _average(sum(item.words.get(language, 0) for item in lessons), len(lessons))
                for language in LANGUAGES
            },
        }

    def modules(items: list[ModuleFacts]) -> list[dict]:
        return [
            {
                "key": module.key,
                "title": module.title,
                "pool_questions": module.pool_questions,
                **counts(module.lessons),
                "lesson_facts": [lesson(item) for item in module.lessons],
            }
            for module in items
        ]

    def part(facts: GroupFacts) -> dict:
        return {
            "key": facts.key,
            "title": facts.title,
            **workload(facts),
            **counts(facts.lessons),
            "modules": modules(facts.modules),
        }

    return {
        "today": today.isoformat(),
        "hours_per_credit": settings.KYKY_HOURS_PER_CREDIT,
        "trainings": [
            {
                "key": training.key,
                "title": training.title,
                "workload_hours_declared": training.workload_hours,
                **workload(training),
                **counts(training.lessons),
                "parts": [part(item) for item in training.groups] if training.has_parts else [],
                "modules": [] if training.has_parts else modules(training.groups[0].modules),
                "pools": [asdict(pool) for pool in training.pools],
                "questions": {language: quality.as_dict() for language, quality in training.quality.items()},
            }
            for training in trainings
        ],
        "failures": failures(trainings, today),
    }
