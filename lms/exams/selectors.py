"""Reads: the questions an exam draws from (a *bank*, cached per content generation), an exam's rules,
and a learner's attempts.

A bank is the union of some pools: the default-language pools' questions with their answers, and
the translated pools' texts by question id. It is the same for everyone and changes only when a
pool is saved (which starts a new content generation), so it is built once and kept in the cache:
drawing, answering and showing an attempt read no pool rows.
"""

from __future__ import annotations

import datetime
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from lms import generation
from lms.courses.structure import default_language, structure_for

from .enums import QuestionType, Review
from .models import ExamAttempt, QuestionPool


def items(raw) -> list:
    """A ListBlock's raw items (``{"type": "item", "value": ...}``, or bare values in old data) as values."""
    return [item["value"] if isinstance(item, dict) and "value" in item else item for item in raw or []]


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _question(block: Mapping, pool_key: uuid.UUID) -> dict | None:
    """A raw pool block as plain data: ``{"id", "kind", "pool", "outcome", "prompt", "feedback", ...}``."""
    kind, value, block_id = block.get("type"), block.get("value") or {}, block.get("id")
    if kind not in QuestionType.values or not block_id or not isinstance(value, dict):
        return None
    question = {
        "id": block_id,
        "kind": kind,
        "pool": str(pool_key),
        "outcome": _text(value.get("outcome")).strip(),
        "prompt": _text(value.get("prompt")),
        "feedback": _text(value.get("feedback")),
    }
    if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        question["options"] = [
            {
                "text": _text(option.get("text")),
                "correct": bool(option.get("correct")),
                "feedback": _text(option.get("feedback")),
            }
            for option in items(value.get("options"))
            if isinstance(option, dict)
        ]
    elif kind == QuestionType.NUMERIC:
        question["answer"] = _decimal_text(value.get("answer"))
        question["tolerance"] = _decimal_text(value.get("tolerance")) or "0"
        question["unit"] = _text(value.get("unit"))
    else:
        question["pairs"] = [
            {"left": _text(pair.get("left")), "right": _text(pair.get("right"))}
            for pair in items(value.get("pairs"))
            if isinstance(pair, dict)
        ]
    return question


def _decimal_text(value) -> str:
    try:
        number = Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return ""
    return format(number, "f") if number is not None and number.is_finite() else ""


def choices_of(question: Mapping) -> int:
    """How many options (or pairs) a question has: what an answer's indexes must stay below."""
    return len(question.get("options") or question.get("pairs") or ())


@dataclass(frozen=True)
class Bank:
    """The questions of some pools: ``questions`` by id in the default language (the rules), and
    ``translations`` (language -> question id -> the question as the translated pool words it)."""

    questions: Mapping[str, dict] = field(default_factory=dict)
    translations: Mapping[str, Mapping[str, dict]] = field(default_factory=dict)
    default_language: str = ""

    def outcome_counts(self) -> dict[str, int]:
        return dict(Counter(question["outcome"] for question in self.questions.values()))

    def worded(self, question_id: str, language: str) -> tuple[dict, str]:
        """The question in ``language`` where its pool is translated, else in the default language;
        and the language of its texts when that is not ``language`` (for a ``lang`` attribute)."""
        rule = self.questions[question_id]
        own = self.translations.get(language, {}).get(question_id)
        if own is None or own["kind"] != rule["kind"]:
            return rule, "" if language == self.default_language else self.default_language
        worded = {**rule, "prompt": own["prompt"] or rule["prompt"], "feedback": own["feedback"]}
        if "options" in rule:
            texts = own.get("options") or []
            worded["options"] = [
                {**option, **({"text": t["text"], "feedback": t["feedback"]} if (t := _at(texts, i)) else {})}
                for i, option in enumerate(rule["options"])
            ]
        if "pairs" in rule:
            texts = own.get("pairs") or []
            worded["pairs"] = [{**pair, **(_at(texts, i) or {})} for i, pair in enumerate(rule["pairs"])]
        if "unit" in rule:
            worded["unit"] = own.get("unit") or rule["unit"]
        return worded, ""


def _at(sequence: list, index: int):
    return sequence[index] if index < len(sequence) else None


def bank_for(pool_ids: Iterable) -> Bank:
    """The bank of the pools ``pool_ids`` (any language versions): one query, then from the cache."""
    ids = sorted({int(pk) for pk in pool_ids if str(pk).isdigit()})
    if not ids:
        return Bank(default_language=default_language())
    return generation.cached(f"exam-bank:{','.join(map(str, ids))}", lambda: _build_bank(ids), immutable=True)


