"""Item statistics: how each exam question and each formative question fares, so that trainers find weak ones.

Per exam (a lesson's exam block) and question, over submitted attempts:

- ``n``: the attempts that drew the question.
- *facility*: the share of them that got it right.
- *discrimination*: the point-biserial correlation between the question's 0/1 and the attempt's
  rest-of-test score, the share of the attempt's *other* questions answered right (its score
  without this question, unrounded). That is the corrected item-total correlation: a question that
  the learners who do well elsewhere get right, and the others get wrong, scores high; one that
  weak learners get right more often than strong ones scores below zero. We use it rather than the
  upper/lower 27 % index at every size: attempts draw different questions from the pools, so each
  question is seen by its own few attempts, and the point-biserial uses all of them where the
  27 % index throws away the middle half and jumps by whole learners. Below ``MIN_N`` attempts, or
  when the question (or the rest score) does not vary, a correlation means nothing: ``None``,
  shown as "—".
- for single- and multiple-choice questions, how many attempts chose each option (``selected``
  holds the options' original indexes, whatever order they were shown in).

Weak questions are flagged (only from ``MIN_N`` attempts on): almost everyone right (facility
above 0.95), almost no one (below 0.2), low discrimination (below 0.2), a wrong option that nobody
chose. Every submitted attempt counts by default: later attempts are part of how an exam is
used, and drawing from pools leaves each question few first attempts; the first-attempts view
shows the questions as learners meet them unprepared, before the feedback of an earlier attempt.

The maths are pure functions over ``(draw, results)`` pairs; ``exam_figures`` reads the attempts
in two queries whatever their number and keeps the figures in the cache until an attempt is
submitted or removed. ``tries_figures`` does the same for the lessons' formative questions from
the learners' answers (``courses.services.answer_submit`` records each one's tries).
"""

from __future__ import annotations

import math
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import models
from django.db.models import Count, Max
from django.utils.translation import gettext_lazy as _

from lms.courses.models import LessonProgress

from .models import ExamAttempt

MIN_N = 5  # fewer attempts than this: no discrimination, no flags
EASY, HARD = 0.95, 0.2  # facility above / below
LOW_DISCRIMINATION = 0.2
CHOICE_KINDS = frozenset({"single", "multiple"})


class Flag(models.TextChoices):
    """Why a question may be weak (several may apply)."""

    EASY = "easy", _("Almost everyone gets it right")
    HARD = "hard", _("Almost no one gets it right")
    LOW_DISCRIMINATION = "low_discrimination", _("Does not tell strong and weak learners apart")
    UNCHOSEN_OPTION = "unchosen_option", _("A wrong option nobody chose")


# --- exam questions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemFigures:
    """One question's figures in one exam."""

    question_id: str
    n: int  # attempts that drew it (and scored it)
    right: int
    discrimination: float | None
    chosen: Mapping[int, int] = field(default_factory=dict)  # option index -> attempts that chose it
    blank: int = 0  # attempts that drew it and chose nothing
    pool: str = ""  # the translation key of the pool it was drawn from

    @property
    def facility(self) -> float | None:
        return self.right / self.n if self.n else None


def _pools(draw) -> dict[str, str]:
    """``{question id: its pool's translation key}`` from an attempt's draw."""
    return {
        str(entry["question"]): str(entry.get("pool") or "")
        for entry in draw or ()
        if isinstance(entry, dict) and entry.get("question")
    }


def _chosen(selected) -> list[int]:
    """Option indexes from a choice question's ``selected``: a list of them, or one (anything else: none)."""
    if isinstance(selected, bool):
        return []
    if isinstance(selected, int):
        return [selected]
    if isinstance(selected, list | tuple):
        return sorted({value for value in selected if isinstance(value, int) and not isinstance(value, bool)})
    return []


