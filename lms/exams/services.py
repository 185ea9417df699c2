"""Exam attempts: starting (drawing the questions), answering, submitting and scoring, each in one
transaction with the learner's enrolment row locked.

The server is the clock: an attempt's ``deadline_at`` is set when it starts, an answer that arrives
after it (and a few seconds' grace for the network) is refused, and an attempt whose time has run
out is scored with the answers saved so far the next time anything touches it (a page, an answer,
a submission) or the periodic task passes (``attempts_finalise_overdue``). Answers are saved one at a
time as they are given, so a lost connection loses nothing.

Views authorise (a learner reaches only their own attempts, ``selectors.attempt_of``); these
functions enforce the exam's rules and never trust what the browser says it showed.
"""

from __future__ import annotations

import datetime
import re
import secrets
import zoneinfo
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lms import learner_cache
from lms.courses import services as courses
from lms.courses.models import Enrolment

from .enums import QuestionType
from .models import ExamAttempt
from .selectors import Bank, Exam, choices_of, exam_for

GRACE = datetime.timedelta(seconds=15)  # an answer sent just before the deadline may arrive this late
HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")
MAX_NUMBER_LENGTH = 40
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)

_random = secrets.SystemRandom()


class ExamError(Exception):
    """A refusal, with its message in the user's language and an HTTP status for views."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


# --- the rules ----------------------------------------------------------------------------------


def exam_closed(exam: Exam, now: datetime.datetime | None = None) -> bool:
    """Closed after the end of ``closes_on``, Finnish time."""
    if exam.closes_on is None:
        return False
    return timezone.localtime(now or timezone.now(), HELSINKI).date() > exam.closes_on


def next_start_at(exam: Exam, attempts: list[ExamAttempt]) -> datetime.datetime | None:
    """When the learner may start again after their last submission, if they must wait."""
    submitted = [a.submitted_at for a in attempts if a.submitted_at is not None]
    if not exam.wait_minutes or not submitted:
        return None
    return max(submitted) + datetime.timedelta(minutes=exam.wait_minutes)


def start_refusal(exam: Exam, attempts: list[ExamAttempt], now: datetime.datetime | None = None) -> str:
    """Why the learner may not start a new attempt now ("" when they may); an open one is resumed instead."""
    now = now or timezone.now()
    if exam_closed(exam, now):
        return _("This exam closed on %(date)s.") % {"date": formats.date_format(exam.closes_on, "SHORT_DATE_FORMAT")}
    if exam.max_attempts and len(attempts) >= exam.max_attempts:
        return ngettext(
            "You have used your one attempt at this exam.",
            "You have used all %(count)d attempts at this exam.",
            exam.max_attempts,
        ) % {"count": exam.max_attempts}
    again = next_start_at(exam, attempts)
    if again is not None and again > now:
        return _("You can start a new attempt on %(time)s.") % {
            "time": formats.date_format(timezone.localtime(again, HELSINKI), "SHORT_DATETIME_FORMAT")
        }
    return ""


def overdue(attempt: ExamAttempt, now: datetime.datetime | None = None) -> bool:
    """Open, and its time (with the grace) has run out."""
    return (
        attempt.submitted_at is None
        and attempt.deadline_at is not None
        and (now or timezone.now()) > attempt.deadline_at + GRACE
    )


# --- drawing ------------------------------------------------------------------------------------


def draw(exam: Exam, bank: Bank, seen: set[str]) -> list[dict]:
    """The questions of a new attempt: ``questions_per_attempt`` at random (per outcome when the exam
    says so), those the learner has not seen first; each with its options (or matches) shuffled."""
    groups: dict[str, list[str]] = {}
    for question_id, question in bank.questions.items():
        groups.setdefault(question["outcome"] if exam.per_outcome else "", []).append(question_id)
    chosen: list[str] = []
    for ids in groups.values():
        fresh = [qid for qid in ids if qid not in seen]
        again = [qid for qid in ids if qid in seen]
        _random.shuffle(fresh)
        _random.shuffle(again)
        chosen.extend((fresh + again)[: exam.questions_per_attempt])
    _random.shuffle(chosen)
    drawn = []
    for question_id in chosen:
        question = bank.questions[question_id]
        entry = {"question": question_id, "pool": question["pool"]}
        if question["kind"] != QuestionType.NUMERIC:
            order = list(range(choices_of(question)))
            _random.shuffle(order)
            entry["order"] = order
        drawn.append(entry)
    return drawn


def _attempts(enrolment: Enrolment, exam: Exam) -> list[ExamAttempt]:
    return list(
        ExamAttempt.objects.filter(enrolment=enrolment, lesson_key=exam.lesson_key, block_id=exam.block_id).order_by(
            "number"
        )
    )


def _exam(enrolment: Enrolment, lesson_key, block_id: str) -> Exam:
    exam = exam_for(enrolment.training, lesson_key, block_id)
    if exam is None:
        raise ExamError(_("This exam is no longer in the lesson. Reload the page."), status=404)
    return exam


def attempt_start(*, enrolment: Enrolment, lesson_key, block_id: str) -> ExamAttempt:
    """Start an attempt at the exam ``block_id`` of the lesson, or resume the open one.

    Refused when the exam has closed, the attempts are used up, or the wait after the last one has
    not passed; an open attempt whose time has run out is scored first.
    """
    exam = _exam(enrolment, lesson_key, block_id)
    bank = exam.bank
    with transaction.atomic():
        enrolment = courses.enrolment_lock(enrolment)
        now = timezone.now()
        attempts = _attempts(enrolment, exam)
        current = next((a for a in attempts if a.submitted_at is None), None)
        if current is not None and overdue(current, now):
            _finalise(enrolment, current, exam, bank, now)
            current = None
        if current is not None:
            return current
        refusal = start_refusal(exam, attempts, now)
        if refusal:
            raise ExamError(refusal, status=403)
        seen = {entry["question"] for attempt in attempts for entry in attempt.questions}
        questions = draw(exam, bank, seen)
        if not questions:
            raise ExamError(_("This exam has no questions yet. Ask your trainer."), status=409)
        try:
            with transaction.atomic():
                attempt = ExamAttempt.objects.create(
                    enrolment=enrolment,
                    lesson_key=exam.lesson_key,
                    block_id=exam.block_id,
                    number=(attempts[-1].number + 1) if attempts else 1,
                    questions=questions,
                    started_at=now,
                    deadline_at=now + datetime.timedelta(minutes=exam.time_limit_minutes)
                    if exam.time_limit_minutes
                    else None,
                )
        except IntegrityError:  # another start won (the constraints back the lock up): resume it
            attempt = ExamAttempt.objects.get(
                enrolment=enrolment, lesson_key=exam.lesson_key, block_id=exam.block_id, submitted_at__isnull=True
            )
    attempt.enrolment = enrolment
    return attempt


# --- answering ----------------------------------------------------------------------------------


def parse_number(text: str) -> Decimal | None:
    """A number as a learner writes it: ``2,5``, ``2.5``, ``-3``, ``1 000,5``; None when it is not one."""
    cleaned = "".join(str(text).split()).replace("\u2212", "-").replace(",", ".")
    if len(cleaned) > MAX_NUMBER_LENGTH or not NUMBER.fullmatch(cleaned):
        return None  # no exponents, no NaN: nothing that could overflow a comparison
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def _clean_answer(question: dict, value):
    """The answer to store for ``question`` (None: no answer), or a refusal.

    Choice questions take option indexes as the pool orders them; numeric questions the text as
    written; matching questions, for each item in order, the index of the chosen match (or None).
    """
    kind, count = question["kind"], choices_of(question)
    if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        try:
            chosen = sorted({int(index) for index in (value or [])})
        except (TypeError, ValueError):
            raise ExamError(_("That answer is not one of the options. Reload the page and try again.")) from None
        if any(index < 0 or index >= count for index in chosen):
            raise ExamError(_("That answer is not one of the options. Reload the page and try again."))
        if kind == QuestionType.SINGLE and len(chosen) > 1:
            raise ExamError(_("Choose exactly one option."))
        return chosen or None
    if kind == QuestionType.NUMERIC:
        text = str(value or "").strip()
        if not text:
            return None
        if parse_number(text) is None:
            raise ExamError(_("Write a number, for example 2,5."))
        return text
    matches = list(value or [])
    if len(matches) != count:
        raise ExamError(_("Match every item, or leave it empty. Reload the page and try again."))
    cleaned = []
    for match in matches:
        if match is None or match == "":
            cleaned.append(None)
            continue
        try:
            index = int(match)
        except (TypeError, ValueError):
            raise ExamError(_("That answer is not one of the options. Reload the page and try again.")) from None
        if not 0 <= index < count:
            raise ExamError(_("That answer is not one of the options. Reload the page and try again."))
        cleaned.append(index)
    return cleaned if any(index is not None for index in cleaned) else None


def _locked_attempt(attempt: ExamAttempt) -> tuple[Enrolment, ExamAttempt, Exam]:
    """Lock the attempt's enrolment and read the attempt again (what the lock protects)."""
    enrolment = courses.enrolment_lock(attempt.enrolment)
    fresh = ExamAttempt.objects.get(pk=attempt.pk, enrolment_id=enrolment.pk)
    fresh.enrolment = enrolment
    return enrolment, fresh, _exam(enrolment, fresh.lesson_key, fresh.block_id)