def _build_bank(ids: list[int]) -> Bank:
    default = default_language()
    keys = QuestionPool.objects.filter(pk__in=ids).values("translation_key")
    rows = list(
        QuestionPool.objects.filter(translation_key__in=keys)
        .order_by("pk")
        .values_list("pk", "translation_key", "locale__language_code", "questions")
    )
    by_key: dict = {}
    for pk, key, language, questions in rows:
        by_key.setdefault(key, {})[language] = (pk, questions)
    rules: dict[str, dict] = {}
    translations: dict[str, dict[str, dict]] = {}
    for key, versions in by_key.items():
        # The default-language pool is the rule; a pool that exists only in another language is its own.
        rule_language = default if default in versions else next(lang for lang in versions if versions[lang][0] in ids)
        for language, (_pk, questions) in versions.items():
            raw = questions.raw_data if hasattr(questions, "raw_data") else questions or []
            for block in raw:
                question = _question(block, key)
                if question is None:
                    continue
                if language == rule_language:
                    rules.setdefault(question["id"], question)
                else:
                    translations.setdefault(language, {})[question["id"]] = question
    return Bank(questions=rules, translations=translations, default_language=default)


@dataclass(frozen=True)
class Exam:
    """An exam block's rules, as the default-language lesson states them."""

    block_id: str
    lesson_key: uuid.UUID
    title: str
    pool_ids: tuple[int, ...]
    questions_per_attempt: int
    per_outcome: bool
    pass_percent: int
    max_attempts: int
    wait_minutes: int
    time_limit_minutes: int
    review: str
    closes_on: datetime.date | None
    required: bool

    @property
    def bank(self) -> Bank:
        return bank_for(self.pool_ids)

    def questions_drawn(self) -> int:
        """How many questions an attempt holds: fewer than asked where the pools hold fewer."""
        bank = self.bank
        if self.per_outcome:
            return sum(min(count, self.questions_per_attempt) for count in bank.outcome_counts().values())
        return min(len(bank.questions), self.questions_per_attempt)


def _int(value, default: int = 0) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return default


def exam_of(lesson_key, block_id: str, value: Mapping) -> Exam:
    """An exam block's raw value as rules."""
    closes = value.get("closes_on")
    try:
        closes_on = datetime.date.fromisoformat(closes) if isinstance(closes, str) and closes else None
    except ValueError:
        closes_on = None
    review = value.get("review")
    return Exam(
        block_id=block_id,
        lesson_key=lesson_key,
        title=_text(value.get("title")),
        pool_ids=tuple(int(pk) for pk in items(value.get("pools")) if str(pk).isdigit()),
        questions_per_attempt=_int(value.get("questions_per_attempt"), 10) or 1,
        per_outcome=bool(value.get("per_outcome")),
        pass_percent=min(100, _int(value.get("pass_percent"), 70)),
        max_attempts=_int(value.get("max_attempts")),
        wait_minutes=_int(value.get("wait_minutes")),
        time_limit_minutes=_int(value.get("time_limit_minutes")),
        review=review if review in Review.values else Review.FEEDBACK,
        closes_on=closes_on,
        required=value.get("required", True) is not False,
    )


def exam_for(training, lesson_key, block_id: str) -> Exam | None:
    """The exam ``block_id`` of the lesson as the training's cached structure holds it, or None."""
    node = structure_for(training).lesson(lesson_key)
    value = node.requirements.gates_of("exam").get(block_id) if node is not None else None
    return exam_of(node.key, block_id, value) if value is not None else None


def attempts_in_lesson(enrolment, lesson_key) -> dict[str, list[ExamAttempt]]:
    """``{block id: [attempts, first first]}`` of the learner's exams in a lesson: one query."""
    found: dict[str, list[ExamAttempt]] = {}
    for attempt in ExamAttempt.objects.filter(enrolment=enrolment, lesson_key=lesson_key).order_by("number"):
        attempt.enrolment = enrolment
        found.setdefault(attempt.block_id, []).append(attempt)
    return found


def attempt_of(user, attempt_id) -> ExamAttempt | None:
    """The user's own attempt ``attempt_id`` with its enrolment and training (one query), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return ExamAttempt.objects.filter(pk=attempt_id, enrolment__user=user).select_related("enrolment__training").first()


def passed_exams(enrolment, lesson_key, blocks: Mapping) -> set[str]:
    """The gate source: which of the lesson's exam blocks the learner has passed (one query)."""
    return set(
        ExamAttempt.objects.filter(
            enrolment=enrolment, lesson_key=lesson_key, block_id__in=list(blocks), passed=True
        ).values_list("block_id", flat=True)
    )


def personal_data(user) -> dict:
    """The learner's exam attempts as they are kept: the questions drawn, the answers, the results."""
    return {
        "exam_attempts": [
            {
                "lesson": str(a.lesson_key),
                "exam": a.block_id,
                "attempt": a.number,
                "questions": a.questions,
                "answers": a.answers,
                "results": a.results,
                "started_at": a.started_at.isoformat(),
                "deadline_at": a.deadline_at.isoformat() if a.deadline_at else None,
                "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None,
                "score": a.score,
                "passed": a.passed,
            }
            for a in ExamAttempt.objects.filter(enrolment__user=user).order_by("pk")
        ]
    }