def correlation(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r (the point-biserial where ``xs`` are 0/1); None where either does not vary."""
    n = len(xs)
    if n < 2:
        return None
    mean_x, mean_y = math.fsum(xs) / n, math.fsum(ys) / n
    sxx = math.fsum((x - mean_x) ** 2 for x in xs)
    syy = math.fsum((y - mean_y) ** 2 for y in ys)
    if sxx < 1e-12 or syy < 1e-12:
        return None
    sxy = math.fsum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def item_figures(attempts: Iterable[tuple[list, Mapping]]) -> dict[str, ItemFigures]:
    """Figures of every question scored in ``attempts`` (``(draw, results)`` of submitted attempts).

    The questions of an attempt are those of its ``results``, as its score counted them: an
    unanswered one is there, wrong; one deleted from its pool before submission counted for nobody
    and is not. The rest-of-test score needs another question in the attempt: an attempt of one
    question counts for the facility only.
    """
    scored: Counter[str] = Counter()
    right: Counter[str] = Counter()
    blank: Counter[str] = Counter()
    chosen: dict[str, Counter[int]] = defaultdict(Counter)
    pairs: dict[str, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    pools: dict[str, str] = {}
    for draw, results in attempts:
        results = results if isinstance(results, dict) else {}
        pools.update(_pools(draw))
        marks = {}
        for qid, result in results.items():
            result = result if isinstance(result, dict) else {}
            marks[qid] = 1 if result.get("correct") is True else 0
            scored[qid] += 1
            right[qid] += marks[qid]
            options = _chosen(result.get("selected"))
            chosen[qid].update(options)
            if not options:
                blank[qid] += 1
        total, others = sum(marks.values()), len(marks) - 1
        if others:
            for qid, mark in marks.items():
                xs, ys = pairs[qid]
                xs.append(mark)
                ys.append((total - mark) / others)
    return {
        qid: ItemFigures(
            question_id=qid,
            n=n,
            right=right[qid],
            discrimination=correlation(*pairs[qid]) if len(pairs[qid][0]) >= MIN_N else None,
            chosen=dict(chosen[qid]),
            blank=blank[qid],
            pool=pools.get(qid, ""),
        )
        for qid, n in scored.items()
    }


@dataclass(frozen=True)
class OptionRow:
    index: int
    text: str
    correct: bool
    count: int
    percent: int  # of the attempts that drew the question (a multiple-choice question's add up to more)


@dataclass(frozen=True)
class ItemRow:
    """A question's line in the report: its figures, its texts (None: removed from its pool) and flags."""

    question_id: str
    question: Mapping | None
    figures: ItemFigures
    options: tuple[OptionRow, ...]
    flags: tuple[str, ...]

    @property
    def removed(self) -> bool:
        return self.question is None

    @property
    def kind(self) -> str:
        return self.question["kind"] if self.question else ""


def _percent(count: int, n: int) -> int:
    return round(count * 100 / n) if n else 0


def option_rows(figures: ItemFigures, question: Mapping | None) -> tuple[OptionRow, ...]:
    """Each option of a choice question with how often it was chosen; nothing for other kinds, nor for
    a question removed from its pool (its options' texts, and what its indexes meant, are gone)."""
    if question is None or question.get("kind") not in CHOICE_KINDS:
        return ()
    return tuple(
        OptionRow(
            index=index,
            text=option["text"],
            correct=bool(option["correct"]),
            count=figures.chosen.get(index, 0),
            percent=_percent(figures.chosen.get(index, 0), figures.n),
        )
        for index, option in enumerate(question.get("options") or [])
    )


def flags_of(figures: ItemFigures, options: Sequence[OptionRow]) -> tuple[str, ...]:
    """Why the question may be weak; nothing below ``MIN_N`` attempts, where chance decides."""
    if figures.n < MIN_N:
        return ()
    flags = []
    if figures.facility > EASY:
        flags.append(Flag.EASY)
    if figures.facility < HARD:
        flags.append(Flag.HARD)
    if figures.discrimination is not None and figures.discrimination < LOW_DISCRIMINATION:
        flags.append(Flag.LOW_DISCRIMINATION)
    if any(not option.correct and option.count == 0 for option in options):
        flags.append(Flag.UNCHOSEN_OPTION)
    return tuple(flags)


SORTS = ("facility", "discrimination", "n")


def item_rows(
    figures: Mapping[str, ItemFigures], questions: Mapping[str, Mapping], *, also: Iterable[str] = (), sort: str = ""
) -> list[ItemRow]:
    """The report's rows: every question with figures, and those of ``also`` (the exam's pools' questions,
    drawn or not) with none yet. ``questions`` are the pools' questions by id; one missing is removed.

    In the pools' order, then the removed ones; or sorted by ``sort`` (one of ``SORTS``, lowest
    first, questions without the figure last), so the weakest come first.
    """
    order = list(dict.fromkeys([*(qid for qid in also), *sorted(figures, key=lambda qid: qid not in questions)]))
    rows = []
    for qid in order:
        item = figures.get(qid) or ItemFigures(question_id=qid, n=0, right=0, discrimination=None)
        question = questions.get(qid)
        options = option_rows(item, question)
        rows.append(ItemRow(qid, question, item, options, flags_of(item, options)))
    if sort in SORTS:
        rows.sort(key=lambda row: (getattr(row.figures, sort) is None, getattr(row.figures, sort) or 0))
    return rows


# --- reading the attempts ----------------------------------------------------------------------

ExamKey = tuple[uuid.UUID, str]  # (lesson key, block id)
CACHE_SECONDS = 60 * 60 * 24


@dataclass(frozen=True)
class ExamFigures:
    attempts: int  # submitted attempts counted
    items: Mapping[str, ItemFigures] = field(default_factory=dict)


def exam_figures(exams: Iterable[ExamKey], *, first_only: bool = False) -> dict[ExamKey, ExamFigures]:
    """The figures of each exam over its submitted attempts (or first attempts): two queries at most.

    The first reads each exam's count and latest submission; the figures of an exam are cached
    under them, so they are recomputed (in one query over every exam that changed) only when an
    attempt is submitted or removed (an erasure).
    """
    exams = list(dict.fromkeys((uuid.UUID(str(key)), str(block)) for key, block in exams))
    if not exams:
        return {}
    submitted = ExamAttempt.objects.filter(
        lesson_key__in={key for key, _block in exams},
        block_id__in={block for _key, block in exams},
        submitted_at__isnull=False,
    )
    if first_only:
        submitted = submitted.filter(number=1)
    states = {
        (row["lesson_key"], row["block_id"]): (row["count"], row["latest"])
        for row in submitted.values("lesson_key", "block_id").annotate(count=Count("id"), latest=Max("submitted_at"))
    }
    figures = {exam: ExamFigures(attempts=0) for exam in exams}
    keys = {
        exam: f"exam-items:2:{exam[0]}:{exam[1]}:{int(first_only)}:{count}:{latest.isoformat()}"
        for exam, (count, latest) in states.items()
        if exam in figures
    }
    found = cache.get_many(list(keys.values())) if keys else {}
    missing = {exam for exam, key in keys.items() if key not in found}
    for exam, key in keys.items():
        if key in found:
            figures[exam] = found[key]
    if missing:
        attempts: dict[ExamKey, list] = defaultdict(list)
        rows = submitted.filter(
            lesson_key__in={key for key, _block in missing}, block_id__in={block for _key, block in missing}
        ).values_list("lesson_key", "block_id", "questions", "results")
        for lesson_key, block_id, draw, results in rows.iterator(chunk_size=2000):
            if (lesson_key, block_id) in missing:
                attempts[(lesson_key, block_id)].append((draw, results))
        computed = {exam: ExamFigures(len(attempts[exam]), item_figures(attempts[exam])) for exam in missing}
        figures.update(computed)
        cache.set_many({keys[exam]: value for exam, value in computed.items()}, CACHE_SECONDS)
    return figures


# --- formative questions -----------------------------------------------------------------------


@dataclass(frozen=True)
class TriesFigures:
    """How many tries a lesson question took the learners who answered it."""

    question_id: str
    answered: int = 0
    first: int = 0  # right at the first try
    second: int = 0
    more: int = 0  # at the third or a later one
    never: int = 0  # not right yet
    unknown: int = 0  # right, at a try from before tries were counted

    def percent(self, count: int) -> int:
        return _percent(count, self.answered)

    @property
    def buckets(self) -> tuple[tuple[str, int], ...]:
        return (("first", self.first), ("second", self.second), ("more", self.more), ("never", self.never))


def tries_of(answers: Iterable[Mapping], question_ids: Iterable[str]) -> dict[str, TriesFigures]:
    """The tries figures of ``question_ids`` over learners' ``answers`` (``LessonProgress.answers``)."""
    counts: dict[str, Counter[str]] = {qid: Counter() for qid in question_ids}
    for learner in answers:
        for qid, tally in counts.items():
            entry = learner.get(qid) if isinstance(learner, dict) else None
            if not isinstance(entry, dict):
                continue
            tally["answered"] += 1
            if "right_at" not in entry:
                tally["never"] += 1
            elif not isinstance(entry["right_at"], int) or isinstance(entry["right_at"], bool):
                tally["unknown"] += 1
            else:
                tally[{1: "first", 2: "second"}.get(entry["right_at"], "more")] += 1
    return {qid: TriesFigures(question_id=qid, **tally) for qid, tally in counts.items()}


def tries_figures(training, lessons: Iterable) -> dict[uuid.UUID, dict[str, TriesFigures]]:
    """``{lesson key: {question id: figures}}`` for the questions of ``lessons`` (``LessonNode``s),
    from the answers of ``training``'s learners: one query, whatever their number."""
    questions = {lesson.key: list(lesson.requirements.questions) for lesson in lessons if lesson.requirements.questions}
    if not questions:
        return {}
    answers: dict[uuid.UUID, list] = defaultdict(list)
    rows = LessonProgress.objects.filter(enrolment__training=training, lesson_key__in=list(questions)).values_list(
        "lesson_key", "answers"
    )
    for lesson_key, entries in rows.iterator(chunk_size=2000):
        answers[lesson_key].append(entries)
    return {key: tries_of(answers[key], ids) for key, ids in questions.items()}