def attempt_answers(*, attempt: ExamAttempt, answers: Mapping[str, object]) -> ExamAttempt:
    """Save answers to some of the attempt's questions (``{question id: value}``, see ``_clean_answer``);
    None or an empty value takes an answer back. All or nothing: one refused answer saves none."""
    finalised = False
    with transaction.atomic():
        enrolment, attempt, exam = _locked_attempt(attempt)
        now = timezone.now()
        if attempt.submitted_at is not None:
            raise ExamError(_("This attempt has been submitted; its answers can no longer be changed."), status=409)
        if overdue(attempt, now):
            _finalise(enrolment, attempt, exam, exam.bank, now)
            finalised = True
        else:
            bank = exam.bank
            drawn = {entry["question"] for entry in attempt.questions}
            changed = False
            for question_id, value in answers.items():
                if question_id not in drawn or question_id not in bank.questions:
                    raise ExamError(_("That question is not part of your attempt. Reload the page."))
                cleaned = _clean_answer(bank.questions[question_id], value)
                previous = attempt.answers.get(question_id)
                if cleaned is None:
                    changed |= attempt.answers.pop(question_id, None) is not None
                elif previous is None or previous.get("value") != cleaned:
                    attempt.answers[question_id] = {"value": cleaned, "answered_at": now.isoformat()}
                    changed = True
            if changed:
                attempt.save(update_fields=["answers"])
    if finalised:  # outside the transaction: the scoring is kept, the answer refused
        raise ExamError(
            _("The time for this attempt ran out. It was submitted with the answers you had saved."), status=409
        )
    return attempt


def attempt_answer(*, attempt: ExamAttempt, question_id: str, value) -> ExamAttempt:
    """Save one answer as it is given (see ``attempt_answers``)."""
    return attempt_answers(attempt=attempt, answers={question_id: value})


# --- scoring ------------------------------------------------------------------------------------


def check(question: dict, value) -> tuple[bool, object]:
    """Whether an answer is right, and what was chosen (option indexes as the pool orders them;
    the number as a plain decimal; for matching, each item's chosen match)."""
    kind = question["kind"]
    if value is None:
        return False, None
    if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        correct = {i for i, option in enumerate(question["options"]) if option["correct"]}
        return set(value) == correct, list(value)
    if kind == QuestionType.NUMERIC:
        number = parse_number(value)
        expected = parse_number(question["answer"])
        tolerance = abs(parse_number(question["tolerance"]) or Decimal(0))
        if number is None or expected is None:
            return False, None
        return abs(number - expected) <= tolerance, str(number)
    return list(value) == list(range(choices_of(question))), list(value)


def _finalise(enrolment: Enrolment, attempt: ExamAttempt, exam: Exam, bank: Bank, now) -> None:
    """Score the attempt with its saved answers and close it; a pass re-checks the lesson's completion.

    A question a trainer has since deleted from its pool counts for nobody: the score is over the
    questions still there. Called with the enrolment locked.
    """
    results, right, counted = {}, 0, 0
    for entry in attempt.questions:
        question = bank.questions.get(entry["question"])
        if question is None:
            continue
        correct, selected = check(question, (attempt.answers.get(entry["question"]) or {}).get("value"))
        results[entry["question"]] = {"correct": correct, "selected": selected}
        counted += 1
        right += correct
    attempt.results = results
    attempt.score = right * 100 // counted if counted else 0
    attempt.passed = attempt.score >= exam.pass_percent
    ran_out = attempt.deadline_at is not None and now > attempt.deadline_at + GRACE
    attempt.submitted_at = attempt.deadline_at if ran_out else now
    attempt.save(update_fields=["results", "score", "passed", "submitted_at"])
    if attempt.passed:
        courses.lesson_progress_recheck(enrolment=enrolment, lesson_key=attempt.lesson_key)
    learner_cache.touch(enrolment.user_id)


def attempt_submit(*, attempt: ExamAttempt) -> ExamAttempt:
    """Submit the attempt and score it. A second submission changes nothing and is refused."""
    with transaction.atomic():
        enrolment, attempt, exam = _locked_attempt(attempt)
        if attempt.submitted_at is not None:
            raise ExamError(_("This attempt has already been submitted."), status=409)
        _finalise(enrolment, attempt, exam, exam.bank, timezone.now())
    return attempt


def attempt_refresh(*, attempt: ExamAttempt) -> ExamAttempt:
    """The attempt as it stands, scored first if its time has run out (what every view calls)."""
    if not overdue(attempt):
        return attempt
    with transaction.atomic():
        enrolment, attempt, exam = _locked_attempt(attempt)
        if overdue(attempt):
            _finalise(enrolment, attempt, exam, exam.bank, timezone.now())
    return attempt


def attempts_finalise_overdue(*, limit: int = 500) -> int:
    """Score the open attempts whose time has run out (the periodic task); return how many."""
    cutoff = timezone.now() - GRACE
    ids: Iterable[int] = ExamAttempt.objects.filter(submitted_at__isnull=True, deadline_at__lt=cutoff).values_list(
        "pk", flat=True
    )[:limit]
    done = 0
    for attempt in ExamAttempt.objects.filter(pk__in=list(ids)).select_related("enrolment__training"):
        try:
            if attempt_refresh(attempt=attempt).submitted_at is not None:
                done += 1
        except ExamError:  # the exam left its lesson: nothing to score it by; it stays open, harmless
            continue
    return done
